/**
 * `pi-cluster status [--watch [seconds]]`: one look at the cluster, or one look every N seconds until
 * Ctrl-C over the same SSH connections (a redrawn screen at a terminal; with --json one line per round).
 */
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { loadConfig } from '../../config/load.js';
import { resolveSshKeys } from '../../config/ssh-keys.js';
import { UserError } from '../../errors.js';
import { readClusterInventory } from '../../inventory/cluster.js';
import { stateDir } from '../../paths.js';
import { clusterStatus, openStatusReader, type ClusterStatus, type StatusOptions } from '../../status/status.js';
import { clusterLines, findingLines, hostsTable, watchHeader } from '../../ui/status.js';
import { useColor } from '../../ui/style.js';

export interface StatusCommandOptions {
  inventoryPath: string;
  sshKey?: string;
  json: boolean;
  /** --watch: seconds between the starts of two rounds; undefined: one round. */
  watchSeconds?: number;
  configPath?: string;
  color: boolean;
}

export const DEFAULT_WATCH_SECONDS = 5;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Cursor home and clear the screen: each round replaces the last, as watch(1) does. */
const CLEAR_SCREEN = '\x1b[H\x1b[2J';

/** The value of --watch: true (no value) is the default interval. */
export function parseWatch(value: boolean | string): number {
  if (value === true) return DEFAULT_WATCH_SECONDS;
  const seconds = Number(value);
  if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value.trim()) || seconds < 1 || seconds > 3600)
    throw new UserError(`--watch ${String(value)}: not a number of seconds from 1 to 3600`, {
      hint: 'e.g. --watch 10 (or --watch alone: every 5 s)',
    });
  return seconds;
}

export async function statusCommand(options: StatusCommandOptions): Promise<void> {
  const write = (text: string) => process.stdout.write(text);
  if (options.watchSeconds !== undefined && !options.json && !process.stdout.isTTY) {
    throw new UserError('--watch redraws the screen: it needs a terminal', {
      hint: 'to follow the status from a script, add --json: one JSON document per line, one line per round',
    });
  }
  const { config } = await loadConfig({ explicitPath: options.configPath });
  const inventory = await readClusterInventory(resolve(options.inventoryPath));
  const privateKeyPath = options.sshKey ? resolve(options.sshKey) : resolveSshKeys(config)?.privateKey;
  if (!privateKeyPath) throw new UserError('no SSH key to log in to the Pis with', { hint: 'pass the key you flashed with --ssh-key' });
  const state = stateDir();
  const statusOptions: StatusOptions = {
    hosts: inventory.hosts,
    privateKeyPath,
    knownHostsPath: resolve(state, 'known_hosts'),
    stateDir: state,
  };
  const color = useColor(options.color);
  if (options.watchSeconds !== undefined) return watch(statusOptions, options.watchSeconds, options.json, color, write);

  const status = await clusterStatus(statusOptions);
  write(options.json ? `${JSON.stringify(status, null, 2)}\n` : `${screen(status, color)}\n`);
  // Non-zero when something needs action, so scripts and cron can alert on it.
  if (status.findings.length) {
    const failing = status.findings.filter((f) => f.severity === 'fail').length;
    throw new UserError(
      `${status.findings.length} thing${status.findings.length === 1 ? ' needs' : 's need'} action (${failing} failing, ${status.findings.length - failing} warnings)`,
      { hint: 'each is listed above with its fix' },
    );
  }
}

function screen(status: ClusterStatus, color: boolean): string {
  return `${hostsTable(status)}\n\n${clusterLines(status).join('\n')}\n\n${findingLines(status, color).join('\n')}`;
}

/**
 * Rounds every `seconds` (from the start of one to the start of the next) until Ctrl-C, a kill, a closed
 * terminal or a closed pipe: each ends the watch normally (exit code 0); findings do not end it.
 */
async function watch(options: StatusOptions, seconds: number, json: boolean, color: boolean, write: (text: string) => void): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  const onOutputError = () => stop.abort(); // EPIPE: the reader of --json went away (e.g. `| head -1`)
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
  process.stdout.on('error', onOutputError);
  const stopped = new Promise<undefined>((resolve) => stop.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
  const reader = await openStatusReader(options);
  try {
    for (let round = 1; !stop.signal.aborted; round++) {
      const started = Date.now();
      const status = await Promise.race([reader.read(), stopped]);
      if (!status) break;
      if (json) write(`${JSON.stringify({ round, ...status })}\n`);
      else write(`${CLEAR_SCREEN}${watchHeader(status, { round, seconds, at: new Date() })}\n\n${screen(status, color)}\n`);
      await delay(Math.max(0, seconds * 1000 - (Date.now() - started)), undefined, { signal: stop.signal }).catch(() => undefined);
    }
  } finally {
    reader.close();
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    process.stdout.off('error', onOutputError);
  }
}
