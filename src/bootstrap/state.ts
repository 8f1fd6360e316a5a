import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';
import { dirname, join } from 'node:path';
import type { Layer } from './layers.js';
import { shlexSplit, type Inventory } from '../inventory/ini.js';

/** `.pi-cluster/state.json`: which layers finished, and for which inputs. */
export interface BootstrapState {
  version: 1;
  /** Hash of the inventory text, the settings and the extra vars the layers ran with. */
  inputsHash?: string;
  inventoryHash?: string;
  configHash?: string;
  layers: Record<string, LayerDone>;
  /** The layer under way: left behind when a run is killed, so the next run says where it stopped. */
  running?: { layer: string; startedAt: string; pid: number };
  lastFailure?: { layer: string; host?: string; task?: string; message?: string; at: string };
}

/** A finished layer: for which inputs, and on which hosts. */
export interface LayerDone {
  doneAt: string;
  /** Hash of the whole inventory text and the settings (a state written before per-host records has only this). */
  inputsHash: string;
  changed?: number;
  /** Hash of everything but the host list: settings, inventory variables and groups, the first master. */
  settingsHash?: string;
  /** The hosts the layer is done for, each with the hash of its own pi-hosts lines. */
  hosts?: Record<string, string>;
  /** The hosts its last playbook run worked on (Ansible's recap). */
  ranOn?: string[];
}

/** What a layer's record is compared with: see layerInputs. */
export interface LayerInputs {
  inputsHash: string;
  settingsHash: string;
  /** Every host of pi-hosts with the hash of its lines, in file order. */
  hosts: Record<string, string>;
  firstMaster?: string;
  workers: string[];
}

export const emptyState = (): BootstrapState => ({ version: 1, layers: {} });

export function statePath(stateDir: string): string {
  return join(stateDir, 'state.json');
}

export async function loadState(stateDir: string): Promise<BootstrapState> {
  const path = statePath(stateDir);
  if (!existsSync(path)) return emptyState();
  try {
    const data = JSON.parse(await readFile(path, 'utf8')) as BootstrapState;
    return data && data.version === 1 && typeof data.layers === 'object' ? data : emptyState();
  } catch {
    return emptyState(); // a damaged state file means "start over": every layer is idempotent
  }
}

/** Written atomically (writeFileAtomic): a kill or a crash never leaves half a state file. */
export async function saveState(stateDir: string, state: BootstrapState): Promise<void> {
  const path = statePath(stateDir);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function hashOf(...parts: unknown[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(typeof part === 'string' ? part : stableJson(part)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Splits the inputs into the settings and the host list: host lines count per host (their words, not their
 * comments); every other line but comments and blank lines counts as settings, with the extra vars and the
 * first master (a new first master is a new cluster).
 */
export function layerInputs(
  inventory: { text: string; inventory: Inventory; masters: Array<{ name: string }>; workers: Array<{ name: string }> },
  vars: unknown,
): LayerInputs {
  const perHost = new Map<string, string[]>();
  const other: string[] = [];
  for (const line of inventory.inventory.lines) {
    if (line.kind === 'host') {
      const words = perHost.get(line.name) ?? [];
      words.push(`[${line.section}] ${(shlexSplit(line.text.trim()) ?? [line.text.trim()]).join(' ')}`);
      perHost.set(line.name, words);
    } else if (line.text.trim() && !/^[#;]/.test(line.text.trim())) other.push(`${line.section}: ${line.text.trim()}`);
  }
  const firstMaster = inventory.masters[0]?.name;
  return {
    inputsHash: hashOf(inventory.text, vars),
    settingsHash: hashOf(other, vars, firstMaster ?? ''),
    hosts: Object.fromEntries([...perHost].map(([name, words]) => [name, hashOf(words)])),
    firstMaster,
    workers: inventory.workers.map((w) => w.name),
  };
}

/**
 * The record of a layer that finished with these inputs. A run limited to the added hosts leaves the layer
 * done for every host of the inventory too: planLayers limits a run only when all the others are done.
 */
export function layerDone(inputs: LayerInputs, extra: Partial<LayerDone> = {}): LayerDone {
  return {
    doneAt: new Date().toISOString(),
    inputsHash: inputs.inputsHash,
    settingsHash: inputs.settingsHash,
    hosts: { ...inputs.hosts },
    ...extra,
  };
}

export interface LayerPlan {
  layer: Layer;
  run: boolean;
  reason: string;
  /**
   * Only hosts were added since the layer finished: the hosts its playbook runs on (`--limit`); empty when the
   * layer has nothing to do for the new hosts (it is then only recorded as done for them).
   */
  limit?: string[];
  /** With `limit`: the hosts the layer is done for already. */
  done?: string[];
  /** With `limit`: the hosts added since. */
  added?: string[];
}

/**
 * Which layers this run executes. Default: every layer not done for the current inputs (a layer done
 * for other inputs runs again, and so does everything after the first layer that runs). When only hosts were
 * added since a layer finished (same settings, the other hosts' lines unchanged), the layer runs for the new
 * hosts alone (`limit`), and the layers after it at least for them.
 * `from` runs that layer and all after it; `only` runs just that one. `inputs` as a string: the whole-inputs
 * hash alone (no per-host planning).
 */
export function planLayers(
  layers: readonly Layer[],
  state: BootstrapState,
  inputs: string | LayerInputs,
  options: { from?: string; only?: string; to?: string } = {},
): LayerPlan[] {
  const toIndex = options.to ? layers.findIndex((l) => l.id === options.to) : -1;
  const full: LayerInputs = typeof inputs === 'string' ? { inputsHash: inputs, settingsHash: '', hosts: {}, workers: [] } : inputs;
  const planned = plan(layers, state, full, typeof inputs !== 'string', options);
  return toIndex < 0 ? planned : planned.map((item, index) => (index > toIndex ? { ...item, run: false, reason: 'after --to' } : item));
}

function plan(
  layers: readonly Layer[],
  state: BootstrapState,
  inputs: LayerInputs,
  perHost: boolean,
  options: { from?: string; only?: string },
): LayerPlan[] {
  if (options.only) {
    return layers.map((layer) => ({
      layer,
      run: layer.id === options.only,
      reason: layer.id === options.only ? '--only' : 'not selected (--only)',
    }));
  }
  const fromIndex = options.from ? layers.findIndex((l) => l.id === options.from) : -1;
  let rerunRest = false;
  /** Hosts an earlier layer runs for: the later layers run at least for them. */
  const pending = new Set<string>();
  return layers.map((layer, index) => {
    if (fromIndex >= 0) return { layer, run: index >= fromIndex, reason: index >= fromIndex ? '--from' : 'before --from' };
    const done = state.layers[layer.id];
    if (rerunRest) return { layer, run: true, reason: 'an earlier layer runs' };
    if (!done) {
      rerunRest = true;
      return { layer, run: true, reason: state.running?.layer === layer.id ? 'stopped during the last run' : 'not done yet' };
    }
    if (done.inputsHash === inputs.inputsHash && pending.size === 0) return { layer, run: false, reason: `done ${done.doneAt}` };
    const delta = perHost ? addedHosts(done, inputs) : undefined;
    if (typeof delta === 'string' || delta === undefined) {
      rerunRest = true;
      return { layer, run: true, reason: delta ?? 'inventory or settings changed' };
    }
    const added = [...new Set([...delta, ...pending])].filter((name) => name in inputs.hosts);
    if (added.length === 0) return { layer, run: false, reason: `done ${done.doneAt}` };
    for (const name of added) pending.add(name);
    const doneHosts = Object.keys(inputs.hosts).filter((name) => !added.includes(name));
    const limit = scopeOf(layer, added, inputs);
    if (limit === 'inventory') return { layer, run: true, reason: `the whole inventory, for ${added.join(', ')} (no host is contacted)` };
    if (limit === 'all') {
      rerunRest = true;
      return { layer, run: true, reason: `the new host ${inputs.firstMaster} is the first master` };
    }
    const reason =
      limit.length === 0
        ? `nothing to do for ${added.join(', ')} (${layer.scope === 'workers' ? 'no new worker' : `the first master ${inputs.firstMaster} is done`})`
        : layer.scope === 'via-first-master'
          ? `on the first master ${limit.join(', ')}, for ${added.join(', ')} (${doneHosts.join(', ') || 'no other host'} done)`
          : `${limit.join(', ')} only (${doneHosts.join(', ') || 'no other host'} done)`;
    return { layer, run: true, reason, limit, done: doneHosts, added };
  });
}

/** The hosts added since the layer finished, or why the layer must run for every host. */
function addedHosts(done: LayerDone, inputs: LayerInputs): string[] | string | undefined {
  if (!done.settingsHash || !done.hosts) return undefined;
  if (done.settingsHash !== inputs.settingsHash) return 'settings or inventory variables changed';
  const changed = Object.keys(inputs.hosts).filter((name) => name in done.hosts! && done.hosts![name] !== inputs.hosts[name]);
  if (changed.length) return `the pi-hosts line${changed.length > 1 ? 's' : ''} of ${changed.join(', ')} changed`;
  return Object.keys(inputs.hosts).filter((name) => !(name in done.hosts!));
}

/** The hosts a layer's playbook runs on when `added` are new, or 'all' when it must run for the whole cluster. */
function scopeOf(layer: Layer, added: string[], inputs: LayerInputs): string[] | 'all' | 'inventory' {
  switch (layer.scope ?? 'each') {
    case 'inventory':
      return 'inventory';
    case 'each':
      return added;
    case 'workers':
      return added.filter((name) => inputs.workers.includes(name));
    case 'first-master':
      return inputs.firstMaster && added.includes(inputs.firstMaster) ? 'all' : [];
    case 'via-first-master':
      return inputs.firstMaster ? [inputs.firstMaster] : 'all';
  }
}
