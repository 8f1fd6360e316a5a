/**
 * One node at a time: a per-host playbook run with `--limit HOST` for each host in the given order, each
 * finished host saved in `.pi-cluster/<command>.json` before the next starts, the first failure stops the
 * run naming the host and the task, and the same command again resumes at that host. A preflight playbook
 * over all the hosts runs first (every host answers; the control plane is healthy). Generic: `patch` and
 * `upgrade` are two plans for it (what playbook, which hosts in which order, what each host's steps are).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCommand, playbookCommand, runPlaybook, type AnsibleEvent, type PlaybookSpec } from '../ansible/index.js';
import { UserError } from '../errors.js';
import type { Reporter } from '../events.js';
import type { ClusterHost } from '../inventory/cluster.js';
import { loadRollingState, rollingStatePath, saveRollingState, type RollingState } from './state.js';

/** One thing the per-host playbook does, as a user could check it: a title and the commands it runs. */
export interface RollingStep {
  title: string;
  /** Commands run on the host, or on `on` (the first master, for kubectl). */
  commands: string[];
  on?: string;
  /** Needs Kubernetes (kubectl, kubeadm, a kubelet): skipped on the virtual lab. */
  kubernetes?: boolean;
}

export interface RollingPlan {
  /** Names the state file (.pi-cluster/<command>.json) and the logs. */
  command: string;
  /** What the saved progress is for: a run with other inputs starts afresh. */
  inputs: Record<string, string>;
  /** The hosts in the order they roll. */
  hosts: ClusterHost[];
  /** The per-host playbook (run with --limit HOST). */
  playbook: string;
  /** Extra variables for one host's run, on top of the cluster's. */
  hostVars?: (host: ClusterHost, index: number) => Record<string, unknown>;
  /** What the playbook does on a host, for --dry-run. */
  steps: (host: ClusterHost, index: number) => RollingStep[];
  /** After every host finished, the next run starts over (patch) rather than reporting all done (upgrade). */
  restartWhenComplete?: boolean;
}

export interface RollingOptions {
  plan: RollingPlan;
  inventoryPath: string;
  cwd: string;
  stateDir: string;
  knownHostsPath?: string;
  privateKeyPath?: string;
  /** The cluster-wide playbook variables (and the lab's switches). */
  extraVars: Record<string, unknown>;
  /** Virtual lab: the Kubernetes steps are skipped (the playbooks read pi_cluster_lab themselves). */
  lab: boolean;
  dryRun: boolean;
  report: Reporter;
  /** The playbook that checks every host before the first is touched. */
  preflightPlaybook?: string;
  onAnsibleEvent?: (host: string, event: AnsibleEvent) => void;
}

export interface RollingHostOutcome {
  host: string;
  status: 'done-before' | 'ran' | 'dry-run';
  /** The ansible-playbook command of this host, as a user could type it. */
  command: string;
  steps: RollingStep[];
}

export interface RollingOutcome {
  /** The preflight's command (every host, before the first change). */
  preflight: string;
  hosts: RollingHostOutcome[];
}

export const PREFLIGHT_PLAYBOOK = 'rolling-preflight.yml';

export async function runRolling(options: RollingOptions): Promise<RollingOutcome> {
  const { plan } = options;
  const spec = (playbook: string, limit: string, extra: Record<string, unknown> = {}): PlaybookSpec => ({
    playbook,
    inventory: options.inventoryPath,
    cwd: options.cwd,
    knownHosts: options.knownHostsPath,
    privateKey: options.privateKeyPath,
    extraVars: { ...options.extraVars, ...extra },
    limit,
  });
  const allHosts = plan.hosts.map((h) => h.name).join(',');
  const preflightSpec = spec(options.preflightPlaybook ?? PREFLIGHT_PLAYBOOK, allHosts);
  const hostSpecs = plan.hosts.map((host, i) => spec(plan.playbook, host.name, plan.hostVars?.(host, i)));
  const printed = (s: PlaybookSpec) => formatCommand(playbookCommand(s));

  if (options.dryRun) {
    return {
      preflight: printed(preflightSpec),
      hosts: plan.hosts.map((host, i) => ({
        host: host.name,
        status: 'dry-run',
        command: printed(hostSpecs[i]),
        steps: plan.steps(host, i),
      })),
    };
  }

  let state = await loadRollingState(options.stateDir, plan.command, plan.inputs);
  if (plan.restartWhenComplete && plan.hosts.every((h) => state.done[h.name])) state = { ...state, done: {}, lastFailure: undefined };
  const resumeAt = plan.hosts.find((h) => !state.done[h.name]);
  if (resumeAt && Object.keys(state.done).length > 0)
    options.report({
      kind: 'info',
      host: resumeAt.name,
      message: `resuming ${plan.command} here (done before: ${Object.keys(state.done).join(', ')})`,
    });

  if (resumeAt) {
    options.report({
      kind: 'info',
      message: `preflight: every host answers${options.lab ? '' : ', the masters are Ready and etcd is healthy'}`,
    });
    await runOne(options, 'preflight', preflightSpec, (result) => {
      const first = result.failures[0];
      return new UserError(
        `preflight refused to start ${plan.command}${first ? `: ${first.host}: ${first.status === 'unreachable' ? 'unreachable' : `"${first.task}"`}: ${firstLine(first.message)}` : ''}`,
        { hint: `nothing was changed; fix it and run the same command again (log: ${logFile(options, 'preflight')})` },
      );
    });
  }

  const outcomes: RollingHostOutcome[] = [];
  for (const [i, host] of plan.hosts.entries()) {
    const outcome = { host: host.name, command: printed(hostSpecs[i]), steps: plan.steps(host, i) };
    if (state.done[host.name]) {
      outcomes.push({ ...outcome, status: 'done-before' });
      continue;
    }
    options.report({ kind: 'info', host: host.name, message: `${plan.command}: started (${i + 1} of ${plan.hosts.length})` });
    await runOne(options, host.name, hostSpecs[i], async (result) => {
      const first = result.failures.find((f) => f.host === host.name) ?? result.failures[0];
      // No failed task: ansible-playbook itself stopped (a playbook error); its words are in the log.
      const task = first?.task ?? 'ansible-playbook';
      state.lastFailure = {
        host: host.name,
        task,
        message: first ? firstLine(first.message) : `stopped with exit ${result.exitCode} before a task failed (the log says why)`,
        at: new Date().toISOString(),
      };
      await saveRollingState(options.stateDir, state);
      return new UserError(`${host.name}: ${plan.command} failed in "${task}": ${state.lastFailure.message}`, {
        hint: `the hosts after ${host.name} were not touched; full log: ${logFile(options, host.name)}; fix it and run the same command again: it resumes at ${host.name}`,
      });
    });
    state.done[host.name] = new Date().toISOString();
    delete state.lastFailure;
    await saveRollingState(options.stateDir, state);
    options.report({ kind: 'info', host: host.name, message: `${plan.command}: done` });
    outcomes.push({ ...outcome, status: 'ran' });
  }
  return { preflight: printed(preflightSpec), hosts: outcomes };
}

type Failed = Awaited<ReturnType<typeof runPlaybook>>;

function logFile(options: RollingOptions, name: string): string {
  return join(options.stateDir, 'logs', `${options.plan.command}-${name}.log`);
}

async function runOne(
  options: RollingOptions,
  name: string,
  spec: PlaybookSpec,
  failure: (result: Failed) => UserError | Promise<UserError>,
) {
  const log = logFile(options, name);
  await rm(log, { force: true });
  const result = await runPlaybook({
    ...spec,
    logFile: log,
    onEvent: (event) => {
      if (event.event === 'result' && event.status !== 'skipped')
        options.report({ kind: 'step', step: event.task, host: event.host, detail: event.status });
      options.onAnsibleEvent?.(name, event);
    },
  });
  if (result.exitCode !== 0) throw await failure(result);
}

function firstLine(message: string): string {
  return message.trim().split('\n')[0] ?? '';
}

export { rollingStatePath, type RollingState };
