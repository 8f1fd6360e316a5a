import type { Command } from 'commander';
import { examples } from './help.js';

export function register(program: Command): void {
  const addons = program
    .command('addons')
    .description('Terraform add-ons (`make apply`): write the variables Terraform reads from pi-cluster.yaml and pi-hosts')
    .addHelpText('after', examples([['pi-cluster addons tfvars --json', 'what Terraform would get'], ['make apply', 'writes the variables, then terraform init/apply']]));

  addons
    .command('tfvars')
    .description('write terraform/cluster.auto.tfvars.json from pi-cluster.yaml and pi-hosts, and generate missing add-on passwords into terraform/secrets/ (mode 0600)')
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
    .action(async (flags: { inventory: string; terraformDir: string; kubeconfig?: string; context?: string; json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<{ config?: string }>();
      const { addonsTfvarsCommand } = await import('../addons/tfvars-command.js');
      await addonsTfvarsCommand({
        configPath: globals.config,
        inventoryPath: flags.inventory,
        terraformDir: flags.terraformDir,
        kubeconfig: flags.kubeconfig,
        context: flags.context,
        json: Boolean(flags.json),
      });
    });
}
