/** Global options every command sees (set on the root program, read in each action). */
export interface GlobalOptions {
  config?: string;
  verbose: boolean;
  color: boolean;
}

/** True when the user can be asked questions: a terminal on stdin and stdout, and not in CI. */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI;
}
