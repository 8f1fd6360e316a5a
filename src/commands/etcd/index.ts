import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import { UserError } from '../../errors.js';
import { examples } from '../help.js';

interface EtcdFlags {
  inventory: string;
  yes?: boolean;
  dryRun?: boolean;
  onto?: string;
  key?: string;
  keep?: string;
}

export function register(program: Command): void {
  const etcd = program
    .command('etcd')
    .description('etcd backups of the control plane: take a snapshot now, or restore one')
    .addHelpText(
      'after',
      examples([
        ['pi-cluster etcd snapshot', 'before risky changes'],
        ['pi-cluster etcd restore .pi-cluster/etcd-snapshots/etcd-backup-2026-11-21T020000Z.enc'],
      ]),
    );

  etcd
    .command('snapshot')
    .description(
      "back up etcd now: the master's snapshot and the PKI kubeadm reuses, encrypted for .pi-cluster/etcd-backup.key, into .pi-cluster/etcd-snapshots/ (before risky changes)",
    )
    .option('-i, --inventory <file>', 'inventory written by `pi-cluster discover`', 'pi-hosts')
    .option('--keep <n>', 'after the new backup, delete all but the newest N etcd-backup-*.enc there (other files stay)')
    .option('--dry-run', 'print the ansible-playbook command instead of running it')
    .addHelpText(
      'after',
      examples([
        ['pi-cluster etcd snapshot'],
        ['pi-cluster etcd snapshot --keep 10', 'then only the newest 10 local backups stay'],
        ['pi-cluster etcd snapshot --keep 10 --dry-run', 'the playbook command, and which backups would go'],
      ]),
    )
    .action(async (flags: EtcdFlags, command: Command) => run('snapshot', undefined, flags, command));

  etcd
    .command('restore')
    .description('restore an etcd snapshot onto the master: stops the API server, swaps etcd data, brings the control plane back')
    .argument(
      '<snapshot>',
      'local etcd-backup-*.enc (from the NFS backup share or `pi-cluster etcd snapshot`; an older plain etcd-snapshot-*.db works too); with --onto, an etcd-backup-*.enc or a folder it was opened into (snapshot.db + pki/)',
    )
    .option('-i, --inventory <file>', 'inventory written by `pi-cluster discover`', 'pi-hosts')
    .option('--key <file>', 'private backup key that opens an etcd-backup-*.enc (default .pi-cluster/etcd-backup.key)')
    .option(
      '--onto <host>',
      "rebuild a dead master: the new card (flashed with the old master's hostname) gets the backed-up PKI, kubeadm init, then the snapshot; resumable",
    )
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--dry-run', 'print the ansible-playbook command instead of running it')
    .addHelpText(
      'after',
      examples([
        ['pi-cluster etcd restore .pi-cluster/etcd-snapshots/etcd-backup-2026-11-30T020000Z.enc'],
        ['scp nas:/export/pi-cluster/etcd-backups/etcd-backup-2026-11-30T020000Z.enc .', 'from the nightly backups'],
        ['pi-cluster etcd restore etcd-backup-2026-11-30T020000Z.enc --yes', 'no question asked'],
        [
          'pi-cluster etcd restore etcd-backup-2026-11-30T020000Z.enc --onto pi0 --dry-run',
          "when the master's card died: every step, changing nothing",
        ],
      ]),
    )
    .action(async (snapshot: string, flags: EtcdFlags, command: Command) => run('restore', snapshot, flags, command));
}

async function run(action: 'snapshot' | 'restore', snapshot: string | undefined, flags: EtcdFlags, command: Command): Promise<void> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  if (flags.onto) return runOnto(snapshot as string, flags.onto, flags, globals.config);
  const [{ etcdCommand }, { canPrompt }, { confirmYes }] = await Promise.all([
    import('./action.js'),
    import('../../cli/context.js'),
    import('../../ui/prompts.js'),
  ]);
  const keep = flags.keep === undefined ? undefined : parseKeep(flags.keep);
  if (action === 'snapshot' && !flags.dryRun) {
    // The snapshot is sealed for the project's backup key (made here on first use, as `addons tfvars` does).
    const key = await (await import('../../etcd/backup-key.js')).ensureBackupKey();
    if (key.created)
      process.stdout.write(
        'generated the etcd backup key .pi-cluster/etcd-backup.key (mode 0600); keep a copy off this machine: without it no backup can be opened\n',
      );
  }
  // Through src/ui/prompts: Ctrl-C at the question is a cancellation (exit 130), not an internal error.
  const confirm = canPrompt() ? (message: string) => confirmYes(message, false) : undefined;
  await etcdCommand({
    action,
    snapshot,
    keyPath: flags.key,
    inventoryPath: flags.inventory,
    configPath: globals.config,
    yes: Boolean(flags.yes),
    dryRun: Boolean(flags.dryRun),
    keep,
    confirm,
  });
}

/** --keep N: a whole number of backups, at least 1 (the new one is always kept). */
export function parseKeep(value: string): number {
  const keep = Number(value);
  if (!/^\d+$/.test(value.trim()) || keep < 1 || keep > 100_000)
    throw new UserError(`--keep ${value}: not a whole number of backups, at least 1`, {
      hint: 'e.g. --keep 10: the new backup and the 9 before it stay, older etcd-backup-*.enc files are deleted',
    });
  return keep;
}

async function runOnto(backup: string, onto: string, flags: EtcdFlags, configPath: string | undefined): Promise<void> {
  const [{ recoverCommand }, { extraVars }, { canPrompt }, { confirmYes }] = await Promise.all([
    import('./recover.js'),
    import('../../bootstrap/vars.js'),
    import('../../cli/context.js'),
    import('../../ui/prompts.js'),
  ]);
  await recoverCommand({
    backup,
    keyPath: flags.key,
    onto,
    inventoryPath: flags.inventory,
    configPath,
    yes: Boolean(flags.yes),
    dryRun: Boolean(flags.dryRun),
    clusterVars: (config, stateDir) => extraVars({ config, stateDir }),
    confirm: canPrompt() ? (message: string) => confirmYes(message, false) : undefined,
  });
}
