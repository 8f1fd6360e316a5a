import { join } from 'node:path';
import { readProgress, writeProgress } from '../progress-file.js';

/**
 * `.pi-cluster/<command>.json`: which hosts a rolling command finished, for which inputs (e.g. the target
 * version). Other inputs start afresh: a patch run's hosts are not an upgrade's, nor 1.35's 1.36's.
 */
export interface RollingState {
  version: 1;
  command: string;
  inputs: Record<string, string>;
  /** Host name -> when it finished (ISO). */
  done: Record<string, string>;
  lastFailure?: { host: string; task: string; message: string; at: string };
}

export const rollingStatePath = (stateDir: string, command: string): string => join(stateDir, `${command}.json`);

const sameInputs = (a: Record<string, string>, b: Record<string, string>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** The saved progress when it is for this command and these inputs; a fresh start otherwise. */
export async function loadRollingState(stateDir: string, command: string, inputs: Record<string, string>): Promise<RollingState> {
  const saved = await readProgress<RollingState>(
    rollingStatePath(stateDir, command),
    (s) => s.command === command && typeof s.inputs === 'object' && s.inputs !== null && sameInputs(s.inputs, inputs),
  );
  return saved ?? { version: 1, command, inputs, done: {} };
}

export async function saveRollingState(stateDir: string, state: RollingState): Promise<void> {
  await writeProgress(rollingStatePath(stateDir, state.command), state);
}
