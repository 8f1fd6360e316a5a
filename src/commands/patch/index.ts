import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import { extraVar } from '../flags.js';
import { examples } from '../help.js';

interface PatchFlags {
  inventory: string;
  sshKey?: string;
  dryRun?: boolean;
  extraVars?: Record<string, unknown>;
}

export function register(program: Command): void {
  program
    .command('patch')
    .description(
      'operating system updates, one node at a time, masters first: drain, upgrade the packages, reboot if the kernel changed, wait Ready, uncordon; stops at the first failure, a re-run resumes there',
    )
    .option('-i, --inventory <file>', 'inventory written by `pi-cluster discover`', 'pi-hosts')
    .option('--ssh-key <path>', 'private key (default: ssh.privateKey, else ~/.ssh/id_ed25519)')
    .option('--dry-run', 'print the order, and each host’s playbook command and steps; change nothing')
    .option('-e, --extra-vars <name=value>', 'an Ansible variable (repeatable), e.g. drain_timeout=600s', extraVar)
    .addHelpText(
      'after',
      examples([
        ['pi-cluster patch --dry-run', 'the order and every command, touching nothing'],
        ['pi-cluster patch', 'roll the updates; after a failure, fix it and run it again'],
        ['pi-cluster patch -e drain_timeout=900s', 'give slow pods longer to leave'],
        ['pi-cluster patch -e pi_cluster_lab=true', 'the virtual lab: no Kubernetes steps, no downloads, no reboot'],
      ]),
    )
    .action(async (flags: PatchFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { patchCommand } = await import('./action.js');
      await patchCommand({ ...flags, dryRun: Boolean(flags.dryRun), configPath: globals.config });
    });
}
