import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { writeFileAtomic } from '../atomic-file.js';
import { UserError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { CONFIG_FILE, expandHome } from './load.js';
import { defaultKeyCandidates } from './ssh-keys.js';

export interface InitOptions {
  path?: string;
  force: boolean;
  stdout: boolean;
  /** Create ~/.ssh/id_ed25519 when the user has no key pair. */
  generateKey: boolean;
  write?: (text: string) => void;
}

export function exampleConfigText(): Promise<string> {
  return readFile(join(packageRoot(), 'src', 'config', 'pi-cluster.example.yaml'), 'utf8');
}

/** Writes the commented starting config; never overwrites an existing file without --force. */
export async function initCommand(options: InitOptions): Promise<string | undefined> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const text = await exampleConfigText();
  if (options.stdout) {
    write(text);
    return undefined;
  }
  const target = resolve(expandHome(options.path ?? CONFIG_FILE));
  if (existsSync(target) && !options.force) {
    throw new UserError(`${target} already exists; not overwriting it`, { hint: 'edit it, or pass --force to replace it (the old one is kept as .bak)' });
  }
  await mkdir(dirname(target), { recursive: true });
  if (existsSync(target)) await rename(target, `${target}.bak`);
  await writeFileAtomic(target, text, { mode: 0o644 });
  write(`wrote ${target}\n`);
  if (options.generateKey) await generateKeyIfMissing(write);
  return target;
}

/** Creates an ed25519 key pair with ssh-keygen when the user has none of the default pairs. */
export async function generateKeyIfMissing(write: (text: string) => void, home = homedir()): Promise<string | undefined> {
  if (defaultKeyCandidates(home).some((candidate) => existsSync(`${candidate}.pub`))) {
    write('an SSH key pair exists already; not generating one\n');
    return undefined;
  }
  const path = defaultKeyCandidates(home)[0];
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await execa('ssh-keygen', ['-t', 'ed25519', '-N', '', '-C', 'pi-cluster', '-f', path]);
  } catch (error) {
    throw new UserError(`could not generate an SSH key with ssh-keygen: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'install OpenSSH (ssh-keygen) or create a key pair yourself and set ssh.publicKey',
      cause: error,
    });
  }
  write(`generated SSH key pair ${path} (+ .pub); it has no passphrase: add one with \`ssh-keygen -p -f ${path}\` if you want\n`);
  return path;
}
