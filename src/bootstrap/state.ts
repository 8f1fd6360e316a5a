import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';
import { dirname, join } from 'node:path';
import type { Layer } from './layers.js';

/** `.pi-cluster/state.json`: which layers finished, and for which inputs. */
export interface BootstrapState {
  version: 1;
  /** Hash of the inventory text, the settings and the extra vars the layers ran with. */
  inputsHash?: string;
  inventoryHash?: string;
  configHash?: string;
  layers: Record<string, { doneAt: string; inputsHash: string; changed?: number }>;
  /** The layer under way: left behind when a run is killed, so the next run says where it stopped. */
  running?: { layer: string; startedAt: string; pid: number };
  lastFailure?: { layer: string; host?: string; task?: string; message?: string; at: string };
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

export interface LayerPlan {
  layer: Layer;
  run: boolean;
  reason: string;
}

/**
 * Which layers this run executes. Default: every layer not done for the current inputs (a layer done
 * for other inputs runs again, and so does everything after the first layer that runs).
 * `from` runs that layer and all after it; `only` runs just that one.
 */
export function planLayers(
  layers: readonly Layer[],
  state: BootstrapState,
  inputsHash: string,
  options: { from?: string; only?: string; to?: string } = {},
): LayerPlan[] {
  const toIndex = options.to ? layers.findIndex((l) => l.id === options.to) : -1;
  const planned = plan(layers, state, inputsHash, options);
  return toIndex < 0 ? planned : planned.map((item, index) => (index > toIndex ? { ...item, run: false, reason: 'after --to' } : item));
}

function plan(layers: readonly Layer[], state: BootstrapState, inputsHash: string, options: { from?: string; only?: string }): LayerPlan[] {
  if (options.only) {
    return layers.map((layer) => ({
      layer,
      run: layer.id === options.only,
      reason: layer.id === options.only ? '--only' : 'not selected (--only)',
    }));
  }
  const fromIndex = options.from ? layers.findIndex((l) => l.id === options.from) : -1;
  let rerunRest = false;
  return layers.map((layer, index) => {
    if (fromIndex >= 0) return { layer, run: index >= fromIndex, reason: index >= fromIndex ? '--from' : 'before --from' };
    const done = state.layers[layer.id];
    if (rerunRest) return { layer, run: true, reason: 'an earlier layer runs' };
    if (!done) {
      rerunRest = true;
      return { layer, run: true, reason: state.running?.layer === layer.id ? 'stopped during the last run' : 'not done yet' };
    }
    if (done.inputsHash !== inputsHash) {
      rerunRest = true;
      return { layer, run: true, reason: 'inventory or settings changed' };
    }
    return { layer, run: false, reason: `done ${done.doneAt}` };
  });
}
