/**
 * The one error type that ends a command as "the user must change something".
 * The CLI's error boundary prints `message` and `hint` on one line each and exits non-zero;
 * anything else that escapes is a bug and is printed with its stack.
 */
export class UserError extends Error {
  readonly hint?: string;
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** Error raised when the user answers "no" to a confirmation or interrupts a prompt. */
export class CancelledError extends UserError {
  constructor(what = 'Cancelled') {
    super(what, { exitCode: 130 });
    this.name = 'CancelledError';
  }
}
