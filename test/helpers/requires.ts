import { spawnSync } from 'node:child_process';

/** True when `program args` runs and exits 0. */
export function hasProgram(program: string, args = ['--version']): boolean {
  return spawnSync(program, args, { stdio: 'ignore' }).status === 0;
}

/**
 * The `skip` option for a test that needs a tool. Locally a missing tool skips with a reason;
 * in CI (CI set) nothing is skipped: the test runs and fails, because a skip there would hide a gap.
 */
export function skipUnless(present: boolean, reason: string): string | false {
  if (present) return false;
  return process.env.CI ? false : reason;
}
