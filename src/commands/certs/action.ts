/**
 * The actions behind `pi-cluster certs check` and `pi-cluster certs renew`: load the project (pi-cluster.yaml,
 * pi-hosts, the SSH key), run the stage (src/certs/) and print its result.
 */
import { resolve } from 'node:path';
import type { GlobalOptions } from '../../cli/context.js';
import { loadConfig } from '../../config/load.js';
import { resolveSshKeys } from '../../config/ssh-keys.js';
import { CancelledError, UserError } from '../../errors.js';
import { readClusterInventory } from '../../inventory/cluster.js';
import { stateDir } from '../../paths.js';
import type { CertsFlags } from './index.js';

async function project(flags: CertsFlags, globals: GlobalOptions, needKey: boolean) {
  const { config } = await loadConfig({ explicitPath: globals.config });
  const inventory = await readClusterInventory(resolve(flags.inventory));
  const privateKeyPath = flags.sshKey ? resolve(flags.sshKey) : resolveSshKeys(config)?.privateKey;
  if (!privateKeyPath && needKey)
    throw new UserError('no SSH key to log in to the Pis with', { hint: 'pass the key you flashed with --ssh-key' });
  const state = stateDir();
  return { config, inventory, privateKeyPath: privateKeyPath ? resolve(privateKeyPath) : '(no SSH key)', state };
}

export async function certsCheck(flags: CertsFlags, globals: GlobalOptions): Promise<void> {
  const [{ checkCertificates }, ui, { useColor }] = await Promise.all([
    import('../../certs/check.js'),
    import('../../ui/certs.js'),
    import('../../ui/style.js'),
  ]);
  const { inventory, privateKeyPath, state } = await project(flags, globals, true);
  if (!inventory.masters.length) throw new UserError(`${flags.inventory} lists no [masters]`, { hint: 'run `pi-cluster discover`' });
  const check = await checkCertificates({
    masters: inventory.masters,
    privateKeyPath,
    knownHostsPath: resolve(state, 'known_hosts'),
    localKubeconfig: resolve(state, 'kubeconfig'),
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(check, null, 2)}\n`);
  } else {
    const color = useColor(globals.color);
    process.stdout.write(`${ui.certificatesTable(check, color)}\n\n${ui.findingLines(check, color).join('\n')}\n`);
  }
  // Non-zero when something needs action, as `pi-cluster status`: cron and scripts can alert on it.
  if (check.findings.length) {
    const failing = check.findings.filter((f) => f.severity === 'fail').length;
    throw new UserError(
      `${check.findings.length} certificate finding${check.findings.length === 1 ? '' : 's'} (${failing} failing, ${check.findings.length - failing} warnings)`,
      { hint: 'each is listed above with its fix' },
    );
  }
}

export async function certsRenew(flags: CertsFlags, globals: GlobalOptions): Promise<void> {
  const [{ renewCertificates }, { extraVars }, ui, { canPrompt }, { confirmYes }] = await Promise.all([
    import('../../certs/renew.js'),
    import('../../bootstrap/vars.js'),
    import('../../ui/certs.js'),
    import('../../cli/context.js'),
    import('../../ui/prompts.js'),
  ]);
  const dryRun = Boolean(flags.dryRun);
  const { config, inventory, privateKeyPath, state } = await project(flags, globals, !dryRun);
  if (!dryRun && !flags.yes) {
    const question = `Renew the control-plane certificates on ${inventory.masters.map((m) => m.name).join(', ')}, one at a time? Each master's API server restarts (about a minute).`;
    if (!canPrompt())
      throw new UserError('a renewal restarts the control plane and there is no terminal to ask on', {
        hint: 'pass --yes to renew without asking',
      });
    if (!(await confirmYes(question, false))) throw new CancelledError('renewal cancelled; nothing was changed');
  }
  const outcomes = await renewCertificates({
    inventory,
    cwd: process.cwd(),
    stateDir: state,
    privateKeyPath,
    knownHostsPath: resolve(state, 'known_hosts'),
    clusterVars: { ...extraVars({ config, stateDir: state }), ...flags.extraVar },
    dryRun,
    report: (event) => process.stdout.write(`${'message' in event ? event.message : JSON.stringify(event)}\n`),
  });
  process.stdout.write(`${ui.renewLines(outcomes, dryRun).join('\n')}\n`);
}
