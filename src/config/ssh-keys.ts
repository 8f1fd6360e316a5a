import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { expandHome } from './load.js';
import type { ClusterConfig } from './schema.js';

export interface SshKeyPaths {
  publicKey: string;
  privateKey: string;
  /** Where the paths came from: the config file, or the first default key found. */
  source: 'config' | 'default';
}

/** Default key pairs, in order of preference (ed25519 first, as OpenSSH itself prefers). */
export function defaultKeyCandidates(home = homedir()): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => join(home, '.ssh', name));
}

/**
 * The cluster's key pair: the configured paths, else the user's first existing default pair.
 * Returns undefined when nothing is configured and no default pair exists.
 */
export function resolveSshKeys(config: ClusterConfig, home = homedir()): SshKeyPaths | undefined {
  const { publicKey, privateKey } = config.ssh;
  if (publicKey || privateKey) {
    const pub = expandHome(publicKey ?? `${privateKey}.pub`);
    const priv = expandHome(privateKey ?? pub.replace(/\.pub$/, ''));
    return { publicKey: pub, privateKey: priv, source: 'config' };
  }
  for (const candidate of defaultKeyCandidates(home)) {
    if (existsSync(`${candidate}.pub`)) return { publicKey: `${candidate}.pub`, privateKey: candidate, source: 'default' };
  }
  return undefined;
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
    const { execa } = await import('execa');
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
