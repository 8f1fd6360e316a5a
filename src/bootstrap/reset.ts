import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ClusterConfig } from '../config/schema.js';
import { UserError } from '../errors.js';
import { stateDir as projectStateDir } from '../paths.js';
import type { Reporter } from '../events.js';
import { playbookArgv, runPlaybook, type AnsibleEvent } from '../ansible/index.js';
import { readClusterInventory } from '../inventory/cluster.js';
import { RESET_PLAYBOOK } from './layers.js';
import { loadState, saveState } from './state.js';
import { removeClusterFromKubeconfig, defaultUserKubeconfig } from './user-kubeconfig.js';
import { extraVars } from './vars.js';

export interface ResetOptions {
  config: ClusterConfig;
  cwd: string;
  inventoryPath: string;
  privateKeyPath: string;
  knownHostsPath?: string;
  dryRun?: boolean;
  extraVars?: Record<string, unknown>;
  report: Reporter;
  /** Keep the etcd snapshots and the data restores kept aside on the nodes (they hold Secrets in plain text). */
  keepEtcdBackups?: boolean;
  /** The user's kubeconfig that bootstrap merged the cluster into (default ~/.kube/config). */
  userKubeconfig?: string;
  onAnsibleEvent?: (event: AnsibleEvent) => void;
}

/** Layers whose work `kubeadm reset` undoes: the state forgets them, the node layers stay done. */
const UNDONE = ['40-control-plane', '50-workers', '60-post'];

/** `pi-cluster reset`: kubeadm reset and clean-up on every node; state.json follows. Confirmation is the command's job. */
export async function reset(options: ResetOptions): Promise<{ command: string[]; logFile?: string }> {
  const stateDir = projectStateDir(options.cwd);
  const inventory = await readClusterInventory(resolve(options.cwd, options.inventoryPath));
  const knownHosts = resolve(options.cwd, options.knownHostsPath ?? join(stateDir, 'known_hosts'));
  if (!existsSync(knownHosts)) throw new UserError(`no known hosts file at ${knownHosts}`, { hint: 'run `pi-cluster discover` first' });
  const logFile = join(stateDir, 'logs', `${new Date().toISOString().replace(/[:.]/g, '-')}-reset.log`);
  const run = {
    playbook: RESET_PLAYBOOK,
    inventory: inventory.path,
    privateKey: options.privateKeyPath,
    knownHosts,
    forks: Math.min(50, inventory.hosts.length),
    extraVars: extraVars({
      config: options.config,
      stateDir,
      extra: { reset_keep_etcd_backups: Boolean(options.keepEtcdBackups), ...options.extraVars },
    }),
    logFile,
    cwd: options.cwd,
    onEvent: options.onAnsibleEvent,
  };
  const command = playbookArgv({ ...run, extraVarsFile: join(stateDir, 'logs', 'reset.vars.json') });
  if (options.dryRun) return { command };
  const result = await runPlaybook(run);
  if (result.exitCode !== 0) {
    const first = result.failures[0];
    throw new UserError(`reset failed${first ? ` on ${first.host} in "${first.task}": ${first.message.split('\n')[0]}` : ''}`, {
      hint: `full log: ${logFile}; fix the host and run \`pi-cluster reset\` again`,
    });
  }
  const state = await loadState(stateDir);
  for (const id of UNDONE) delete state.layers[id];
  delete state.running;
  delete state.lastFailure;
  await saveState(stateDir, state);
  const merged = options.extraVars?.pi_cluster_user_kubeconfig;
  const userKubeconfig = options.userKubeconfig ?? (typeof merged === 'string' ? merged : defaultUserKubeconfig());
  const { removed } = await removeClusterFromKubeconfig(userKubeconfig, options.config.cluster.name);
  if (removed.length) options.report({ kind: 'info', message: `removed from ${userKubeconfig}: ${removed.join(', ')}` });
  options.report({
    kind: 'info',
    message: `reset ${inventory.hosts.length} nodes; the next \`pi-cluster bootstrap\` starts at 40-control-plane`,
  });
  return { command, logFile };
}
