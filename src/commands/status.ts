import type { Command } from 'commander';
import type { GlobalOptions } from '../cli/context.js';
import { examples } from './help.js';

interface StatusFlags {
  inventory: string;
  sshKey?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('status')
    .description('one read-only look at the cluster: each Pi (power, heat, clock, swap, card fsync latency), certificates, nodes, backups')
    .option('-i, --inventory <file>', 'Ansible inventory written by discover', 'pi-hosts')
    .option('--ssh-key <path>', 'private key (default: ssh.privateKey, else ~/.ssh/id_ed25519)')
    .option('--json', 'print the facts and findings as JSON')
    .addHelpText(
      'after',
      examples([['pi-cluster status', 'exit code 1 when something needs action'], ["pi-cluster status --json | jq '.findings'"]]),
    )
    .action(async (flags: StatusFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const [
        { resolve },
        { loadConfig },
        { resolveSshKeys },
        { readClusterInventory },
        { stateDir },
        { clusterStatus },
        ui,
        { useColor },
        { UserError },
      ] = await Promise.all([
        import('node:path'),
        import('../config/load.js'),
        import('../config/ssh-keys.js'),
        import('../inventory/cluster.js'),
        import('../paths.js'),
        import('../status/status.js'),
        import('../ui/status.js'),
        import('../ui/style.js'),
        import('../errors.js'),
      ]);
      const { config } = await loadConfig({ explicitPath: globals.config });
      const inventory = await readClusterInventory(resolve(flags.inventory));
      const privateKeyPath = flags.sshKey ? resolve(flags.sshKey) : resolveSshKeys(config)?.privateKey;
      if (!privateKeyPath) throw new UserError('no SSH key to log in to the Pis with', { hint: 'pass the key you flashed with --ssh-key' });
      const state = stateDir();
      const status = await clusterStatus({
        hosts: inventory.hosts,
        privateKeyPath,
        knownHostsPath: resolve(state, 'known_hosts'),
        stateDir: state,
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      } else {
        const color = useColor(globals.color);
        process.stdout.write(
          `${ui.hostsTable(status)}\n\n${ui.clusterLines(status).join('\n')}\n\n${ui.findingLines(status, color).join('\n')}\n`,
        );
      }
      // Non-zero when something needs action, so scripts and cron can alert on it.
      if (status.findings.length) {
        const failing = status.findings.filter((f) => f.severity === 'fail').length;
        throw new UserError(
          `${status.findings.length} thing${status.findings.length === 1 ? ' needs' : 's need'} action (${failing} failing, ${status.findings.length - failing} warnings)`,
          { hint: 'each is listed above with its fix' },
        );
      }
    });
}
