import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import { extraVar } from '../flags.js';
import { examples } from '../help.js';

interface NodeRemoveFlags {
  inventory: string;
  sshKey?: string;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
  extraVars?: Record<string, unknown>;
}

export function register(program: Command): void {
  const node = program
    .command('node')
    .description('nodes in and out: `node remove NAME` (adding one: flash, `pi-cluster discover`, `pi-cluster bootstrap`)')
    .addHelpText(
      'after',
      examples([
        ['pi-cluster discover && pi-cluster bootstrap', 'add a Pi: the layers run only for the new host'],
        ['pi-cluster node remove pi3'],
      ]),
    );

  node
    .command('remove')
    .description(
      'take a Pi out: kubectl drain, kubectl delete node, etcdctl member remove for a master (refused when it would lose quorum), kubeadm reset on it, its /etc/hosts line dropped on the others, then mark it removed in pi-hosts; resumable',
    )
    .argument('<name>', 'the host, as named in pi-hosts')
    .option('-i, --inventory <file>', 'Ansible inventory written by discover', 'pi-hosts')
    .option('--ssh-key <path>', 'private key (default: ssh.privateKey, else ~/.ssh/id_ed25519)')
    .option('--dry-run', 'print every step, host change and Kubernetes command; change nothing')
    .option('--force', 'the host is dead: remove it from the cluster and pi-hosts without drain and reset')
    .option('-y, --yes', 'do not ask for confirmation')
    .option(
      '-e, --extra-vars <name=value>',
      'an Ansible variable for the reset (repeatable); pi_cluster_lab=true skips the Kubernetes steps',
      extraVar,
    )
    .addHelpText(
      'after',
      examples([
        ['pi-cluster node remove pi3 --dry-run', 'every step and command, nothing changed'],
        ['pi-cluster node remove pi3'],
        ['pi-cluster node remove pi3 --force', 'a Pi that died: no drain, no reset'],
        ['pi-cluster node remove pi3', 'again after a failure: resumes at the step that failed'],
      ]),
    )
    .action(async (name: string, flags: NodeRemoveFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { nodeRemoveCommand } = await import('./action.js');
      await nodeRemoveCommand({
        name,
        inventory: flags.inventory,
        sshKey: flags.sshKey,
        dryRun: Boolean(flags.dryRun),
        yes: Boolean(flags.yes),
        force: Boolean(flags.force),
        extraVars: flags.extraVars,
        configPath: globals.config,
      });
    });
}
