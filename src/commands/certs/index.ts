import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import { extraVar } from '../flags.js';
import { examples } from '../help.js';

export interface CertsFlags {
  inventory: string;
  sshKey?: string;
  json?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  extraVar?: Record<string, unknown>;
}

export function register(program: Command): void {
  const certs = program
    .command('certs')
    .description("kubeadm's control-plane certificates (one year): check their expiry on every master, or renew them")
    .addHelpText(
      'after',
      examples([
        ['pi-cluster certs check', 'exit code 1 when one expires within 30 days'],
        ['pi-cluster certs renew --dry-run', 'every master, in order, and every command'],
      ]),
    );

  certs
    .command('check')
    .description(
      'expiry of every control-plane certificate, kubeconfig client certificate and CA on each master, read from the certificates',
    )
    .option('-i, --inventory <file>', 'inventory written by `pi-cluster discover`', 'pi-hosts')
    .option('--ssh-key <path>', 'private key (default: ssh.privateKey, else ~/.ssh/id_ed25519)')
    .option('--json', 'print the certificates and findings as JSON')
    .addHelpText(
      'after',
      examples([
        ['pi-cluster certs check', 'a table; exit code 1 when something needs action (under 30 days, expired)'],
        ["pi-cluster certs check --json | jq '.masters[].certificates[0]'", "each master's soonest"],
      ]),
    )
    .action(async (flags: CertsFlags, command: Command) => {
      const { certsCheck } = await import('./action.js');
      await certsCheck(flags, command.optsWithGlobals<GlobalOptions>());
    });

  certs
    .command('renew')
    .description(
      'kubeadm certs renew all on one master at a time, restart of its control-plane pods, wait for the API, new kubeconfig here; checks the new expiry; resumable',
    )
    .option('-i, --inventory <file>', 'inventory written by `pi-cluster discover`', 'pi-hosts')
    .option('--ssh-key <path>', 'private key (default: ssh.privateKey, else ~/.ssh/id_ed25519)')
    .option('--dry-run', 'print every master, in order, and the commands run there; change nothing')
    .option('-y, --yes', 'do not ask before restarting the control plane')
    .option('-e, --extra-var <name=value>', 'extra Ansible variable (repeatable), e.g. pi_cluster_lab=true', extraVar)
    .addHelpText(
      'after',
      examples([
        ['pi-cluster certs renew --dry-run', 'what would run, master by master'],
        ['pi-cluster certs renew --yes', 'no question asked; re-run after a failure resumes at the master that failed'],
        ['pi-cluster certs check', 'afterwards: the new expiry'],
      ]),
    )
    .action(async (flags: CertsFlags, command: Command) => {
      const { certsRenew } = await import('./action.js');
      await certsRenew(flags, command.optsWithGlobals<GlobalOptions>());
    });
}
