import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

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
  const fresh: RecoverState = { version: 1, backup, onto, done: {} };
  const path = recoverStatePath(stateDir);
  if (!existsSync(path)) return fresh;
  try {
    const saved = JSON.parse(await readFile(path, 'utf8')) as RecoverState;
    return saved.version === 1 && saved.backup === backup && saved.onto === onto && typeof saved.done === 'object' ? saved : fresh;
  } catch {
    return fresh;
  }
}

export async function saveRecoverState(stateDir: string, state: RecoverState): Promise<void> {
  await writeFileAtomic(recoverStatePath(stateDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}
