import { relative, resolve } from 'node:path';
import { canPrompt } from '../../cli/context.js';
import { CancelledError, UserError } from '../../errors.js';
import type { StageEvent } from '../../events.js';
import { stateDir } from '../../paths.js';
import { checkPrivateKeyPath } from '../../remote/keys.js';
import { changeLines, checksTable, discoverJson, foundLine, otherHostsLine, summaryLines } from '../../ui/discover.js';
import { useColor } from '../../ui/style.js';
import { parseCount } from '../flags.js';
import type { DiscoverOptions, DiscoverResult } from '../../discover/discover.js';
// Only what sending the first query needs loads before it: the config (yaml, zod) and the rest of
// discover load while the first answers come in.
import { startSearch } from '../../discover/search.js';

/** `pi-cluster discover` after flag parsing: typed, with defaults not yet applied from the config. */
export interface DiscoverCommandOptions {
  timeout: string;
  interfaces: string[];
  prefix?: string;
  masters?: string;
  master: string[];
  inventory: string;
  sweep?: string;
  sshKey?: string;
  expect?: string;
  json: boolean;
  yes: boolean;
  /** --replace-key NAME: accept this host's changed host key (repeatable). */
  replaceKey?: string[];
  dryRun: boolean;
  configPath?: string;
  color: boolean;
  verbose?: boolean;
  cwd?: string;
  /** Tests and the benchmark: where output goes, and a non-standard mDNS port. */
  out?: (text: string) => void;
  err?: (text: string) => void;
  mdnsPort?: number;
}

/** "5s", "1500ms", "2m", or a bare number of seconds. */
export function parseDuration(text: string, flag = '--timeout'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!match) throw new UserError(`${flag} ${text}: not a duration`, { hint: 'write it like 5s, 1500ms or 2m' });
  const value = Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm'];
  if (value <= 0) throw new UserError(`${flag} ${text}: must be more than zero`, { hint: 'write it like 5s, 1500ms or 2m' });
  return value;
}

export async function discoverCommand(options: DiscoverCommandOptions): Promise<DiscoverResult> {
  const cwd = options.cwd ?? process.cwd();
  const out = options.out ?? ((t: string) => process.stdout.write(t));
  const err = options.err ?? ((t: string) => process.stderr.write(t));
  const color = useColor(options.color) && !options.out;
  // With --json, stdout carries the document only; progress goes to stderr.
  const progress = options.json ? err : out;
  const line = (text: string) => progress(`${text}\n`);

  const { timeoutMs, count, expect } = checkFlags(options);
  const report = (event: StageEvent) => {
    if (event.kind === 'warn') err(`warning: ${event.message}\n${event.hint ? `  hint: ${event.hint}\n` : ''}`);
    else if (event.kind === 'debug' && options.verbose) err(`${event.message}\n`);
  };
  const inventoryPath = resolve(cwd, options.inventory);
  const interactive = canPrompt() && !options.yes && !options.json && !options.out;
  const state = stateDir(cwd);
  const show = (path: string) => relative(cwd, path) || path;
  // The search starts first; hosts that answer before the prefix is known are held and printed once it is.
  const search = startSearch({
    timeoutMs,
    interfaces: options.interfaces,
    sweep: options.sweep,
    inventoryPath,
    expect,
    sshKeyPath: options.sshKey ? resolve(cwd, options.sshKey) : undefined,
    mdnsPort: options.mdnsPort,
    report,
    onFound: (host, isCluster) => {
      if (isCluster) line(foundLine(host, color));
    },
  });

  let result: DiscoverResult;
  let prefix: string;
  try {
    // Loading the config (yaml, zod) is the longest step before the first host can be printed.
    const [{ loadConfig }, { resolveSshKeys }] = await Promise.all([import('../../config/load.js'), import('../../config/ssh-keys.js')]);
    const { config } = await loadConfig({ explicitPath: options.configPath, cwd });
    prefix = options.prefix ?? config.hosts.prefix;
    checkPrefix(prefix);
    const keyPath = options.sshKey ? resolve(cwd, options.sshKey) : resolveSshKeys(config)?.privateKey;
    if (!keyPath) {
      throw new UserError('no SSH key to log in to the Pis with', {
        hint: 'pass the key you flashed with --ssh-key, or create one with `pi-cluster init --generate-key`',
      });
    }
    checkPrivateKeyPath(keyPath);
    const ways = [
      options.interfaces.length || !options.sweep
        ? `over mDNS${options.interfaces.length ? ` on ${options.interfaces.join(', ')}` : ''}`
        : undefined,
      options.sweep ? `by sweeping ${options.sweep}` : undefined,
    ].filter(Boolean);
    line(`Looking for hosts named ${prefix}<N> ${ways.join(' and ')} (up to ${timeoutMs / 1000} s)`);
    search.setPrefix(prefix); // prints the hosts found so far
    const { discover } = await import('../../discover/discover.js');
    result = await discover({
      timeoutMs,
      interfaces: options.interfaces,
      prefix,
      roles: { count, names: options.master.length ? options.master : undefined },
      inventoryPath,
      knownHostsPath: resolve(state, 'known_hosts'),
      sshConfigPath: resolve(state, 'ssh_config'),
      sshKeyPath: keyPath,
      sweep: options.sweep,
      fixedAddresses: Object.fromEntries(
        Object.entries(config.hosts.byName).flatMap(([name, host]) => (host.address ? [[name, host.address.split('/')[0]]] : [])),
      ),
      expect,
      dryRun: options.dryRun,
      mdnsPort: options.mdnsPort,
      search,
      report,
      replaceKeys: options.replaceKey ?? [],
      acceptNewKeys: options.yes || interactive,
      ...(interactive ? terminalQuestions(line, color, show(inventoryPath)) : {}),
    });
  } catch (error) {
    await search.stop();
    throw error;
  }

  printResult(result, { line, out, color, interactive, show, inventoryPath, prefix, dryRun: options.dryRun, json: options.json });

  if (result.declined) throw new CancelledError('Nothing written');
  const failed = result.cluster.filter((h) => h.problem);
  if (failed.length) {
    throw new UserError(
      `${failed.length} host${failed.length === 1 ? '' : 's'} failed the SSH check and ${failed.length === 1 ? 'is' : 'are'} not in pi-hosts: ${failed.map((h) => `${h.name} (${h.problem!.message})`).join(', ')}`,
      {
        hint: failed[0].problem!.hint,
      },
    );
  }
  return result;
}

function checkPrefix(prefix: string): void {
  if (!/^[a-z][a-z0-9-]*$/.test(prefix))
    throw new UserError(`--prefix ${prefix}: use lower-case letters, digits and dashes, starting with a letter`, {
      hint: 'the Pis are named <prefix><N> when flashed, e.g. --prefix pi finds pi0, pi1, ...',
    });
}

function describeStop(reason: DiscoverResult['browse']['stoppedBy']): string {
  return {
    stable: 'no new host after a repeated query',
    timeout: 'timeout reached',
    expected: 'all expected hosts found',
    sweep: 'sweep done',
  }[reason];
}

async function chooseMasters(candidates: string[], suggested: string[]): Promise<string[]> {
  const { chooseSome } = await import('../../ui/prompts.js');
  return chooseSome(
    'Which hosts are masters (control plane)? The others become workers.',
    candidates.map((name) => ({ name, value: name, checked: suggested.includes(name) })),
  );
}

/** The flags that need no config: the timeout and the host counts, and --masters against --master. */
function checkFlags(options: DiscoverCommandOptions): { timeoutMs: number; count?: number; expect?: number } {
  const timeoutMs = parseDuration(options.timeout);
  const count = parseCount(options.masters, '--masters');
  const expect = parseCount(options.expect, '--expect');
  if (count !== undefined && options.master.length)
    throw new UserError('--masters and --master do not go together', {
      hint: 'use --masters N for a number, or --master NAME (repeatable) for names',
    });
  if (options.prefix !== undefined) checkPrefix(options.prefix);
  return { timeoutMs, count, expect };
}

/** The questions of an interactive run: a changed host key, the masters, and the changes before writing. */
function terminalQuestions(
  line: (text: string) => void,
  color: boolean,
  inventoryName: string,
): Pick<DiscoverOptions, 'confirmKeyChange' | 'chooseMasters' | 'confirmWrite'> {
  return {
    confirmKeyChange: async (name, recorded, offered) => {
      line(
        `\n${name}: its host key CHANGED since it was recorded.\n  recorded: ${recorded}\n  offered:  ${offered}\nThat happens when a Pi is re-flashed or reinstalled elsewhere, and when another machine poses as it.`,
      );
      const { confirmYes } = await import('../../ui/prompts.js');
      return confirmYes(`Trust the new key of ${name}?`, false);
    },
    chooseMasters,
    confirmWrite: async (changes) => {
      line(`\nChanges to ${inventoryName}:`);
      for (const change of changeLines(changes, color)) line(change);
      const { confirmYes } = await import('../../ui/prompts.js');
      return confirmYes('Write these files?', true);
    },
  };
}

interface PrintContext {
  line: (text: string) => void;
  out: (text: string) => void;
  color: boolean;
  interactive: boolean;
  show: (path: string) => string;
  inventoryPath: string;
  prefix: string;
  dryRun?: boolean;
  json?: boolean;
}

/** What was found and checked, the changes, what was written, and the JSON document with --json. */
function printResult(
  result: DiscoverResult,
  { line, out, color, interactive, show, inventoryPath, prefix, ...options }: PrintContext,
): void {
  const clusterCount = result.cluster.length;
  line(
    `${clusterCount} host${clusterCount === 1 ? '' : 's'} in ${(result.browse.elapsedMs / 1000).toFixed(1)} s (${describeStop(result.browse.stoppedBy)})`,
  );
  const others = otherHostsLine(result.others);
  if (others) line(others);
  line('');
  line(checksTable(result.cluster, color));
  if (!interactive && result.changes.length) {
    line(`\nChanges to ${show(inventoryPath)}:`);
    for (const change of changeLines(result.changes, color)) line(change);
  }
  line('');
  for (const summary of options.dryRun ? ['dry run: nothing written', ...summaryLines(result, show).slice(1)] : summaryLines(result, show))
    line(summary);
  if (result.written.sshConfig)
    line(
      `to reach them with \`ssh ${result.roles.masters[0] ?? `${prefix}0`}\`, add \`Include ${result.written.sshConfig}\` near the top of ~/.ssh/config`,
    );
  if (options.json) out(`${JSON.stringify(discoverJson(result), null, 2)}\n`);
}
