import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import { examples } from '../help.js';

export function register(program: Command): void {
  program
    .command('reset')
    .description(
      "kubeadm reset and clean-up on every node, and the cluster's context in ~/.kube/config (asks first); the next bootstrap starts at 40-control-plane",
    )
    .option('-i, --inventory <file>', 'Ansible inventory written by discover', 'pi-hosts')
    .option('--ssh-key <path>', 'private key (default: ssh.privateKey, else ~/.ssh/id_ed25519)')
    .option('--dry-run', 'print the command; change nothing')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--keep-etcd-backups', 'keep etcd snapshots and /var/lib/etcd.before-restore-* on the nodes (they hold Secrets in plain text)')
    .addHelpText(
      'after',
      examples([
        ['pi-cluster reset'],
        ['pi-cluster reset --yes', 'scripts'],
        ['pi-cluster reset && pi-cluster bootstrap', 'a fresh cluster'],
      ]),
    )
    .action(async (flags: ResetFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { resetCommand } = await import('./action.js');
      const switches = { yes: Boolean(flags.yes), dryRun: Boolean(flags.dryRun), keepEtcdBackups: Boolean(flags.keepEtcdBackups) };
      await resetCommand({ ...flags, ...switches, configPath: globals.config, color: globals.color, verbose: globals.verbose });
    });
}

interface ResetFlags {
  inventory: string;
  sshKey?: string;
  dryRun?: boolean;
  yes?: boolean;
  keepEtcdBackups?: boolean;
}
