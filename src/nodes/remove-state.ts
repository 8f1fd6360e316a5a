import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

/** `.pi-cluster/node-remove-<name>.json`: the steps of `pi-cluster node remove NAME` that finished. */
export interface RemoveState {
  version: 1;
  name: string;
  /** The host's role when the removal started (pi-hosts no longer says once it is marked removed). */
  role: 'masters' | 'workers';
  done: Record<string, string>;
  lastFailure?: { step: string; message: string; at: string };
}

export const removeStatePath = (stateDir: string, name: string): string => join(stateDir, `node-remove-${name}.json`);

export async function loadRemoveState(stateDir: string, name: string): Promise<RemoveState | undefined> {
  const path = removeStatePath(stateDir, name);
  if (!existsSync(path)) return undefined;
  try {
    const saved = JSON.parse(await readFile(path, 'utf8')) as RemoveState;
    return saved.version === 1 && saved.name === name && typeof saved.done === 'object' ? saved : undefined;
  } catch {
    return undefined; // damaged: start over (every step is safe to repeat)
  }
}

export async function saveRemoveState(stateDir: string, state: RemoveState): Promise<void> {
  await writeFileAtomic(removeStatePath(stateDir, state.name), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/**
 * The progress a run of `node remove` continues from: the saved one while the removal is unfinished; a fresh
 * one when none is saved, or when the saved removal finished and the host is back in pi-hosts (added again).
 */
export function resumeFrom(saved: RemoveState | undefined, name: string, role: RemoveState['role']): RemoveState {
  if (saved && saved.name === name && !saved.done['mark-removed']) return saved;
  return { version: 1, name, role, done: {} };
}
