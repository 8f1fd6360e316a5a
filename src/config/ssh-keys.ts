import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
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
