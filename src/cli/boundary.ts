import { isUserError } from '../errors.js';

/**
 * The one place that decides how a failure ends the process.
 * A UserError prints "pi-cluster: <message>" and "hint: <hint>" and exits with its code;
 * anything else is a bug: print the stack so it can be reported.
 */
export function reportFailure(error: unknown, verbose: boolean, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  if (isUserError(error)) {
    const lines = error.message.split('\n');
    write(`pi-cluster: ${lines[0]}\n`);
    for (const line of lines.slice(1)) write(`  ${line}\n`);
    if (error.hint) write(`hint: ${error.hint}\n`);
    if (verbose && error.cause) write(`cause: ${error.cause instanceof Error ? error.cause.stack : String(error.cause)}\n`);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  write(`pi-cluster: internal error (this is a bug, please report it with the lines below)\n${stack}\n`);
  return 70; // EX_SOFTWARE
}
