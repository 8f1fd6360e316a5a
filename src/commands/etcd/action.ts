/**
 * `pi-cluster etcd snapshot` and `pi-cluster etcd restore SNAPSHOT` (in place, on the running master): run the
 * etcd playbooks against the first master. The playbooks do the work (ansible/playbooks/etcd-*.yml, role
 * etcd_backup); this checks the inputs, asks before a restore, and runs ansible-playbook.
 */
import { rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { formatCommand, playbookCommand, runPlaybookInTerminal, type PlaybookCommand } from '../../ansible/index.js';
import { loadConfig } from '../../config/load.js';
import { resolveSshKeys } from '../../config/ssh-keys.js';
import { CancelledError, UserError } from '../../errors.js';
import { readClusterInventory } from '../../inventory/cluster.js';
import { stateDir } from '../../paths.js';
import { openBackup } from '../../etcd/backup-bundle.js';
import { defaultBackupKeyPath } from '../../etcd/backup-key.js';
import { checkSnapshot, isBundleFile } from '../../etcd/snapshot-file.js';
import { beyondKeep, localBackups, pruneLocalBackups } from '../../etcd/local-backups.js';

/** Past this many local backups, a snapshot without --keep says how to prune them. */
const MANY_BACKUPS = 10;

export type EtcdAction = 'snapshot' | 'restore';

export interface EtcdOptions {
  action: EtcdAction;
  /** Local snapshot file to restore (restore only): an etcd-snapshot-*.db or an etcd-backup-*.enc bundle. */
  snapshot?: string;
  /** The private backup key that opens a bundle (default .pi-cluster/etcd-backup.key). */
  keyPath?: string;
  inventoryPath: string;
  configPath?: string;
  /** Skip the confirmation of a restore. */
  yes: boolean;
  /** Print the ansible-playbook command instead of running it. */
  dryRun: boolean;
  /** Snapshot: afterwards delete all but the newest `keep` etcd-backup-*.enc of .pi-cluster/etcd-snapshots. */
  keep?: number;
  cwd?: string;
  /** Asks the user; undefined when there is no terminal to ask on. */
  confirm?: (question: string) => Promise<boolean>;
  write?: (text: string) => void;
  /** Runs the command with the terminal attached (replaceable in tests). */
  run?: (command: PlaybookCommand) => Promise<void>;
}

export async function etcdCommand(options: EtcdOptions): Promise<PlaybookCommand> {
  const cwd = options.cwd ?? process.cwd();
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const inventoryPath = resolve(cwd, options.inventoryPath);
  const inventory = await readClusterInventory(inventoryPath);
  const { config } = await loadConfig({ explicitPath: options.configPath, cwd });
  const master = inventory.masters[0];

  let opened: string | undefined;
  // The snapshot is sealed on this machine by the Node.js that runs pi-cluster (not whatever `node` is on PATH).
  const extraVars: Record<string, string> = {
    etcd_backup_local_dir: join(stateDir(cwd), 'etcd-snapshots'),
    etcd_backup_node: process.execPath,
  };
  if (options.action === 'restore') {
    if (!options.snapshot)
      throw new UserError('which snapshot? `pi-cluster etcd restore SNAPSHOT`', {
        hint: 'backups are the etcd-backup-*.enc files on the NFS backup share or in .pi-cluster/etcd-snapshots/ (older plain etcd-snapshot-*.db files work too)',
      });
    requireSingleMaster(inventory.masters.length);
    let snapshot = resolve(cwd, options.snapshot);
    if (await isBundleFile(snapshot)) {
      // Only the snapshot is needed in place; the bundle opens into .pi-cluster/ (0600) and the copy goes after.
      opened = join(stateDir(cwd), 'restore', basename(snapshot).replace(/\.enc$/, ''));
      if (!options.dryRun) await openBackup(snapshot, options.keyPath ? resolve(cwd, options.keyPath) : defaultBackupKeyPath(cwd), opened);
      snapshot = join(opened, 'snapshot.db');
    }
    if (!opened || !options.dryRun) await checkSnapshot(snapshot, options.snapshot);
    extraVars.etcd_backup_restore_snapshot = snapshot;
  }

  const command = playbookCommand({
    playbook: `etcd-${options.action}.yml`,
    inventory: inventoryPath,
    cwd,
    extraVars,
    privateKey: resolveSshKeys(config)?.privateKey,
  });
  const backups = extraVars.etcd_backup_local_dir;
  if (options.dryRun) {
    write(`${formatCommand(command)}\n`);
    if (options.action === 'snapshot' && options.keep !== undefined) {
      // The new backup counts as the newest: of the ones there now, keep - 1 stay.
      const going = beyondKeep(await localBackups(backups), options.keep - 1);
      write(
        `then keep the newest ${options.keep} etcd-backup-*.enc in ${backups}: ${going.length ? `would delete ${going.map((b) => b.name).join(', ')}` : 'nothing to delete'}\n`,
      );
    }
    return command;
  }

  try {
    if (options.action === 'restore' && !options.yes) {
      const question = `Restore ${options.snapshot} onto ${master.name} (${master.address})? The API server stops, etcd's data is replaced (the old data is kept aside), and every change since the snapshot is lost.`;
      if (!options.confirm)
        throw new UserError('a restore needs confirmation and there is no terminal to ask on', {
          hint: 'pass --yes to restore without asking',
        });
      if (!(await options.confirm(question))) throw new CancelledError('restore cancelled; nothing was changed');
    }
    write(
      `${options.action === 'restore' ? 'restoring etcd on' : 'taking an etcd snapshot on'} ${master.name}: ${formatCommand(command)}\n`,
    );
    const before = options.action === 'snapshot' ? new Set((await localBackups(backups)).map((b) => b.name)) : undefined;
    await (options.run ?? runInTerminal)(command);
    if (before) await retention(backups, options.keep, before, write);
  } finally {
    if (opened) await rm(opened, { recursive: true, force: true });
  }
  return command;
}

/** After a snapshot: --keep deletes the oldest beyond N; without it, a hint once the folder holds many. */
async function retention(dir: string, keep: number | undefined, before: ReadonlySet<string>, write: (text: string) => void): Promise<void> {
  if (keep !== undefined) {
    // The backup this run wrote stays whatever its name says (a clock set back names it years ago).
    const { deleted, kept } = await pruneLocalBackups(dir, keep, before);
    const plural = (n: number) => `${n} backup${n === 1 ? '' : 's'}`;
    write(
      deleted.length
        ? `--keep ${keep}: deleted ${plural(deleted.length)} (${deleted.map((b) => b.name).join(', ')}); ${plural(kept)} kept in ${dir}\n`
        : `--keep ${keep}: ${plural(kept)} in ${dir}, nothing to delete\n`,
    );
    return;
  }
  const all = await localBackups(dir);
  if (all.length > MANY_BACKUPS) {
    const mib = all.reduce((sum, b) => sum + b.bytes, 0) / 2 ** 20;
    write(
      `${all.length} local backups in ${dir} (${mib.toFixed(1)} MiB); \`pi-cluster etcd snapshot --keep ${MANY_BACKUPS}\` next time deletes all but the newest ${MANY_BACKUPS}\n`,
    );
  }
}

export function requireSingleMaster(masters: number): void {
  if (masters > 1) {
    throw new UserError(`the inventory has ${masters} masters; this restore handles a single control-plane node`, {
      hint: 'for several etcd members follow the kubeadm documentation (restore every member from the same snapshot)',
    });
  }
}

async function runInTerminal(command: PlaybookCommand): Promise<void> {
  const exitCode = await runPlaybookInTerminal(command);
  if (exitCode !== 0) {
    throw new UserError(`ansible-playbook failed (exit ${exitCode})`, {
      hint: 'read the task that failed above; a restore keeps the old etcd data under /var/lib/etcd.before-restore-*',
    });
  }
}
