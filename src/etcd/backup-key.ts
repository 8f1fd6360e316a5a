/**
 * The project's etcd backup key pair: an X25519 key whose private half stays on this machine
 * (.pi-cluster/etcd-backup.key, 0600, generated once, never printed) and whose public half goes into the
 * cluster (the backup CronJob's ConfigMap, through tfvars) and into `pi-cluster etcd snapshot`.
 * Backups are sealed for the public half; only the private half opens them.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { stateDir } from '../paths.js';
import { keyFingerprint } from './backup-bundle.js';

export const BACKUP_KEY_FILE = 'etcd-backup.key';
export const BACKUP_PUBLIC_KEY_FILE = 'etcd-backup.pub';

export interface BackupKeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  /** PEM of the public half (SPKI): safe to hand to the cluster. */
  publicKeyPem: string;
  /** sha256 of the public key, as a bundle's header names it. */
  fingerprint: string;
  /** Made by this call. */
  created: boolean;
}

/** Where a project keeps its private backup key: .pi-cluster/etcd-backup.key. */
export function defaultBackupKeyPath(cwd = process.cwd()): string {
  return join(stateDir(cwd), BACKUP_KEY_FILE);
}

/**
 * The project's key pair, made on first use. An existing private key is kept (its mode tightened to 0600)
 * and the public half is written again from it, so the two never disagree.
 */
export async function ensureBackupKey(cwd = process.cwd()): Promise<BackupKeyPair> {
  const dir = stateDir(cwd);
  const privateKeyPath = join(dir, BACKUP_KEY_FILE);
  const publicKeyPath = join(dir, BACKUP_PUBLIC_KEY_FILE);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = await stat(privateKeyPath).catch(() => undefined);
  let created = false;
  let privatePem: string;
  if (existing) {
    if ((existing.mode & 0o077) !== 0) await chmod(privateKeyPath, 0o600);
    privatePem = await readFile(privateKeyPath, 'utf8');
  } else {
    const { privateKey } = generateKeyPairSync('x25519');
    privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // wx: two commands starting at once never overwrite each other's key.
    await writeFile(privateKeyPath, privatePem, { mode: 0o600, flag: 'wx' });
    created = true;
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(privatePem);
  } catch {
    throw new UserError(`${privateKeyPath} is not a private key`, {
      hint: 'restore it from your copy; move it aside only if no backup was sealed for it',
    });
  }
  if (privateKey.asymmetricKeyType !== 'x25519')
    throw new UserError(`${privateKeyPath} is not an X25519 key`, {
      hint: 'restore it from your copy; move it aside only if no backup was sealed for it',
    });
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const current = await readFile(publicKeyPath, 'utf8').catch(() => undefined);
  if (current !== publicKeyPem) await writeFile(publicKeyPath, publicKeyPem, { mode: 0o644 });
  return { privateKeyPath, publicKeyPath, publicKeyPem, fingerprint: keyFingerprint(privateKey), created };
}
