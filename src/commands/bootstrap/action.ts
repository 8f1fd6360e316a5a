import { resolve } from 'node:path';
import type { BootstrapOptions } from '../../bootstrap/bootstrap.js';
import { canPrompt } from '../../cli/context.js';
import { UserError } from '../../errors.js';
import { checkPrivateKeyPath } from '../../remote/keys.js';
import { createLayerRenderer } from '../../ui/layer-progress.js';
import { configForDryRun, keyAndConfig } from '../ssh-key.js';

/** The flags: bootstrap's own options as the user gives them, plus where the config, inventory and key are. */
export interface BootstrapCommandOptions extends Pick<
  BootstrapOptions,
  'from' | 'only' | 'to' | 'dryRun' | 'forks' | 'kubeVersion' | 'extraVars' | 'allowSshOverrides'
> {
  configPath?: string;
  inventory: string;
  sshKey?: string;
  yes: boolean;
  color: boolean;
  verbose: boolean;
}

export async function bootstrapCommand(options: BootstrapCommandOptions): Promise<void> {
  const { bootstrap, layerSelection } = await import('../../bootstrap/bootstrap.js');
  layerSelection(options); // conflicting flags are refused before anything is read
  const { config, privateKey, needs } = options.dryRun
    ? await configForDryRun(options.configPath, options.sshKey)
    : { ...(await keyAndConfig(options.configPath, options.sshKey)), needs: [] as string[] };
  const { readClusterInventory } = await import('../../inventory/cluster.js');
  const cwd = process.cwd();
  // pi-hosts is checked before anything else (bootstrap reads it again)
  await readClusterInventory(resolve(cwd, options.inventory), { allowConnectionOverrides: options.allowSshOverrides });
  if (!options.dryRun) checkPrivateKeyPath(privateKey); // a folder or a missing key: said before any connection
  const ui = createLayerRenderer(options.color, options.verbose);
  const confirm =
    options.yes || options.dryRun
      ? undefined
      : async (question: string) => {
          if (!canPrompt())
            throw new UserError(`${question.split('.')[0]}: confirmation needed`, {
              hint: 're-run with --yes to confirm without a prompt',
            });
          const { confirmYes } = await import('../../ui/prompts.js');
          return confirmYes(question, true);
        };
  // Ctrl-C (or SIGTERM/SIGHUP) stops the Ansible run under way and records where; a second one ends at once.
  const interrupt = new AbortController();
  const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!interrupt.signal.aborted) return interrupt.abort();
    for (const s of stopSignals) process.off(s, onSignal);
    process.kill(process.pid, signal);
  };
  for (const signal of stopSignals) process.on(signal, onSignal);
  try {
    const result = await bootstrap({
      signal: interrupt.signal,
      config,
      cwd,
      inventoryPath: options.inventory,
      privateKeyPath: privateKey,
      from: options.from,
      only: options.only,
      to: options.to,
      dryRun: options.dryRun,
      forks: options.forks,
      kubeVersion: options.kubeVersion,
      extraVars: options.extraVars,
      allowSshOverrides: options.allowSshOverrides,
      report: (event) => ui.event(event),
      confirm,
      onAnsibleEvent: (layer, event, layerHosts) => ui.ansible(layer, layerHosts, event),
    });
    ui.finish();
    if (options.dryRun) {
      process.stdout.write('Dry run: nothing was changed. Would run:\n');
      for (const outcome of result.outcomes.filter((o) => o.status === 'dry-run'))
        process.stdout.write(`  ${outcome.title}\n${(outcome.plan ?? []).map((line) => `      ${line}`).join('\n')}\n`);
      for (const item of result.plan.filter((p) => !p.run)) process.stdout.write(`  skip ${item.layer.id}: ${item.reason}\n`);
      const missing = [...needs, ...result.needs];
      if (missing.length) process.stdout.write(`The real run also needs:\n${missing.map((m) => `  - ${m}`).join('\n')}\n`);
      return;
    }
    for (const check of result.checks) process.stdout.write(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.title}: ${check.detail}\n`);
    const ran = result.outcomes.filter((o) => o.status === 'ran' && /^\d\d-/.test(o.title)).length;
    process.stdout.write(
      ran === 0
        ? 'Nothing to do: every layer is done for these hosts and settings (use --from or --only to run one again).\n'
        : `Done. Logs: ${result.logDir}\n`,
    );
    if (result.checks.length) {
      process.stdout.write(
        `kubectl: context "${config.cluster.name}" in ~/.kube/config, or --kubeconfig .pi-cluster/kubeconfig\n` +
          'Nodes become Ready once the pod network is installed: run `make apply` next.\n',
      );
    }
  } finally {
    for (const signal of stopSignals) process.off(signal, onSignal);
    ui.finish();
  }
}
