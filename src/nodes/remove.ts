/**
 * `pi-cluster node remove NAME`: take one Pi out of the cluster, in the order Kubernetes and etcd document
 * (kubectl drain, kubectl delete node, etcdctl member remove for a master), then `kubeadm reset` and the
 * clean-up on the host (the reset layer, --limit NAME), then the hosts that stay drop its /etc/hosts line, then
 * mark it removed in pi-hosts. Each step records itself in .pi-cluster/node-remove-NAME.json when done; a re-run
 * starts at the first step not done. Steps marked `kubernetes` need the cluster: on the virtual lab (`lab`)
 * they are shown and skipped.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatCommand, playbookCommand, runPlaybook, type AnsibleEvent, type PlaybookSpec } from '../ansible/index.js';
import { writeFileAtomic } from '../atomic-file.js';
import { UserError } from '../errors.js';
import type { Reporter } from '../events.js';
import { clusterHosts, type ClusterHost } from '../inventory/cluster.js';
import { removedHosts } from '../inventory/ini.js';
import { markRemoved } from '../inventory/removed.js';
import { KnownHosts, loadPrivateKey, SshError, withSession } from '../remote/index.js';
import { etcdctl, KUBECTL, membersWithHealth } from './etcdctl.js';
import { memberRemoval, type EtcdMember } from './quorum.js';
import { loadRemoveState, removeStatePath, resumeFrom, saveRemoveState, type RemoveState } from './remove-state.js';

/** The reset layer (ansible/playbooks/90-reset.yml): kubeadm reset and the clean-up, here for one host. */
const RESET_PLAYBOOK = '90-reset.yml';
/** The /etc/hosts block of every node (the node role's hosts.yml), here without the host leaving. */
const HOSTS_PLAYBOOK = 'node-hosts.yml';

export interface RemoveOptions {
  name: string;
  cwd: string;
  /** pi-hosts, relative to cwd. */
  inventoryPath: string;
  stateDir: string;
  privateKeyPath: string;
  knownHostsPath: string;
  /** The cluster-wide playbook variables (bootstrap's, from pi-cluster.yaml), the lab's switches included. */
  clusterVars: Record<string, unknown>;
  dryRun: boolean;
  /** The host is dead: go on without it (no drain, no reset), remove it from the cluster and pi-hosts. */
  force?: boolean;
  /** Virtual lab: the Kubernetes steps are shown and skipped. */
  lab?: boolean;
  report: Reporter;
  onAnsibleEvent?: (event: AnsibleEvent) => void;
  connectTimeoutMs?: number;
  now?: () => Date;
}

export interface RemoveStep {
  id: string;
  title: string;
  kubernetes: boolean;
  /** What the step runs: shell commands on a master (through SSH), playbooks, the pi-hosts change. */
  commands: string[];
  /** Why this step does nothing this time (a dead host with --force). */
  skip?: string;
  run: () => Promise<void>;
}

export interface RemoveOutcome {
  step: string;
  status: 'done-before' | 'ran' | 'dry-run' | 'skipped-lab' | 'skipped';
  commands: string[];
  note?: string;
}

export interface RemoveResult {
  name: string;
  role?: 'masters' | 'workers';
  /** The checks made before any step, as lines. */
  checks: string[];
  outcomes: RemoveOutcome[];
  /** Removed before this run (its marker is in pi-hosts): nothing ran. */
  alreadyRemoved?: { date: string; line: number };
}

interface Plan {
  host: ClusterHost;
  /** The master whose kubectl runs the Kubernetes steps (the first master that stays). */
  runner: ClusterHost;
  /** Every host of pi-hosts but the one leaving: they drop its /etc/hosts line. */
  staying: ClusterHost[];
  reachable: boolean;
  member?: EtcdMember;
}

export async function removeNode(options: RemoveOptions): Promise<RemoveResult> {
  const inventoryFile = resolve(options.cwd, options.inventoryPath);
  const text = await readInventory(inventoryFile);
  const cluster = clusterHosts(text, inventoryFile);
  const saved = await loadRemoveState(options.stateDir, options.name);
  const host = cluster.hosts.find((h) => h.name === options.name);
  if (!host) {
    const gone = removedHosts(text).find((h) => h.name === options.name);
    if (gone) {
      options.report({
        kind: 'info',
        host: options.name,
        message: `${options.name}: removed already (${options.inventoryPath}:${gone.line}, ${gone.date})`,
      });
      return { name: options.name, role: saved?.role, checks: [], outcomes: [], alreadyRemoved: { date: gone.date, line: gone.line } };
    }
    throw new UserError(`${options.name} is not in ${options.inventoryPath}`, {
      hint: `hosts: ${cluster.hosts.map((h) => h.name).join(', ') || 'none'}`,
    });
  }
  const role = host.role;
  const others = cluster.masters.filter((m) => m.name !== host.name);
  if (role === 'masters' && others.length === 0) {
    throw new UserError(`${host.name} is the last master: removing it deletes the cluster`, {
      hint: 'add another master first, or take the whole cluster down with `pi-cluster reset`',
    });
  }
  if (host.name === cluster.masters[0]?.name && !options.clusterVars.pi_cluster_control_plane_endpoint) {
    throw new UserError(`${host.name} is the first master: the nodes reach the API server at its address`, {
      hint: 'set kubernetes.controlPlaneEndpoint (an address that moves, e.g. kube-vip) before removing it, or remove another master',
    });
  }
  const runner = others[0] ?? cluster.masters[0];
  const state: RemoveState = resumeFrom(saved, host.name, role);
  const plan: Plan = { host, runner, staying: cluster.hosts.filter((h) => h.name !== host.name), reachable: true };
  const checks = await preflight(options, plan, state);
  const steps = removeSteps(options, plan, state, inventoryFile);

  if (options.dryRun) {
    return {
      name: host.name,
      role,
      checks,
      outcomes: steps.map((s) => ({
        step: s.id,
        status: state.done[s.id] ? 'done-before' : options.lab && s.kubernetes ? 'skipped-lab' : s.skip ? 'skipped' : 'dry-run',
        commands: s.commands,
        note: s.skip,
      })),
    };
  }
  const outcomes: RemoveOutcome[] = [];
  for (const step of steps) {
    if (state.done[step.id]) {
      outcomes.push({ step: step.id, status: 'done-before', commands: step.commands });
      continue;
    }
    if ((options.lab && step.kubernetes) || step.skip) {
      const note = step.skip ?? 'virtual lab: needs Kubernetes';
      options.report({ kind: 'info', host: host.name, message: `${host.name}: skip ${step.id} (${note})` });
      outcomes.push({ step: step.id, status: step.skip ? 'skipped' : 'skipped-lab', commands: step.commands, note });
      continue;
    }
    options.report({ kind: 'step', step: `${step.id}: ${step.title}`, host: host.name });
    try {
      await step.run();
    } catch (error) {
      state.lastFailure = { step: step.id, message: (error as Error).message, at: new Date().toISOString() };
      await saveRemoveState(options.stateDir, state);
      if (error instanceof UserError) throw error;
      throw new UserError(`${host.name}: ${step.id} failed: ${(error as Error).message}`, {
        hint: `fix it and run \`pi-cluster node remove ${host.name}\` again: it resumes at ${step.id}`,
      });
    }
    state.done[step.id] = new Date().toISOString();
    delete state.lastFailure;
    await saveRemoveState(options.stateDir, state);
    outcomes.push({ step: step.id, status: 'ran', commands: step.commands });
  }
  options.report({
    kind: 'info',
    host: host.name,
    message: `${host.name}: removed (state: ${removeStatePath(options.stateDir, host.name)})`,
  });
  return { name: host.name, role, checks, outcomes };
}

async function readInventory(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UserError(`inventory ${path} does not exist`, {
        hint: 'run `pi-cluster node remove` in the project folder, or pass --inventory FILE',
      });
    throw error;
  }
}

/** Reachability of the host (and of the master that runs kubectl), etcd's quorum for a master. Dry run: describes them. */
async function preflight(options: RemoveOptions, plan: Plan, state: RemoveState): Promise<string[]> {
  const { host, runner } = plan;
  const k8s = !options.lab;
  const quorumCheck = host.role === 'masters' && k8s && !state.done['etcd-member-remove'];
  const lines = [
    `${host.name} (${host.role}, ${host.address}) answers over SSH with its recorded host key${options.force ? ' (--force: a dead host is removed without drain and reset)' : ''}`,
    ...(k8s ? [`${runner.name} (${runner.address}) answers over SSH: its kubectl runs the Kubernetes steps`] : []),
    ...(quorumCheck
      ? [
          `etcd on ${runner.name}: ${etcdctl(runner.name, 'member list -w simple')}`,
          `etcd on ${runner.name}: ${etcdctl(runner.name, 'endpoint health --cluster -w simple')}`,
          `refuse when the members left would have fewer healthy than floor(members left / 2) + 1`,
        ]
      : []),
  ];
  if (options.dryRun) return lines;

  const knownHosts = await KnownHosts.load(options.knownHostsPath);
  const key = await loadPrivateKey(options.privateKeyPath);
  const session = { key, knownHosts, hostKeys: 'strict' as const, connectTimeoutMs: options.connectTimeoutMs ?? 8000 };
  const done = state.done['reset'] && state.done['drain'];
  if (!done) {
    try {
      await withSession({ name: host.name, address: host.address }, session, (s) => s.run('true'));
    } catch (error) {
      if (!(error instanceof SshError)) throw error;
      if (!options.force)
        throw new UserError(`${error.message}`, {
          hint: `bring ${host.name} back, or if it is dead for good: \`pi-cluster node remove ${host.name} --force\` (no drain, no reset)`,
        });
      plan.reachable = false;
      options.report({
        kind: 'warn',
        host: host.name,
        message: `${host.name}: not reachable; --force: removing it without drain and reset`,
      });
    }
  }
  if (!k8s) return lines;
  const onRunner = (command: string) => runOn(options, runner, command);
  await onRunner('true');
  if (quorumCheck) {
    const list = await onRunner(etcdctl(runner.name, 'member list -w simple'));
    const health = await runOn(options, runner, `${etcdctl(runner.name, 'endpoint health --cluster -w simple')} 2>&1 || true`);
    const verdict = memberRemoval(membersWithHealth(list, health), host.name);
    if (!verdict.ok) throw new UserError(`${host.name}: ${verdict.reason}`, { hint: verdict.hint });
    plan.member = verdict.member;
    options.report({ kind: 'info', host: host.name, message: `${host.name}: etcd: ${verdict.reason}` });
  }
  return lines;
}

/** Runs a command on a master through SSH; a non-zero exit is an error naming the master and the command. */
async function runOn(options: RemoveOptions, master: ClusterHost, command: string, timeoutMs = 60_000): Promise<string> {
  const knownHosts = await KnownHosts.load(options.knownHostsPath);
  const key = await loadPrivateKey(options.privateKeyPath);
  const result = await withSession(
    { name: master.name, address: master.address },
    { key, knownHosts, hostKeys: 'strict', connectTimeoutMs: options.connectTimeoutMs ?? 8000 },
    (s) => s.run(command, { timeoutMs }),
  );
  if (result.code !== 0) {
    const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-1)[0] ?? '';
    throw new Error(`on ${master.name}: \`${command.split(' -- ')[0]}...\` exited with ${result.code}: ${said}`);
  }
  return result.stdout;
}

export function removeSteps(options: RemoveOptions, plan: Plan, state: RemoveState, inventoryFile: string): RemoveStep[] {
  const { host, runner } = plan;
  const staying = plan.staying.map((h) => h.name);
  const on = (command: string) => `ssh root@${runner.name}: ${command}`;
  const drain = `${KUBECTL} drain ${host.name} --ignore-daemonsets --delete-emptydir-data --timeout=300s`;
  const deleteNode = `${KUBECTL} delete node ${host.name} --ignore-not-found`;
  const dead = plan.reachable ? undefined : `${host.name} is not reachable (--force)`;
  const reset: PlaybookSpec = {
    playbook: RESET_PLAYBOOK,
    inventory: inventoryFile,
    cwd: options.cwd,
    knownHosts: options.knownHostsPath,
    privateKey: options.privateKeyPath,
    extraVars: options.clusterVars,
    limit: host.name,
    forks: 1,
  };
  const forget: PlaybookSpec = {
    ...reset,
    playbook: HOSTS_PLAYBOOK,
    extraVars: { ...options.clusterVars, node_hosts_leaving: [host.name] },
    limit: staying.join(','),
    forks: undefined,
  };
  const steps: RemoveStep[] = [
    {
      id: 'drain',
      title: `move the pods off ${host.name}`,
      kubernetes: true,
      commands: [on(drain)],
      skip: dead && `${dead}: its pods move once the node is deleted`,
      run: async () => void (await runOn(options, runner, drain, 330_000)),
    },
    {
      id: 'delete-node',
      title: `delete the node ${host.name} from Kubernetes`,
      kubernetes: true,
      commands: [on(deleteNode)],
      run: async () => void (await runOn(options, runner, deleteNode)),
    },
  ];
  if ((state.role ?? host.role) === 'masters') {
    const id = plan.member?.id ?? `<ID of ${host.name} in the member list>`;
    steps.push({
      id: 'etcd-member-remove',
      title: `remove ${host.name} from etcd (from the etcd pod on ${runner.name})`,
      kubernetes: true,
      commands: [on(etcdctl(runner.name, 'member list -w simple')), on(etcdctl(runner.name, `member remove ${id}`))],
      run: async () => {
        if (!plan.member) {
          options.report({ kind: 'info', host: host.name, message: `${host.name}: no etcd member of that name; nothing to remove` });
          return;
        }
        await runOn(options, runner, etcdctl(runner.name, `member remove ${plan.member.id}`));
      },
    });
  }
  steps.push(
    {
      id: 'reset',
      title: `kubeadm reset and clean-up on ${host.name}`,
      kubernetes: false,
      commands: [formatCommand(playbookCommand(reset))],
      skip: dead,
      run: async () => {
        const logFile = join(options.stateDir, 'logs', `node-remove-${host.name}-reset.log`);
        const result = await runPlaybook({ ...reset, logFile, onEvent: options.onAnsibleEvent });
        if (result.exitCode !== 0) {
          const first = result.failures[0];
          throw new UserError(`${host.name}: reset failed${first ? ` in "${first.task}": ${first.message.split('\n')[0]}` : ''}`, {
            hint: `full log: ${logFile}; fix it and run \`pi-cluster node remove ${host.name}\` again: it resumes at reset`,
          });
        }
      },
    },
    {
      id: 'forget-hosts',
      title: `drop ${host.name} from /etc/hosts on ${staying.join(', ')}`,
      kubernetes: false,
      commands: [formatCommand(playbookCommand(forget))],
      run: async () => {
        const logFile = join(options.stateDir, 'logs', `node-remove-${host.name}-hosts.log`);
        const result = await runPlaybook({ ...forget, logFile, onEvent: options.onAnsibleEvent });
        if (result.exitCode === 0) return;
        const failed = result.failures.filter((f) => f.status !== 'unreachable');
        if (failed.length || result.interrupted || !result.failures.length) {
          const first = failed[0];
          throw new UserError(
            `${host.name}: updating /etc/hosts on the hosts that stay failed${first ? ` on ${first.host} in "${first.task}": ${first.message.split('\n')[0]}` : ''}`,
            {
              hint: `full log: ${logFile}; fix it and run \`pi-cluster node remove ${host.name}\` again: it resumes here`,
            },
          );
        }
        // A host that stays but is down (maybe the next one to remove) must not block this removal.
        const down = [...new Set(result.failures.map((f) => f.host))];
        const updated = staying.filter((name) => !down.includes(name));
        options.report({
          kind: 'warn',
          host: host.name,
          message: `${down.join(', ')} did not answer: ${down.length > 1 ? 'their' : 'its'} /etc/hosts still lists ${host.name} (updated: ${updated.join(', ') || 'none'}; log: ${logFile})`,
        });
      },
    },
    {
      id: 'mark-removed',
      title: `mark ${host.name} removed in ${options.inventoryPath}`,
      kubernetes: false,
      commands: [`${options.inventoryPath}: each line of ${host.name} becomes "# removed by pi-cluster DATE: <the line>"`],
      run: async () => {
        const current = await readFile(inventoryFile, 'utf8');
        const marked = markRemoved(current, host.name, options.now?.() ?? new Date());
        if (marked.lines.length) await writeFileAtomic(inventoryFile, marked.text);
        options.report({
          kind: 'info',
          host: host.name,
          message: `${host.name}: marked removed in ${options.inventoryPath} (line${marked.lines.length > 1 ? 's' : ''} ${marked.lines.join(', ')})`,
        });
      },
    },
  );
  return steps;
}
