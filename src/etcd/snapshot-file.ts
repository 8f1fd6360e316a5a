import { open, stat } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { isBackupBundle } from './backup-bundle.js';
import { userFileProblem } from '../user-files.js';

/** bbolt's meta page magic, at byte 16 of every etcd snapshot (and data file). */
const BOLT_MAGIC = 0xed0cdaed;

/** A snapshot must exist and look like an etcd (bbolt) database, so a wrong file never reaches the master. */
export async function checkSnapshot(path: string, label = path): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile())
    throw new UserError(`snapshot ${label} ${userFileProblem(path) ?? 'is not a file'}`, {
      hint: 'copy an etcd-snapshot-*.db from the NFS backup share, or take one with `pi-cluster etcd snapshot`',
    });
  const header = Buffer.alloc(20);
  const handle = await open(path, 'r');
  try {
    await handle.read(header, 0, 20, 0);
  } finally {
    await handle.close();
  }
  if (info.size < 4096 || header.readUInt32LE(16) !== BOLT_MAGIC) {
    throw new UserError(`${label} is not an etcd snapshot (no bbolt database header)`, {
      hint: 'use a file written by `etcdctl snapshot save`: etcd-snapshot-*.db',
    });
  }
}

/** True for a regular file that starts like an encrypted backup bundle (a folder or a missing file is not one). */
export async function isBundleFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return Boolean(info?.isFile()) && (await isBackupBundle(path));
}
