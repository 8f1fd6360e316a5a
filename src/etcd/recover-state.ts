import { join } from 'node:path';
import { readProgress, writeProgress } from '../progress-file.js';

/** `.pi-cluster/recover.json`: which steps of `etcd restore --onto` finished, for which backup and host. */
export interface RecoverState {
  version: 1;
  backup: string;
  onto: string;
  done: Record<string, string>;
  lastFailure?: { step: string; message: string; at: string };
}

export const recoverStatePath = (stateDir: string): string => join(stateDir, 'recover.json');

/** The saved progress when it is for this backup and host; a fresh start otherwise. */
export async function loadRecoverState(stateDir: string, backup: string, onto: string): Promise<RecoverState> {
  const saved = await readProgress<RecoverState>(recoverStatePath(stateDir), (s) => s.backup === backup && s.onto === onto);
  return saved ?? { version: 1, backup, onto, done: {} };
}

export async function saveRecoverState(stateDir: string, state: RecoverState): Promise<void> {
  await writeProgress(recoverStatePath(stateDir), state);
}
