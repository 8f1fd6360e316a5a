import { resolve } from 'node:path';
import { canPrompt } from '../../cli/context.js';
import { loadConfig } from '../../config/load.js';
import { resolveSshKeys } from '../../config/ssh-keys.js';
import { UserError } from '../../errors.js';
import { checkPrivateKeyPath } from '../../remote/keys.js';
import type { StageEvent } from '../../events.js';
import { paint, useColor } from '../../ui/style.js';
import type { AnsibleEvent } from '../../ansible/index.js';
import type { Layer } from '../../bootstrap/layers.js';
import { LayerProgress } from '../../bootstrap/progress.js';

export interface BootstrapCommandOptions {
  configPath?: string;
  inventory: string;
  from?: string;
  only?: string;
  to?: string;
  dryRun: boolean;
  forks?: number;
  kubeVersion?: string;
  sshKey?: string;
  yes: boolean;
  /** Ansible variables from `-e name=value`. */
  extraVars?: Record<string, unknown>;
  /** --allow-ssh-overrides: accept ansible_connection / ansible_ssh_*_args in pi-hosts. */
  allowSshOverrides?: boolean;
  color: boolean;
  verbose: boolean;
}

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

const NO_KEY_HINT = 'pass --ssh-key, set ssh.privateKey in pi-cluster.yaml, or run `pi-cluster init --generate-key`';

async function keyAndConfig(configPath: string | undefined, sshKey: string | undefined) {
  const { config } = await loadConfig({ explicitPath: configPath });
  const privateKey = sshKey ?? resolveSshKeys(config)?.privateKey;
  if (!privateKey) throw new UserError('no SSH key found', { hint: NO_KEY_HINT });
  return { config, privateKey: resolve(privateKey) };
}

/** A dry run shows the plan without a key: the key is then one of the things the real run needs. */
async function configForDryRun(configPath: string | undefined, sshKey: string | undefined) {
  const { config } = await loadConfig({ explicitPath: configPath });
  const privateKey = sshKey ?? resolveSshKeys(config)?.privateKey;
  return privateKey
    ? { config, privateKey: resolve(privateKey), needs: [] }
    : { config, privateKey: '(no SSH key)', needs: [`an SSH private key (${NO_KEY_HINT})`] };
}

/** Draws stage events and the live per-host view of the running layer. */
function terminal(color: boolean, verbose: boolean) {
  const out = process.stdout;
  const live = Boolean(out.isTTY) && process.env.TERM !== 'dumb';
  const colored = useColor(color);
  let view: LayerProgress | undefined;
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const clear = () => {
    if (live && drawn) out.write(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    timer = undefined;
    if (!view || !live) return;
    clear();
    const lines = view.lines(Math.max(40, (out.columns ?? 100) - 1));
    out.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  return {
    event(event: StageEvent) {
      clear();
      if (event.kind === 'step') out.write(`${paint('bold', `==> ${event.step}`, colored)}${event.detail ? ` (${event.detail})` : ''}\n`);
      else if (event.kind === 'info') out.write(`${event.host ? `${event.host}: ` : ''}${event.message}\n`);
      else if (event.kind === 'warn') out.write(`${paint('yellow', 'warn', colored)} ${event.host ? `${event.host}: ` : ''}${event.message}${event.hint ? `\n     fix: ${event.hint}` : ''}\n`);
      else if (event.kind === 'debug' && verbose) out.write(`${event.host ? `${event.host}: ` : ''}${event.message}\n`);
      draw();
    },
    ansible(layer: Layer, hosts: string[], event: AnsibleEvent) {
      if (!view || view.layer !== layer.id) {
        if (timer) clearTimeout(timer);
        draw();
        drawn = 0; // keep the previous layer's final view on screen
        view = new LayerProgress(layer.id, hosts);
      }
      view.apply(event);
      if (!live && event.event === 'result' && (event.status === 'failed' || event.status === 'unreachable')) {
        out.write(`${event.host}: ${event.status} in "${event.task}": ${event.message.split('\n')[0]}\n`);
      }
      if (event.event === 'recap') draw();
      else if (live && !timer) timer = setTimeout(draw, 100);
    },
    finish() {
      if (timer) clearTimeout(timer);
      draw();
      drawn = 0;
    },
  };
}

export async function bootstrapCommand(options: BootstrapCommandOptions): Promise<void> {
  const { bootstrap, layerSelection } = await import('../../bootstrap/run.js');
  layerSelection(options); // conflicting flags are refused before anything is read
  const { config, privateKey, needs } = options.dryRun
    ? await configForDryRun(options.configPath, options.sshKey)
    : { ...(await keyAndConfig(options.configPath, options.sshKey)), needs: [] as string[] };
  const { readClusterInventory } = await import('../../inventory/cluster.js');
  const cwd = process.cwd();
  const hosts = (await readClusterInventory(resolve(cwd, options.inventory), { allowConnectionOverrides: options.allowSshOverrides })).hosts.map((h) => h.name);
  if (!options.dryRun) checkPrivateKeyPath(privateKey); // a folder or a missing key: said before any connection
  const ui = terminal(options.color, options.verbose);
  const confirm = options.yes || options.dryRun
    ? undefined
    : async (question: string) => {
        if (!canPrompt()) throw new UserError(`${question.split('.')[0]}: confirmation needed`, { hint: 're-run with --yes to confirm without a prompt' });
        const { confirmYes } = await import('../../ui/prompts.js');
        return confirmYes(question, true);
      };
  try {
    const result = await bootstrap({
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
      onAnsibleEvent: (layer, event) => ui.ansible(layer, hosts, event),
    });
    ui.finish();
    if (options.dryRun) {
      process.stdout.write('Dry run: nothing was changed. Would run:\n');
      for (const outcome of result.outcomes.filter((o) => o.status === 'dry-run')) process.stdout.write(`  ${outcome.title}\n${(outcome.plan ?? []).map((line) => `      ${line}`).join('\n')}\n`);
      for (const item of result.plan.filter((p) => !p.run)) process.stdout.write(`  skip ${item.layer.id}: ${item.reason}\n`);
      const missing = [...needs, ...result.needs];
      if (missing.length) process.stdout.write(`The real run also needs:\n${missing.map((m) => `  - ${m}`).join('\n')}\n`);
      return;
    }
    for (const check of result.checks) process.stdout.write(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.title}: ${check.detail}\n`);
    const ran = result.outcomes.filter((o) => o.status === 'ran' && /^\d\d-/.test(o.title)).length;
    process.stdout.write(ran === 0 ? 'Nothing to do: every layer is done for these hosts and settings (use --from or --only to run one again).\n' : `Done. Logs: ${result.logDir}\n`);
    if (result.checks.length) {
      process.stdout.write(`kubectl: context "${config.cluster.name}" in ~/.kube/config, or --kubeconfig .pi-cluster/kubeconfig\n`
        + 'Nodes become Ready once the pod network is installed: run `make apply` next.\n');
    }
  } finally {
    ui.finish();
  }
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
  const ui = terminal(options.color, options.verbose);
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
