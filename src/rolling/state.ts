import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

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
  const fresh: RollingState = { version: 1, command, inputs, done: {} };
  const path = rollingStatePath(stateDir, command);
  if (!existsSync(path)) return fresh;
  try {
    const saved = JSON.parse(await readFile(path, 'utf8')) as RollingState;
    const valid = saved.version === 1 && saved.command === command && typeof saved.done === 'object' && typeof saved.inputs === 'object';
    return valid && sameInputs(saved.inputs, inputs) ? saved : fresh;
  } catch {
    return fresh;
  }
}

export async function saveRollingState(stateDir: string, state: RollingState): Promise<void> {
  await writeFileAtomic(rollingStatePath(stateDir, state.command), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}
