import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { userFileProblem } from '../user-files.js';

/** A private key read and parsed once, shared by every connection of a run. */
export interface PrivateKey {
  path: string;
  data: Buffer;
  type: string;
}

/**
 * The private key's path for `path`, which may name the private key or its `.pub` file (users often
 * have the public one at hand). Throws a UserError when the private key is not there. Cheap: no ssh2.
 */
export function checkPrivateKeyPath(path: string): string {
  const privatePath = path.endsWith('.pub') ? path.slice(0, -'.pub'.length) : path;
  const problem = userFileProblem(privatePath);
  if (problem) {
    throw new UserError(`SSH private key ${privatePath} ${problem}`, {
      hint:
        problem !== 'does not exist'
          ? 'pass the private key file with --ssh-key, e.g. ~/.ssh/id_ed25519'
          : path.endsWith('.pub')
            ? `the private key must sit beside ${path}`
            : 'pass the key you flashed with --ssh-key, or set ssh.privateKey in pi-cluster.yaml',
    });
  }
  return privatePath;
}

/** Reads and parses the cluster's private key (see checkPrivateKeyPath for the accepted paths). */
export async function loadPrivateKey(path: string): Promise<PrivateKey> {
  const privatePath = checkPrivateKeyPath(path);
  const data = await readFile(privatePath);
  // ssh2 loads on first use: discover starts browsing before it needs it.
  const { default: ssh2 } = await import('ssh2');
  const parsed = ssh2.utils.parseKey(data);
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(parsed.message);
    throw new UserError(`cannot use SSH key ${privatePath}: ${parsed.message}`, {
      hint: encrypted
        ? 'pi-cluster needs a key without a passphrase for unattended runs: create one with `pi-cluster init --generate-key` or `ssh-keygen -t ed25519 -N ""`'
        : 'pass an OpenSSH private key (not the .pub file content) with --ssh-key',
    });
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return { path: privatePath, data, type: key.type };
}
