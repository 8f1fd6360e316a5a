import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import { extraVar, version } from '../flags.js';
import { examples } from '../help.js';

interface UpgradeFlags {
  to: string;
  inventory: string;
  sshKey?: string;
  dryRun?: boolean;
  extraVars?: Record<string, unknown>;
}

export function register(program: Command): void {
  program
    .command('upgrade')
    .description(
      "Kubernetes upgrade in kubeadm's order, one node at a time: the first master (kubeadm upgrade plan/apply), the other masters, the workers (kubeadm upgrade node); one minor at a time; stops at the first failure, a re-run resumes there",
    )
    .requiredOption('--to <x.y.z>', 'the Kubernetes version to upgrade to (the same minor or the next one)', version)
    .option('-i, --inventory <file>', 'inventory written by `pi-cluster discover`', 'pi-hosts')
    .option('--ssh-key <path>', 'private key (default: ssh.privateKey, else ~/.ssh/id_ed25519)')
    .option('--dry-run', 'read the version on the first master, then print the order, and each host’s commands; change nothing')
    .option('-e, --extra-vars <name=value>', 'an Ansible variable (repeatable), e.g. drain_timeout=600s', extraVar)
    .addHelpText(
      'after',
      examples([
        ['pi-cluster upgrade --to 1.35.2 --dry-run', 'the order and every command, touching nothing'],
        ['pi-cluster upgrade --to 1.35.2', 'after a failure, fix it and run the same command again'],
        ['pi-cluster upgrade --to 1.34.2', 'Alpine 3.22 (1.33) -> 3.23: a release upgrade of every node, one at a time'],
        ['pi-cluster etcd snapshot && pi-cluster upgrade --to 1.36.1', 'a backup first'],
      ]),
    )
    .action(async (flags: UpgradeFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { upgradeCommand } = await import('./action.js');
      await upgradeCommand({ ...flags, dryRun: Boolean(flags.dryRun), configPath: globals.config });
    });
}
