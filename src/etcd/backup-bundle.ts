/**
 * Reading an encrypted etcd backup (etcd-backup-<UTC stamp>.enc): the etcd snapshot plus the PKI kubeadm reuses,
 * sealed for the project's backup key by terraform/modules/etcd-backup/scripts/seal-backup.mjs (the nightly
 * CronJob and `pi-cluster etcd snapshot` both run it). That script's header describes the format; this side
 * only decrypts, checks and unpacks. Nothing is written under its final name before the whole file is authenticated.
 */
import { createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, type KeyObject } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../errors.js';
import { userFileProblem } from '../user-files.js';

export const BUNDLE_MAGIC = 'pi-cluster-etcd-backup 1\n';
const CIPHER = 'x25519-hkdf-sha256-aes-256-gcm';
const KDF_INFO = 'pi-cluster etcd backup 1';
const TAG_LENGTH = 16;
/** The header line is a few hundred bytes; more than this is not a bundle. */
const MAX_PREAMBLE = 4096;

export interface BackupFile {
  /** snapshot.db, or pki/<path under /etc/kubernetes/pki> (pki/ca.key, pki/etcd/ca.crt, ...). */
  path: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: 1;
  createdAt: string;
  sourceHost: string;
  kubernetesVersion: string | null;
  files: BackupFile[];
}

interface BundleHeader {
  cipher: string;
  recipient: string;
  ephemeral: string;
  iv: string;
}

/** A private backup key: the path of its PEM file, or the key itself. */
export type BackupKey = string | KeyObject;

/** True when the file starts like a backup bundle (an old plain etcd-snapshot-*.db does not). */
export async function isBackupBundle(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const start = Buffer.alloc(BUNDLE_MAGIC.length);
    const { bytesRead } = await handle.read(start, 0, start.length, 0);
    return bytesRead === start.length && start.toString('latin1') === BUNDLE_MAGIC;
  } finally {
    await handle.close();
  }
}

/** sha256 of a public key's DER SubjectPublicKeyInfo, hex: how a bundle names the key it was sealed for. */
export function keyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/**
 * Decrypts `file` with the private key, checks every file against the manifest, and writes
 * destDir/snapshot.db and destDir/pki/... (files 0600, folders 0700). Throws UserError on a missing file,
 * a wrong key, or a file that was damaged or altered; nothing is left in destDir then.
 */
export async function openBackup(file: string, key: BackupKey, destDir: string): Promise<BackupManifest> {
  const problem = userFileProblem(file);
  if (problem)
    throw new UserError(`backup ${file} ${problem}`, {
      hint: 'backups are the etcd-backup-*.enc files on the NFS share or in .pi-cluster/etcd-snapshots/',
    });
  const privateKey = await loadPrivateKey(key);
  const { header, preamble } = await readPreamble(file);
  const fingerprint = keyFingerprint(privateKey);
  if (header.recipient !== fingerprint) {
    throw new UserError(
      `${file} was sealed for another backup key (sha256:${header.recipient.slice(0, 16)}…), not for ${describeKey(key)} (sha256:${fingerprint.slice(0, 16)}…)`,
      {
        hint: 'use the .pi-cluster/etcd-backup.key of the project that made the backup (--key FILE)',
      },
    );
  }

  const size = (await stat(file)).size;
  if (size < preamble.length + TAG_LENGTH) throw damaged(file, 'it is cut short');
  const ephemeral = createPublicKey({ key: Buffer.from(header.ephemeral, 'base64'), format: 'der', type: 'spki' });
  const recipientDer = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const ephemeralDer = ephemeral.export({ type: 'spki', format: 'der' });
  const shared = diffieHellman({ privateKey, publicKey: ephemeral });
  const aesKey = Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralDer, recipientDer]), KDF_INFO, 32));
  const tag = Buffer.alloc(TAG_LENGTH);
  const handle = await open(file, 'r');
  try {
    await handle.read(tag, 0, TAG_LENGTH, size - TAG_LENGTH);
  } finally {
    await handle.close();
  }

  await mkdir(destDir, { recursive: true, mode: 0o700 });
  const payload = join(destDir, `.payload-${process.pid}-${Date.now()}`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', aesKey, Buffer.from(header.iv, 'base64'));
    decipher.setAAD(preamble);
    decipher.setAuthTag(tag);
    try {
      await pipeline(
        createReadStream(file, { start: preamble.length, end: size - TAG_LENGTH - 1 }),
        decipher,
        createWriteStream(payload, { mode: 0o600 }),
      );
    } catch (error) {
      if ((error as Error).message.includes('authenticate')) throw damaged(file, 'its authentication tag does not match');
      throw error;
    }
    return await unpackPayload(file, payload, destDir);
  } finally {
    await rm(payload, { force: true });
  }
}

async function loadPrivateKey(key: BackupKey): Promise<KeyObject> {
  let privateKey: KeyObject;
  if (typeof key === 'string') {
    const problem = userFileProblem(key);
    if (problem)
      throw new UserError(`backup key ${key} ${problem}`, {
        hint: 'the key is .pi-cluster/etcd-backup.key in the project that made the backup',
      });
    try {
      privateKey = createPrivateKey(await readFile(key));
    } catch {
      throw new UserError(`${key} is not a private key`, {
        hint: 'the key is .pi-cluster/etcd-backup.key in the project that made the backup',
      });
    }
  } else {
    privateKey = key;
  }
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'x25519') {
    throw new UserError(`${describeKey(key)} is not a pi-cluster backup key (an X25519 private key)`, {
      hint: 'the key is .pi-cluster/etcd-backup.key in the project that made the backup',
    });
  }
  return privateKey;
}

function describeKey(key: BackupKey): string {
  return typeof key === 'string' ? key : 'the given key';
}

async function readPreamble(file: string): Promise<{ header: BundleHeader; preamble: Buffer }> {
  const handle = await open(file, 'r');
  const start = Buffer.alloc(MAX_PREAMBLE);
  let bytesRead: number;
  try {
    ({ bytesRead } = await handle.read(start, 0, MAX_PREAMBLE, 0));
  } finally {
    await handle.close();
  }
  const head = start.subarray(0, bytesRead);
  if (head.subarray(0, BUNDLE_MAGIC.length).toString('latin1') !== BUNDLE_MAGIC) {
    throw new UserError(`${file} is not a pi-cluster etcd backup (no "${BUNDLE_MAGIC.trim()}" header)`, {
      hint: 'backups are etcd-backup-*.enc files; an older plain etcd-snapshot-*.db holds no PKI',
    });
  }
  const end = head.indexOf(0x0a, BUNDLE_MAGIC.length);
  if (end < 0) throw damaged(file, 'its header is cut short');
  const preamble = Buffer.from(head.subarray(0, end + 1));
  let header: BundleHeader;
  try {
    header = JSON.parse(preamble.subarray(BUNDLE_MAGIC.length).toString('utf8')) as BundleHeader;
  } catch {
    throw damaged(file, 'its header is not JSON');
  }
  if (
    header.cipher !== CIPHER ||
    typeof header.recipient !== 'string' ||
    typeof header.ephemeral !== 'string' ||
    typeof header.iv !== 'string'
  ) {
    throw damaged(file, `its header names no known cipher (${String(header.cipher)})`);
  }
  return { header, preamble };
}

function damaged(file: string, why: string): UserError {
  return new UserError(`${file} is damaged or was altered: ${why}`, {
    hint: 'take another copy of the backup; nothing was restored from this one',
  });
}

/** Splits the authenticated payload into its files, checking each size and sha256 against the manifest. */
async function unpackPayload(file: string, payload: string, destDir: string): Promise<BackupManifest> {
  const handle = await open(payload, 'r');
  let manifest: BackupManifest;
  let offset: number;
  const payloadSize = (await handle.stat()).size;
  try {
    const length = Buffer.alloc(4);
    await handle.read(length, 0, 4, 0);
    const manifestLength = length.readUInt32BE(0);
    if (manifestLength > payloadSize - 4) throw damaged(file, 'its manifest is cut short');
    const manifestBytes = Buffer.alloc(manifestLength);
    await handle.read(manifestBytes, 0, manifestLength, 4);
    manifest = JSON.parse(manifestBytes.toString('utf8')) as BackupManifest;
    offset = 4 + manifestLength;
  } finally {
    await handle.close();
  }
  if (manifest.format !== 1 || !Array.isArray(manifest.files))
    throw damaged(file, `its manifest has an unknown format (${String(manifest.format)})`);
  const expected = manifest.files.reduce((sum, entry) => sum + entry.size, offset);
  if (expected !== payloadSize)
    throw damaged(file, `the manifest lists ${expected - offset} bytes of files, the payload holds ${payloadSize - offset}`);
  if (!manifest.files.some((entry) => entry.path === 'snapshot.db')) throw damaged(file, 'it holds no snapshot.db');

  const written: string[] = [];
  try {
    for (const entry of manifest.files) {
      const target = safeTarget(file, destDir, entry.path);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      const partial = `${target}.partial`;
      written.push(partial);
      const hash = createHash('sha256');
      if (entry.size > 0) {
        const source = createReadStream(payload, { start: offset, end: offset + entry.size - 1 });
        source.on('data', (chunk) => hash.update(chunk));
        await pipeline(source, createWriteStream(partial, { mode: 0o600 }));
      } else {
        await writeFile(partial, '', { mode: 0o600 });
      }
      const digest = hash.digest('hex');
      if (digest !== entry.sha256) throw damaged(file, `${entry.path} has sha256 ${digest}, the manifest says ${entry.sha256}`);
      offset += entry.size;
    }
    for (const entry of manifest.files) {
      const target = safeTarget(file, destDir, entry.path);
      await rename(`${target}.partial`, target);
    }
  } catch (error) {
    await Promise.all(written.map((partial) => rm(partial, { force: true })));
    throw error;
  }
  return manifest;
}

/** A manifest path as a file under destDir; anything that would leave it is refused. */
function safeTarget(file: string, destDir: string, path: string): string {
  const root = resolve(destDir);
  const target = resolve(root, path);
  const inside = relative(root, target);
  if (
    typeof path !== 'string' ||
    path === '' ||
    inside.startsWith('..') ||
    inside.startsWith(sep) ||
    !(path === 'snapshot.db' || path.startsWith('pki/'))
  ) {
    throw damaged(file, `its manifest names a file outside the backup (${String(path)})`);
  }
  return target;
}
