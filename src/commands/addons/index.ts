import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import { collect } from '../flags.js';
import { examples } from '../help.js';

export function register(program: Command): void {
  const addons = program
    .command('addons')
    .description(
      'Terraform add-ons (`make apply`): write the variables Terraform reads from pi-cluster.yaml and pi-hosts, check the pinned charts and images',
    )
    .addHelpText(
      'after',
      examples([
        ['pi-cluster addons tfvars --json', 'what Terraform would get'],
        ['pi-cluster addons check', 'every chart, image and provider pin, upstream'],
        ['make apply', 'checks the pins, writes the variables, then terraform init/apply'],
      ]),
    );

  addons
    .command('tfvars')
    .description(
      'write terraform/cluster.auto.tfvars.json from pi-cluster.yaml and pi-hosts, and generate missing add-on passwords into terraform/secrets/ (mode 0600)',
    )
    .option('-i, --inventory <file>', 'inventory written by `pi-cluster discover`', 'pi-hosts')
    .option('--terraform-dir <dir>', 'Terraform root module', 'terraform')
    .option('--kubeconfig <file>', 'kubeconfig (default: .pi-cluster/kubeconfig, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the one named after the cluster)')
    .option('--json', 'print the variables as JSON instead of writing files (generates no passwords)')
    .addHelpText(
      'after',
      examples([
        ['pi-cluster addons tfvars', '`make apply` runs this first'],
        ['pi-cluster addons tfvars --json', 'see what Terraform would get'],
        ['TF_VAR_grafana_admin_password=... make apply', 'your own password instead of a generated one'],
      ]),
    )
    .action(async (flags: TfvarsFlags, command: Command) => {
      const { config: configPath } = command.optsWithGlobals<GlobalOptions>();
      const { addonsTfvarsCommand } = await import('./tfvars.js');
      const ensureBackupKey = async (cwd: string) => (await import('../../etcd/backup-key.js')).ensureBackupKey(cwd);
      await addonsTfvarsCommand({ ...flags, inventoryPath: flags.inventory, json: Boolean(flags.json), configPath, ensureBackupKey });
    });

  addons
    .command('check')
    .description(
      'check every pin of terraform/pins.yaml upstream before Terraform runs: chart versions in their repositories, linux/arm64 images in their registries, provider versions (`make plan`/`make apply` run this first)',
    )
    .option('--terraform-dir <dir>', 'Terraform root module (holds pins.yaml)', 'terraform')
    .option('--pins <file>', 'another pins file than <terraform-dir>/pins.yaml')
    .option('--json', 'print the results as JSON')
    .option('--timeout <seconds>', 'seconds a request may go without progress', '10')
    .option(
      '--override <origin=url>',
      'ask a mirror instead of an origin (repeatable), e.g. https://ghcr.io=https://ghcr.mirror.lan; also PI_CLUSTER_PIN_OVERRIDES',
      collect,
      [],
    )
    .option('--skip-check', 'check nothing (as SKIP_CHECK=1)')
    .addHelpText(
      'after',
      examples([
        ['pi-cluster addons check', 'one line per problem, with its fix'],
        ['pi-cluster addons check --json', 'for scripts'],
        ['make apply SKIP_CHECK=1', 'run Terraform without the check'],
      ]),
    )
    .action(
      async (flags: { terraformDir: string; pins?: string; json?: boolean; timeout: string; override: string[]; skipCheck?: boolean }) => {
        const { addonsCheckCommand } = await import('./check.js');
        await addonsCheckCommand({
          terraformDir: flags.terraformDir,
          pinsFile: flags.pins,
          json: Boolean(flags.json),
          timeoutSeconds: Number(flags.timeout),
          overrides: flags.override,
          skip: Boolean(flags.skipCheck),
        });
      },
    );
}

interface TfvarsFlags {
  inventory: string;
  terraformDir: string;
  kubeconfig?: string;
  context?: string;
  json?: boolean;
}
