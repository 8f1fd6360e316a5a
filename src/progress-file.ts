import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file.js';

/**
 * The progress files of the resumable commands (`.pi-cluster/recover.json`, `<command>.json`, `certs-renew.json`,
 * `node-remove-NAME.json`): JSON, written atomically and readable by the owner only (they name hosts and files of
 * the cluster). Each command decides whether a saved file is for the run at hand; this only reads and writes.
 */

/** The saved progress, or undefined when there is none or it is damaged (every step is safe to repeat). */
export async function readProgress<T extends { version: 1; done: Record<string, string> }>(
  path: string,
  isFor: (saved: T) => boolean,
): Promise<T | undefined> {
  let saved: T;
  try {
    saved = JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
  if (!saved || saved.version !== 1 || typeof saved.done !== 'object' || saved.done === null) return undefined;
  return isFor(saved) ? saved : undefined;
}

export async function writeProgress(path: string, state: object): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}
