/**
 * What `pi-cluster patch` and `pi-cluster upgrade` share in front of the rolling runner (src/rolling): the
 * project (config, pi-hosts, SSH key, known_hosts), the cluster's playbook variables, the progress lines
 * (each starting with the host's name) and the --dry-run listing.
 */
import { resolve } from 'node:path';
import { defaultKnownHosts } from '../ansible/index.js';
import { extraVars as clusterVars } from '../bootstrap/vars.js';
import type { ClusterConfig } from '../config/schema.js';
import type { StageEvent } from '../events.js';
import { readClusterInventory, type ClusterInventory } from '../inventory/cluster.js';
import { stateDir as stateDirOf } from '../paths.js';
import { runRolling, type RollingOutcome, type RollingPlan } from '../rolling/runner.js';
import { configForDryRun, keyAndConfig } from './ssh-key.js';

export interface RollingCommandOptions {
  inventory: string;
  configPath?: string;
  sshKey?: string;
  dryRun: boolean;
  /** `-e name=value`: the lab's switch (pi_cluster_lab=true) and role settings. */
  extraVars?: Record<string, unknown>;
  cwd?: string;
  write?: (text: string) => void;
}

/** What a plan may read before it is made: the project, and how to reach its hosts. */
export interface RollingContext {
  config: ClusterConfig;
  inventory: ClusterInventory;
  privateKey: string;
  knownHosts: string;
  lab: boolean;
}

export async function rollingCommand(
  options: RollingCommandOptions,
  makePlan: (context: RollingContext) => RollingPlan | Promise<RollingPlan>,
): Promise<RollingOutcome> {
  const cwd = options.cwd ?? process.cwd();
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const { config, privateKey } = options.dryRun
    ? await configForDryRun(options.configPath, options.sshKey, cwd)
    : await keyAndConfig(options.configPath, options.sshKey, cwd);
  const inventory = await readClusterInventory(resolve(cwd, options.inventory));
  const stateDir = stateDirOf(cwd);
  const lab = options.extraVars?.pi_cluster_lab === true;
  const knownHosts = defaultKnownHosts(cwd);
  const plan = await makePlan({ config, inventory, privateKey, knownHosts, lab });
  const outcome = await runRolling({
    plan,
    inventoryPath: inventory.path,
    cwd,
    stateDir,
    knownHostsPath: knownHosts,
    privateKeyPath: privateKey,
    extraVars: clusterVars({ config, stateDir, extra: options.extraVars }),
    lab,
    dryRun: options.dryRun,
    report: (event) => write(progressLine(event)),
  });
  write(options.dryRun ? dryRunListing(plan, outcome, lab) : summary(plan, outcome));
  return outcome;
}

function progressLine(event: StageEvent): string {
  const who = 'host' in event && event.host ? `${event.host}: ` : '';
  if (event.kind === 'step') return `${who}${event.step}${event.detail ? ` (${event.detail})` : ''}\n`;
  if (event.kind === 'progress') return '';
  return `${who}${event.message}\n`;
}

/** Every host in order with its playbook command and what it runs there; lines about a host start with its name. */
export function dryRunListing(plan: RollingPlan, outcome: RollingOutcome, lab: boolean): string {
  const roles = new Map(plan.hosts.map((h) => [h.name, h.role === 'masters' ? 'master' : 'worker']));
  const lines = [
    `Dry run: nothing was changed. ${plan.command} takes one host at a time, in this order: ${outcome.hosts.map((h) => h.host).join(', ')}`,
    `preflight (every host answers${lab ? '' : '; the masters are Ready and etcd is healthy'}): ${outcome.preflight}`,
  ];
  outcome.hosts.forEach((h, i) => {
    lines.push(`${h.host} (${roles.get(h.host)}, ${i + 1} of ${outcome.hosts.length}): ${h.command}`);
    for (const step of h.steps) {
      const where = step.on && step.on !== h.host ? ` (on ${step.on})` : '';
      lines.push(`${h.host}:   ${step.title}${where}${lab && step.kubernetes ? ' [skipped on the lab: needs Kubernetes]' : ''}`);
      lines.push(...step.commands.map((c) => `${h.host}:       ${c}`));
    }
  });
  return `${lines.join('\n')}\n`;
}

function summary(plan: RollingPlan, outcome: RollingOutcome): string {
  const ran = outcome.hosts.filter((h) => h.status === 'ran').map((h) => h.host);
  const before = outcome.hosts.filter((h) => h.status === 'done-before').map((h) => h.host);
  return `${plan.command}: done on ${ran.length ? ran.join(', ') : 'no host'}${before.length ? ` (done before: ${before.join(', ')})` : ''}\n`;
}
