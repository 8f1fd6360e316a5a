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
  if (options.dryRun) {
    write(`${formatCommand(command)}\n`);
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
    await (options.run ?? runInTerminal)(command);
  } finally {
    if (opened) await rm(opened, { recursive: true, force: true });
  }
  return command;
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
