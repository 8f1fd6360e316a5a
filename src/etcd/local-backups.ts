/**
 * The backups `pi-cluster etcd snapshot` leaves in .pi-cluster/etcd-snapshots/, and their retention (--keep N).
 * Only the names the snapshot role writes (etcd-backup-<UTC stamp>.enc, ansible/roles/etcd_backup) count and
 * are ever deleted: the stamp sorts by time, so the newest are the last by name. Other files stay, and so does
 * the backup just written whatever its name says (the rule of the nightly job's retention, README "Retention").
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** etcd-backup-2026-11-30T020000Z.enc: the role's `now(utc=true, fmt='%Y-%m-%dT%H%M%SZ')`. */
export const LOCAL_BACKUP_NAME = /^etcd-backup-\d{4}-\d{2}-\d{2}T\d{6}Z\.enc$/;

export interface LocalBackup {
  name: string;
  bytes: number;
}

/** The backups in `dir`, oldest first; none when the folder does not exist. */
export async function localBackups(dir: string): Promise<LocalBackup[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const backups: LocalBackup[] = [];
  for (const name of names.filter((n) => LOCAL_BACKUP_NAME.test(n)).sort()) {
    const info = await stat(join(dir, name));
    if (info.isFile()) backups.push({ name, bytes: info.size });
  }
  return backups;
}

/**
 * The backups beyond the newest `keep` (pure): the ones retention deletes, oldest first. The `fresh` ones (just
 * written) always stay and count among the `keep`.
 */
export function beyondKeep<T extends { name: string }>(backups: readonly T[], keep: number, fresh: ReadonlySet<string> = new Set()): T[] {
  const others = backups.filter((b) => !fresh.has(b.name)).sort((a, b) => a.name.localeCompare(b.name));
  const room = Math.max(0, keep - (backups.length - others.length));
  return others.slice(0, Math.max(0, others.length - room));
}

/**
 * Deletes the backups beyond the newest `keep`: what went (oldest first) and how many stay. A backup not among
 * `before` (the names listed before the snapshot) is the one just written: it stays whatever its name says.
 */
export async function pruneLocalBackups(
  dir: string,
  keep: number,
  before: ReadonlySet<string>,
): Promise<{ deleted: LocalBackup[]; kept: number }> {
  const all = await localBackups(dir);
  const deleted = beyondKeep(all, keep, new Set(all.map((b) => b.name).filter((name) => !before.has(name))));
  for (const backup of deleted) await rm(join(dir, backup.name), { force: true });
  return { deleted, kept: all.length - deleted.length };
}
