import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ClusterConfig } from '../config/schema.js';
import { CancelledError, UserError } from '../errors.js';
import type { Reporter } from '../events.js';
import { playbookArgv, runPlaybook, type AnsibleEvent, type PlaybookResult } from '../ansible/index.js';
import { readClusterInventory, type ClusterInventory as Inventory } from '../inventory/cluster.js';
import { LAYERS, findLayer, type Layer } from './layers.js';
import { runPhases, type Phase, type PhaseOutcome } from './phases.js';
import type { Finding } from '../findings.js';
import { stateDir as projectStateDir } from '../paths.js';
import { runPreflight, DEFAULT_POLICY, LAB_POLICY, type PreflightPolicy } from './preflight.js';
import {
  hashOf,
  layerDone,
  layerInputs,
  loadState,
  planLayers,
  saveState,
  type BootstrapState,
  type LayerInputs,
  type LayerPlan,
} from './state.js';
import { validateCluster, type ClusterCheck } from './validate.js';
import { extraVars } from './vars.js';

export interface BootstrapOptions {
  config: ClusterConfig;
  /** Project folder (holds pi-hosts and .pi-cluster/). */
  cwd: string;
  inventoryPath: string;
  privateKeyPath: string;
  /** Default: <cwd>/.pi-cluster/known_hosts, as discover writes it. */
  knownHostsPath?: string;
  from?: string;
  only?: string;
  /** Stop after this layer. */
  to?: string;
  dryRun: boolean;
  /** Default: one per host, at most 50. */
  forks?: number;
  kubeVersion?: string;
  /** Extra Ansible variables (the lab sets pi_cluster_lab). */
  extraVars?: Record<string, unknown>;
  preflightPolicy?: PreflightPolicy;
  skipPreflight?: boolean;
  /** Check the cluster with kubectl after the control plane (default true). */
  validate?: boolean;
  report: Reporter;
  /** Asked before a layer that repartitions cards and reboots hosts (20-disk); no answer = yes. */
  confirm?: (question: string) => Promise<boolean>;
  /**
   * Live Ansible events with the layer they belong to and the hosts its playbook works on (the command draws
   * the per-host view).
   */
  onAnsibleEvent?: (layer: Layer, event: AnsibleEvent, hosts: string[]) => void;
  signal?: AbortSignal;
  /** --allow-ssh-overrides: accept ansible_connection / ansible_ssh_*_args in pi-hosts. */
  allowSshOverrides?: boolean;
}

export interface BootstrapResult {
  plan: LayerPlan[];
  outcomes: PhaseOutcome[];
  findings: Finding[];
  checks: ClusterCheck[];
  /** Dry run: the commands that would run. */
  commands: string[][];
  logDir: string;
  /** Dry run: what the real run needs that is missing now (a known_hosts file, an SSH key). */
  needs: string[];
}

interface Ctx {
  options: BootstrapOptions;
  inventory: Inventory;
  state: BootstrapState;
  stateDir: string;
  logDir: string;
  inputsHash: string;
  inputs: LayerInputs;
  vars: Record<string, unknown>;
  knownHosts: string;
  forks: number;
  findings: Finding[];
  checks: ClusterCheck[];
  commands: string[][];
  runStamp: string;
  needs: string[];
}

/** `pi-cluster bootstrap`: preflight over SSH, then the Ansible layers as phases, resumable through state.json. */
export async function bootstrap(options: BootstrapOptions): Promise<BootstrapResult> {
  const { only: selected, from, to } = layerSelection(options);
  const ctx = await context(options);
  const plan = planLayers(LAYERS, ctx.state, ctx.inputs, { from, only: selected, to });
  const phases: Array<Phase<Ctx>> = [preflightPhase(), ...plan.map((item) => layerPhase(item)), validatePhase()];
  const outcomes = await runPhases(phases, ctx, { dryRun: options.dryRun, report: options.report, signal: options.signal });
  return { plan, outcomes, findings: ctx.findings, checks: ctx.checks, commands: ctx.commands, logDir: ctx.logDir, needs: ctx.needs };
}

/** --only, --from and --to as layer ids; conflicting or empty values are refused before anything is read. */
export function layerSelection(flags: { only?: string; from?: string; to?: string }): { only?: string; from?: string; to?: string } {
  for (const flag of ['only', 'from', 'to'] as const) {
    const value = flags[flag];
    if (value !== undefined && value.trim() === '')
      throw new UserError(`--${flag} is empty`, {
        hint: `name a layer, e.g. --${flag} 30-node; layers: ${LAYERS.map((l) => l.id).join(', ')}`,
      });
  }
  if (flags.only !== undefined && (flags.from !== undefined || flags.to !== undefined)) {
    throw new UserError(`--only cannot be combined with ${flags.from !== undefined ? '--from' : '--to'}`, {
      hint: 'use --only LAYER for one layer, or --from/--to for a span',
    });
  }
  const only = flags.only === undefined ? undefined : layerId(flags.only, '--only');
  const from = flags.from === undefined ? undefined : layerId(flags.from, '--from');
  const to = flags.to === undefined ? undefined : layerId(flags.to, '--to');
  if (from && to && LAYERS.findIndex((l) => l.id === to) < LAYERS.findIndex((l) => l.id === from)) {
    throw new UserError(`--to ${to} comes before --from ${from}: no layer would run`, { hint: `swap them: --from ${to} --to ${from}` });
  }
  return { only, from, to };
}

function layerId(name: string, flag: string): string {
  const layer = findLayer(name);
  if (!layer) throw new UserError(`${flag} ${name}: no such layer`, { hint: `layers: ${LAYERS.map((l) => l.id).join(', ')}` });
  return layer.id;
}

async function context(options: BootstrapOptions): Promise<Ctx> {
  const stateDir = projectStateDir(options.cwd);
  const inventory = await readClusterInventory(resolve(options.cwd, options.inventoryPath), {
    allowConnectionOverrides: options.allowSshOverrides,
  });
  const knownHosts = resolve(options.cwd, options.knownHostsPath ?? join(stateDir, 'known_hosts'));
  const needs: string[] = [];
  if (!existsSync(knownHosts) && options.dryRun) {
    needs.push(`the host keys in ${knownHosts} (run \`pi-cluster discover\`: it records them)`);
  } else if (!existsSync(knownHosts)) {
    throw new UserError(`no known hosts file at ${knownHosts}`, {
      hint: 'run `pi-cluster discover` first: it records the host keys bootstrap checks',
    });
  }
  const vars = extraVars({ config: options.config, stateDir, kubeVersion: options.kubeVersion, extra: options.extraVars });
  const state = await loadState(stateDir);
  const runStamp = new Date().toISOString().replace(/[:.]/g, '-');
  const inputs = layerInputs(inventory, vars);
  return {
    options,
    inventory,
    state,
    stateDir,
    logDir: join(stateDir, 'logs'),
    inputsHash: inputs.inputsHash,
    inputs,
    vars,
    knownHosts,
    forks: options.forks ?? Math.min(50, Math.max(1, inventory.hosts.length)),
    findings: [],
    checks: [],
    commands: [],
    runStamp,
    needs,
  };
}

function preflightPhase(): Phase<Ctx> {
  return {
    title: 'preflight: SSH checks of every host',
    shouldRun: (ctx) => !ctx.options.skipPreflight,
    dryRun: async (ctx) => [
      `ssh (strict host keys: ${ctx.knownHosts}) to ${ctx.inventory.hosts.map((h) => `${h.name}@${h.address}`).join(', ')}: read arch, memory, MAC, clock, free space, cgroups, power and heat, page size, and time 20 small fsyncs (a file it removes)`,
    ],
    run: async (ctx) => {
      const done = {
        prepare: Boolean(ctx.state.layers['10-prepare']),
        disk: Boolean(ctx.state.layers['20-disk']),
        node: Boolean(ctx.state.layers['30-node']),
      };
      const result = await runPreflight({
        hosts: ctx.inventory.hosts,
        privateKeyPath: ctx.options.privateKeyPath,
        knownHostsPath: ctx.knownHosts,
        done,
        interfaceName: ctx.options.config.network.interface,
        kubeVersion: ctx.options.kubeVersion ?? ctx.options.config.kubernetes.version,
        policy: ctx.options.preflightPolicy ?? (ctx.options.extraVars?.pi_cluster_lab === true ? LAB_POLICY : DEFAULT_POLICY),
      });
      ctx.findings.push(...result.findings);
      for (const f of result.findings.filter((x) => x.severity === 'warn'))
        ctx.options.report({ kind: 'warn', host: f.host, message: f.problem, hint: f.fix });
      const failures = result.findings.filter((f) => f.severity === 'fail');
      if (failures.length) {
        throw new UserError(
          `preflight found ${failures.length} problem${failures.length > 1 ? 's' : ''}:\n${failures.map((f) => `${f.host}: ${f.problem}\n  fix: ${f.fix}`).join('\n')}`,
          {
            hint: 'fix the hosts above and run `pi-cluster bootstrap` again (nothing was changed)',
          },
        );
      }
      ctx.options.report({
        kind: 'info',
        message: `preflight: ${ctx.inventory.hosts.length} hosts ok in ${(result.ms / 1000).toFixed(1)} s`,
      });
    },
  };
}

function layerPhase(item: LayerPlan): Phase<Ctx> {
  const { layer } = item;
  const logFile = (ctx: Ctx, suffix = '') => join(ctx.logDir, `${ctx.runStamp}-${layer.id}${suffix}.log`);
  const run = (ctx: Ctx) => ({
    playbook: layer.playbook,
    inventory: ctx.inventory.path,
    privateKey: ctx.options.privateKeyPath,
    knownHosts: ctx.knownHosts,
    forks: ctx.forks,
    extraVars: ctx.vars,
    logFile: logFile(ctx),
    cwd: ctx.options.cwd,
    signal: ctx.options.signal,
    limit: item.limit?.join(','),
  });
  /** Only hosts were added: the hosts done already learn of them (everyHost), nothing else touches them. */
  const everyHost = (ctx: Ctx) =>
    layer.everyHost && item.limit?.length && item.done?.length
      ? { ...run(ctx), playbook: layer.everyHost.playbook, limit: item.done.join(','), logFile: logFile(ctx, '-every-host') }
      : undefined;
  const hostsOf = (ctx: Ctx) => item.limit ?? ctx.inventory.hosts.map((h) => h.name);
  return {
    title: `${layer.id}: ${layer.title}`,
    shouldRun: () => item.run,
    prepare: async (ctx) => {
      if (layer.id !== '20-disk' || !ctx.options.confirm || item.limit?.length === 0) return;
      const hosts = hostsOf(ctx).join(', ');
      const yes = await ctx.options.confirm(
        `20-disk partitions the free space of the cards of diskless Alpine hosts (${hosts}) and reboots them. Continue?`,
      );
      if (!yes) throw new CancelledError('Cancelled before 20-disk: nothing was changed by this layer');
    },
    dryRun: async (ctx) => {
      if (item.limit?.length === 0) return [`${item.reason}: no playbook runs; recorded as done for them`];
      const argv = playbookArgv({ ...run(ctx), extraVarsFile: join(ctx.logDir, `${layer.id}.vars.json`) });
      ctx.commands.push(argv);
      const lines = [`${item.reason}; hosts: ${hostsOf(ctx).join(', ')}`, argv.join(' ')];
      const every = everyHost(ctx);
      if (every) {
        const everyArgv = playbookArgv({ ...every, extraVarsFile: join(ctx.logDir, `${layer.id}-every-host.vars.json`) });
        ctx.commands.push(everyArgv);
        lines.push(
          `then ${layer.everyHost!.what} on ${item.done!.join(', ')} (they learn ${item.added!.join(', ')}):`,
          everyArgv.join(' '),
        );
      }
      return lines;
    },
    run: async (ctx) => {
      if (item.limit?.length === 0) {
        ctx.state.layers[layer.id] = layerDone(ctx.inputs, { changed: 0, ranOn: [] });
        await saveState(ctx.stateDir, ctx.state);
        ctx.options.report({ kind: 'info', message: `${layer.id}: ${item.reason}` });
        return;
      }
      if (item.limit) ctx.options.report({ kind: 'info', message: `${layer.id}: ${item.reason}` });
      ctx.state.running = { layer: layer.id, startedAt: new Date().toISOString(), pid: process.pid };
      await saveState(ctx.stateDir, ctx.state);
      let changed = 0;
      const ranOn = new Set<string>();
      for (const spec of [run(ctx), everyHost(ctx)]) {
        if (!spec) continue;
        const hosts = spec.limit ? spec.limit.split(',') : hostsOf(ctx);
        const result: PlaybookResult = await runPlaybook({
          ...spec,
          onEvent: (event) => ctx.options.onAnsibleEvent?.(layer, event, hosts),
        });
        await failed(ctx, result, spec.logFile);
        changed += Object.values(result.recap).reduce((n, h) => n + h.changed, 0);
        for (const host of Object.keys(result.recap)) ranOn.add(host);
      }
      ctx.state.layers[layer.id] = layerDone(ctx.inputs, { changed, ranOn: [...ranOn] });
      ctx.state.inputsHash = ctx.inputsHash;
      ctx.state.inventoryHash = hashOf(ctx.inventory.text);
      ctx.state.configHash = hashOf(ctx.vars);
      delete ctx.state.running;
      delete ctx.state.lastFailure;
      await saveState(ctx.stateDir, ctx.state);
      ctx.options.report({ kind: 'info', message: `${layer.id}: done (${changed} changed)` });
    },
  };

  /** Records a stopped or failed playbook and throws the error that says how to resume. */
  async function failed(ctx: Ctx, result: PlaybookResult, log: string): Promise<void> {
    if (result.interrupted) {
      delete ctx.state.running;
      ctx.state.lastFailure = { layer: layer.id, message: 'stopped by the user (Ctrl-C or a signal)', at: new Date().toISOString() };
      await saveState(ctx.stateDir, ctx.state);
      throw new CancelledError(`Stopped during ${layer.id}; \`pi-cluster bootstrap\` resumes at ${layer.id} (log: ${log})`);
    }
    if (result.exitCode === 0) return;
    const first = result.failures[0];
    ctx.state.lastFailure = {
      layer: layer.id,
      host: first?.host,
      task: first?.task,
      message: first?.message,
      at: new Date().toISOString(),
    };
    await saveState(ctx.stateDir, ctx.state);
    // 00-preflight fails once, listing every problem (one per line, host and fix in each): show them all.
    const where = !first
      ? `ansible-playbook exited with ${result.exitCode}`
      : layer.id === '00-preflight' && first.status === 'failed'
        ? first.message.trim()
        : `${first.host} failed in task "${first.task}"${first.status === 'unreachable' ? ' (unreachable)' : ''}: ${firstLine(first.message)}`;
    throw new UserError(`layer ${layer.id} failed: ${where}`, {
      hint: `full log: ${log}; fix the cause, then \`pi-cluster bootstrap\` resumes at ${layer.id} (or \`--only ${layer.id}\`)`,
    });
  }
}

function validatePhase(): Phase<Ctx> {
  const kubeconfig = (ctx: Ctx) => join(ctx.stateDir, 'kubeconfig');
  return {
    title: 'validate: kubectl against the new cluster',
    shouldRun: (ctx) => ctx.options.validate !== false && Boolean(ctx.state.layers['40-control-plane']) && existsSync(kubeconfig(ctx)),
    dryRun: async (ctx) => [`kubectl --kubeconfig ${kubeconfig(ctx)} get --raw /readyz; get nodes; get pods -n kube-system`],
    run: async (ctx) => {
      ctx.checks.push(
        ...(await validateCluster(
          kubeconfig(ctx),
          ctx.inventory.hosts.map((h) => h.name),
        )),
      );
      const failed = ctx.checks.filter((c) => !c.ok);
      if (failed.length) {
        throw new UserError(`the cluster is not healthy: ${failed.map((c) => `${c.title}: ${c.detail}`).join('; ')}`, {
          hint: `try \`kubectl --kubeconfig ${kubeconfig(ctx)} get pods -A\`; re-run \`pi-cluster bootstrap --from 40-control-plane\` after fixing`,
        });
      }
    },
  };
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim()) ?? '').slice(0, 300);
}
