import { resolve } from 'node:path';
import { canPrompt } from '../../cli/context.js';
import { UserError } from '../../errors.js';
import { checkPrivateKeyPath } from '../../remote/keys.js';
import { createLayerRenderer } from '../../ui/layer-progress.js';
import { keyAndConfig } from '../ssh-key.js';

export interface ResetCommandOptions {
  configPath?: string;
  inventory: string;
  sshKey?: string;
  yes: boolean;
  dryRun: boolean;
  keepEtcdBackups?: boolean;
  color: boolean;
  verbose: boolean;
}

export async function resetCommand(options: ResetCommandOptions): Promise<void> {
  const { config, privateKey } = await keyAndConfig(options.configPath, options.sshKey);
  const { reset } = await import('../../bootstrap/reset.js');
  const { readClusterInventory } = await import('../../inventory/cluster.js');
  const inventory = await readClusterInventory(resolve(process.cwd(), options.inventory));
  if (!options.dryRun) checkPrivateKeyPath(privateKey);
  if (!options.yes && !options.dryRun) {
    if (!canPrompt()) throw new UserError('reset needs confirmation', { hint: 're-run with --yes to reset without a prompt' });
    const { confirmYes } = await import('../../ui/prompts.js');
    const names = inventory.hosts.map((h) => h.name).join(', ');
    if (!(await confirmYes(`Run kubeadm reset on ${names}? The cluster and its data (etcd) are deleted.`, false))) {
      const { CancelledError } = await import('../../errors.js');
      throw new CancelledError('Reset cancelled: nothing was changed');
    }
  }
  const ui = createLayerRenderer(options.color, options.verbose);
  const hosts = inventory.hosts.map((h) => h.name);
  const layer = { id: '90-reset', title: 'reset', playbook: '90-reset.yml' };
  const result = await reset({
    config,
    cwd: process.cwd(),
    inventoryPath: options.inventory,
    privateKeyPath: privateKey,
    dryRun: options.dryRun,
    keepEtcdBackups: options.keepEtcdBackups,
    report: (event) => ui.event(event),
    onAnsibleEvent: (event) => ui.ansible(layer, hosts, event),
  });
  ui.finish();
  if (options.dryRun) process.stdout.write(`Dry run: nothing was changed. Would run:\n  ${result.command.join(' ')}\n`);
}
