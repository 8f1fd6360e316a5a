import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import type { BootstrapCommandOptions } from './action.js';
import { extraVar, positive, version } from '../flags.js';
import { examples } from '../help.js';

export function register(program: Command): void {
  program
    .command('bootstrap')
    .description('preflight over SSH, then the Ansible layers (00-preflight ... 60-post) to a kubeadm cluster; re-run to resume')
    .option('-i, --inventory <file>', 'Ansible inventory written by discover', 'pi-hosts')
    .option('--from <layer>', 'run this layer and all after it (e.g. 30-node or 30)')
    .option('--only <layer>', 'run just this layer')
    .option('--to <layer>', 'stop after this layer')
    .option('--dry-run', 'print the layers, hosts and commands; change nothing')
    .option('--forks <n>', 'hosts Ansible works on at once (default: all, up to 50)', positive('must be a whole number of 1 or more'))
    .option('--kube-version <x.y.z>', 'Kubernetes version (default: kubernetes.version, else the installed kubeadm)', version)
    .option('--ssh-key <path>', 'private key (default: ssh.privateKey, else ~/.ssh/id_ed25519)')
    .option('-y, --yes', 'do not ask before partitioning the cards (20-disk)')
    .option(
      '--allow-ssh-overrides',
      'accept ansible_connection and ansible_ssh_*_args in pi-hosts (refused by default: they change how hosts are reached)',
    )
    .option(
      '-e, --extra-vars <name=value>',
      'an Ansible variable for every layer (repeatable), e.g. containerd settings from ansible/roles/*/defaults',
      extraVar,
    )
    .addHelpText(
      'after',
      examples([
        ['pi-cluster bootstrap', 'all layers; skips what is done'],
        ['pi-cluster bootstrap -e pi_cluster_lab=true --to 30-node', 'the virtual lab (make demo): no hardware tasks'],
        ['pi-cluster bootstrap --dry-run'],
        ['pi-cluster discover && pi-cluster bootstrap', 'a new Pi: the layers run only for it'],
        ['pi-cluster bootstrap --from 30-node', 'again from a layer'],
        ['pi-cluster bootstrap --only 60-post'],
        ['pi-cluster bootstrap --kube-version 1.34.2 --yes'],
      ]),
    )
    .action(async (flags: BootstrapFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { bootstrapCommand } = await import('./action.js');
      // The flags keep their names; the switches become booleans, the global options join them.
      const switches = { dryRun: Boolean(flags.dryRun), yes: Boolean(flags.yes), allowSshOverrides: Boolean(flags.allowSshOverrides) };
      await bootstrapCommand({ ...flags, ...switches, configPath: globals.config, color: globals.color, verbose: globals.verbose });
    });
}

type BootstrapFlags = Omit<BootstrapCommandOptions, 'configPath' | 'color' | 'verbose' | 'dryRun' | 'yes' | 'allowSshOverrides'> & {
  dryRun?: boolean;
  yes?: boolean;
  allowSshOverrides?: boolean;
};
