import { join } from 'node:path';
import { readProgress, writeProgress } from '../progress-file.js';

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
  return readProgress<RemoveState>(removeStatePath(stateDir, name), (s) => s.name === name); // damaged: start over
}

export async function saveRemoveState(stateDir: string, state: RemoveState): Promise<void> {
  await writeProgress(removeStatePath(stateDir, state.name), state);
}

/**
 * The progress a run of `node remove` continues from: the saved one while the removal is unfinished; a fresh
 * one when none is saved, or when the saved removal finished and the host is back in pi-hosts (added again).
 */
export function resumeFrom(saved: RemoveState | undefined, name: string, role: RemoveState['role']): RemoveState {
  if (saved && saved.name === name && !saved.done['mark-removed']) return saved;
  return { version: 1, name, role, done: {} };
}
