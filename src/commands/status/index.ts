import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import { examples } from '../help.js';

interface StatusFlags {
  inventory: string;
  sshKey?: string;
  json?: boolean;
  watch?: boolean | string;
}

export function register(program: Command): void {
  program
    .command('status')
    .description('one read-only look at the cluster: each Pi (power, heat, clock, swap, card fsync latency), certificates, nodes, backups')
    .option('-i, --inventory <file>', 'Ansible inventory written by discover', 'pi-hosts')
    .option('--ssh-key <path>', 'private key (default: ssh.privateKey, else ~/.ssh/id_ed25519)')
    .option('--json', 'print the facts and findings as JSON (with --watch: one document per line per round)')
    .option('--watch [seconds]', 'look again every N seconds (default 5) over the same SSH connections, until Ctrl-C')
    .addHelpText(
      'after',
      examples([
        ['pi-cluster status', 'exit code 1 when something needs action'],
        ["pi-cluster status --json | jq '.findings'"],
        ['pi-cluster status --watch', 'redraw every 5 s; Ctrl-C ends it (exit code 0)'],
        ["pi-cluster status --watch 10 --json | jq -c '.hosts[] | [.name, .facts.temperatureC]'", 'one JSON line per round'],
      ]),
    )
    .action(async (flags: StatusFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { statusCommand, parseWatch } = await import('./action.js');
      await statusCommand({
        inventoryPath: flags.inventory,
        sshKey: flags.sshKey,
        json: Boolean(flags.json),
        watchSeconds: flags.watch === undefined ? undefined : parseWatch(flags.watch),
        configPath: globals.config,
        color: globals.color,
      });
    });
}
