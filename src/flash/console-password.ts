import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { cryptHashProblem, LOCKED } from '../config/crypt-hash.js';
import { expandHome } from '../config/load.js';
import type { ClusterConfig } from '../config/schema.js';
import { UserError } from '../errors.js';

export interface ConsolePassword {
  /** What root's field of /etc/shadow holds: a crypt hash, or "*" (locked). */
  hash: string;
  /** Where it came from, for the dry run and the summary (never the hash itself). */
  source: string;
}

const HINT =
  'make a hash with `openssl passwd -6` (it asks for the password) and put it in a file, or pass --console-password at a terminal';

/**
 * Root's console password for every card of the run: a hash typed at the prompt (--console-password),
 * a hash file (--console-password-file, else console.passwordHashFile), the config's
 * console.passwordHash, or locked. A plain password never comes from argv or the config.
 */
export async function resolveConsolePassword(
  options: { hash?: string; file?: string; cwd?: string },
  config: ClusterConfig,
): Promise<ConsolePassword> {
  if (options.hash !== undefined && options.file !== undefined)
    throw new UserError('use either --console-password or --console-password-file, not both', { hint: HINT });
  if (options.hash !== undefined) {
    const problem = cryptHashProblem(options.hash);
    if (problem) throw new Error(`the console password hash made at the prompt ${problem}`);
    return { hash: options.hash, source: 'typed at the prompt' };
  }
  const file = options.file ?? config.console.passwordHashFile;
  const origin = options.file !== undefined ? '--console-password-file' : 'console.passwordHashFile in pi-cluster.yaml';
  if (file !== undefined) return { hash: await readHashFile(file, origin, options.cwd), source: `hash from ${file}` };
  if (config.console.passwordHash)
    return { hash: config.console.passwordHash, source: 'hash from console.passwordHash in pi-cluster.yaml' };
  return { hash: LOCKED, source: 'locked' };
}

async function readHashFile(file: string, origin: string, cwd = process.cwd()): Promise<string> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, expandHome(file)), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a folder'
          : code === 'EACCES'
            ? 'cannot be read (permission denied)'
            : `cannot be read (${code ?? (error as Error).message})`;
    throw new UserError(`${origin} ${file} ${why}`, { hint: HINT });
  }
  const hash = text.replace(/\r?\n$/, '');
  const problem = cryptHashProblem(hash);
  if (problem) throw new UserError(`${origin} ${file}: the file ${problem}`, { hint: HINT });
  return hash;
}
