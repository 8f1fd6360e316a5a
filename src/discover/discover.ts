import { existsSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { silent, type Reporter } from '../events.js';
// Not remote/index.js: that loads ssh2, which probe.js brings in while the first answers come in.
import { writeFileAtomic } from '../atomic-file.js';
import { checkPrivateKeyPath, loadPrivateKey } from '../remote/keys.js';
import { fingerprint, KnownHosts, type HostKeyCheck } from '../remote/known-hosts.js';
import { formatInventory, inventoryHosts, mergeInventory, roleOf, type InventoryChange, type Role } from '../inventory/ini.js';
import type { BrowseResult } from './mdns.js';
import { ProbePool } from './probe-pool.js';
import type { DiscoveredFacts, ProbeResult } from './probe.js';
import { planFixedAddresses } from './fixed-addresses.js';
import { byHostNumber, planRoles, type RoleRequest } from './roles.js';
import { isClusterName, startSearch, type FoundHost, type Search, type SearchResult } from './search.js';
import { sshConfigSnippet } from './ssh-config.js';
import { vendorOf } from './vendor.js';

export { isClusterName, type FoundHost } from './search.js';

/** A cluster host after the SSH check. */
export interface CheckedHost {
  name: string;
  address: string;
  mac?: string;
  vendor?: string;
  source: FoundHost['source'];
  facts?: DiscoveredFacts;
  hostKeyCheck?: HostKeyCheck;
  /**
   * What the host's SSH key says about it: the key `pi-cluster flash` wrote onto its card ("verified"),
   * the key a past discover recorded ("known"), a first-seen key ("new"), or a recorded key that another
   * key replaced on purpose ("replaced", --replace-key). A changed key that was not accepted is a problem.
   */
  hostKey?: { status: HostKeyStatus; fingerprint: string; previous?: string };
  /** Where the host's name came from: its mDNS announcement, its flashed key, only what `hostname` printed, or its fixed address in pi-cluster.yaml. */
  nameFrom?: 'mdns' | 'host-key' | 'hostname' | 'config';
  /** Set when the SSH check failed. */
  problem?: { reason: string; message: string; hint?: string };
  role?: Role;
}

export type HostKeyStatus = 'verified' | 'known' | 'new' | 'replaced';

export interface DiscoverOptions {
  timeoutMs: number;
  /** Interface names or addresses; empty: every up multicast IPv4 interface. */
  interfaces: string[];
  prefix: string;
  roles: RoleRequest;
  inventoryPath: string;
  knownHostsPath: string;
  sshConfigPath: string;
  sshKeyPath: string;
  sweep?: string;
  /** hosts.<name>.address of pi-cluster.yaml (name -> IPv4): probed there when mDNS is silent, and must agree with mDNS. */
  fixedAddresses?: Record<string, string>;
  /** Stop browsing as soon as this many cluster hosts are found. */
  expect?: number;
  /** Compute everything, write nothing. */
  dryRun?: boolean;
  /** Asked only when no flag and no existing pi-hosts decides the masters (interactive runs). */
  chooseMasters?: (candidates: string[], suggested: string[]) => Promise<string[]>;
  /** --replace-key: hosts whose changed host key is accepted (re-flashed or reinstalled on purpose). */
  replaceKeys?: string[];
  /** Record host keys seen for the first time (not flashed here): --yes, or an interactive run that asks before writing. */
  acceptNewKeys?: boolean;
  /** Asked for a changed host key without --replace-key (interactive runs); no answer = refused. */
  confirmKeyChange?: (name: string, recorded: string, offered: string) => Promise<boolean>;
  /** Asked before writing when there are changes (interactive runs); false leaves every file as it was. */
  confirmWrite?: (changes: InventoryChange[]) => Promise<boolean>;
  onFound?: (host: FoundHost, isCluster: boolean) => void;
  onChecked?: (host: CheckedHost) => void;
  report?: Reporter;
  /** mDNS port and probe port, for tests. */
  mdnsPort?: number;
  sshPort?: number;
  /**
   * The search, when the caller started it already (the CLI does, before it loads the config) with
   * the same options; its prefix is set here. Without it, discover starts one.
   */
  search?: Search;
}

export interface DiscoverResult {
  cluster: CheckedHost[];
  others: FoundHost[];
  changes: InventoryChange[];
  /** Final roles as the inventory has them. */
  roles: { masters: string[]; workers: string[] };
  inventoryText: string;
  written: { inventory?: string; backup?: string; knownHosts?: string; sshConfig?: string };
  hostKeys: Array<{ name: string; check: HostKeyCheck }>;
  browse: { elapsedMs: number; stoppedBy: BrowseResult['stoppedBy'] | 'sweep'; firstHostMs?: number; interfaces: string[] };
  warnings: string[];
  declined: boolean;
}

export const INVENTORY_HEADER = [
  '# Ansible inventory written by `pi-cluster discover`. It is yours to edit: move a host between',
  '# [masters] and [workers] and discover keeps it; a re-run only updates addresses and adds new hosts.',
  '# Host keys: .pi-cluster/known_hosts',
].join('\n');

/** Finds the Pis, checks them over SSH, and merges them into pi-hosts and the known hosts file. */
export async function discover(options: DiscoverOptions): Promise<DiscoverResult> {
  const report = options.report ?? silent;
  const warnings: string[] = [];
  const warn = (message: string, host?: string) => {
    warnings.push(message);
    report({ kind: 'warn', message, host });
  };

  // Everything the user typed is checked before the first packet leaves (by the caller, when it started the search).
  const search = options.search ?? startSearch(options);
  const { interfaces, existing } = search;

  // 1. Find: mDNS on the chosen interfaces, and the sweep when asked, at the same time (started by startSearch).
  //    Each cluster host is probed over SSH (step 2) as soon as it is found, while the browse goes on.
  let knownHosts: KnownHosts;
  let searched: SearchResult;
  let keyLoading: Promise<PrivateKey>;
  let pool: ProbePool;
  try {
    checkPrivateKeyPath(options.sshKeyPath);
    knownHosts = await KnownHosts.load(options.knownHostsPath);
    keyLoading = loadPrivateKey(options.sshKeyPath);
    const probing = import('./probe.js');
    pool = new ProbePool(
      keyLoading.then((key) => ({ key, knownHosts, report: options.report })),
      probing,
    );
    search.setPrefix(options.prefix);
    search.subscribe((host) => {
      if (host.name === undefined || isClusterName(host.name, options.prefix))
        pool.start({ name: host.name, address: host.address, port: options.sshPort });
    });
    searched = await search.done;
  } catch (error) {
    await search.stop();
    throw error;
  }
  report({ kind: 'debug', message: `browse over ${Math.round(performance.now())} ms after the process started` });
  const { found, browse, firstHostMs } = searched;
  const where = interfaces
    .map((i) => `${i.name} (${i.address})`)
    .concat(options.sweep ? [`sweep ${options.sweep}`] : [])
    .join(', ');
  const fixed = Object.fromEntries(Object.entries(options.fixedAddresses ?? {}).filter(([name]) => isClusterName(name, options.prefix)));
  const { added, disagreements } = planFixedAddresses(found, fixed);
  if (!found.size && !added.length) {
    throw new UserError(`no hosts found on ${where} within ${Math.round(options.timeoutMs / 1000)} s`, {
      hint: 'are the Pis booted and on this network? A first boot takes a minute or two: try --timeout 60s; if multicast is blocked, use --sweep CIDR',
    });
  }

  // 2. Check the cluster's hosts over SSH (hosts found only by the sweep: all of them, to learn their names).
  const key = await keyLoading;
  const { cluster, others, probes } = await checkHosts(options, { found, added, disagreements, fixed }, pool, key, knownHosts, warn);
  report({ kind: 'debug', message: `SSH checks over ${Math.round(performance.now())} ms after the process started` });
  requireClusterHosts(options, where, cluster, others);

  // 3. Roles and the merged inventory. Only hosts that passed the SSH check go in.
  const good = cluster.filter((h) => !h.problem);
  const { merged, finalHosts, roles } = await planInventory(options, existing, cluster, good, warn);

  // 4. Host keys: recorded for every host that passed (a changed key only when accepted, see judgeHostKey).
  const hostKeys = recordHostKeys(probes, cluster, knownHosts);

  // 5. Write: only what changed, pi-hosts atomically with the previous one kept as .bak.
  const inventoryText = formatInventory(merged.inventory);
  const { written, declined } = await writeDiscovered(options, {
    existing,
    inventoryText,
    merged,
    knownHosts,
    finalHosts,
    keyPath: key.path,
  });
  report({ kind: 'debug', message: `files written ${Math.round(performance.now())} ms after the process started` });

  return {
    cluster,
    others,
    changes: merged.changes,
    roles,
    inventoryText,
    written,
    hostKeys,
    browse: {
      elapsedMs: browse?.elapsedMs ?? 0,
      stoppedBy: browse?.stoppedBy ?? 'sweep',
      firstHostMs,
      interfaces: interfaces.map((i) => i.name),
    },
    warnings,
    declined,
  };
}

type Warn = (message: string, host?: string) => void;
type PrivateKey = Awaited<ReturnType<typeof loadPrivateKey>>;
type Inventory = NonNullable<Search['existing']>;
type Merged = ReturnType<typeof mergeInventory>;

/** What the search found, with the hosts pi-cluster.yaml gives a fixed address (planFixedAddresses). */
interface Found {
  found: SearchResult['found'];
  added: FoundHost[];
  disagreements: Map<string, string>;
  fixed: Record<string, string>;
}

/**
 * Probes the cluster's hosts over SSH and names them: the announced name, else the flashed host key, else
 * the host's own word. Hosts of other names go to `others`; a configured host that does not answer is a warning.
 */
async function checkHosts(
  options: DiscoverOptions,
  { found, added, disagreements, fixed }: Found,
  pool: ProbePool,
  key: PrivateKey,
  knownHosts: KnownHosts,
  warn: Warn,
): Promise<{ cluster: CheckedHost[]; others: FoundHost[]; probes: ProbeResult[] }> {
  const candidates = [...found.values(), ...added].filter((h) => h.name === undefined || isClusterName(h.name, options.prefix));
  const probes = await pool.results(
    candidates.map((h) => ({ name: h.name, address: h.address, port: options.sshPort })),
    { key, knownHosts, report: options.report },
  );
  const cluster: CheckedHost[] = [];
  const others: FoundHost[] = [...found.values()].filter((h) => h.name !== undefined && !isClusterName(h.name, options.prefix));
  for (const [index, probe] of probes.entries()) {
    const host = candidates[index];
    // A host found by --sweep has no announced name: its flashed key names it, else only its own word does.
    const byKey =
      host.name === undefined && probe.ok
        ? knownHosts.namesWithKey(probe.hostKey).filter((n) => knownHosts.isFlashed(n, probe.hostKey))
        : [];
    const name = host.name ?? byKey[0] ?? (probe.ok ? probe.facts.hostname : undefined);
    if (host.name === undefined && probe.ok && !isClusterName(name, options.prefix)) {
      others.push({ ...host, name });
      continue;
    }
    if (host.source === 'config' && !probe.ok && (probe.reason === 'unreachable' || probe.reason === 'timeout')) {
      // Not announced and not answering at its fixed address: missing, as a Pi that is switched off.
      warn(
        `${host.name}: not announced over mDNS and no SSH at its fixed address ${host.address} (hosts.${host.name}.address): ${probe.message}`,
        host.name,
      );
      continue;
    }
    const checked = toChecked(host, name ?? host.address, probe);
    checked.nameFrom = host.source === 'config' ? 'config' : host.name !== undefined ? 'mdns' : byKey.length ? 'host-key' : 'hostname';
    const disagreement = host.name !== undefined ? disagreements.get(host.name) : undefined;
    if (disagreement && !checked.problem) {
      checked.problem = {
        reason: 'address-disagrees',
        message: disagreement,
        hint: `flash ${host.name} again with its address, or correct hosts.${host.name}.address in pi-cluster.yaml`,
      };
    }
    if (checked.nameFrom === 'host-key' && probe.ok && probe.facts.hostname && probe.facts.hostname !== name) {
      warn(`${name}: found at ${host.address} by its flashed host key, but it calls itself ${probe.facts.hostname}`, name);
    }
    if (probe.ok && !checked.problem) await judgeHostKey(checked, probe, knownHosts, options, warn);
    cluster.push(checked);
    options.onChecked?.(checked);
  }
  // A configured address that another host announces: that host is not probed as this one.
  for (const [name, message] of disagreements) {
    if (cluster.some((h) => h.name === name)) continue;
    const checked: CheckedHost = {
      name,
      address: fixed[name]!,
      source: 'config',
      nameFrom: 'config',
      problem: {
        reason: 'address-disagrees',
        message,
        hint: `give ${name} and the host announcing ${fixed[name]} different addresses, then flash again`,
      },
    };
    cluster.push(checked);
    options.onChecked?.(checked);
  }
  cluster.sort((a, b) => byHostNumber(a.name, b.name));
  return { cluster, others, probes };
}

/** One line when nothing usable was found: no host at all, none of the cluster's names, or none that passed. */
function requireClusterHosts(options: DiscoverOptions, where: string, cluster: CheckedHost[], others: FoundHost[]): void {
  if (!cluster.length && !others.length) {
    throw new UserError(
      `no hosts found on ${where} within ${Math.round(options.timeoutMs / 1000)} s, and none answers at its fixed address in pi-cluster.yaml`,
      {
        hint: 'are the Pis booted and on this network? A first boot takes a minute or two: try --timeout 60s',
      },
    );
  }
  if (!cluster.length) {
    throw new UserError(
      `found ${others.length} host${others.length === 1 ? '' : 's'} but none named ${options.prefix}<number> (${others.map((o) => o.name).join(', ')})`,
      {
        hint: 'pass the prefix your Pis use with --prefix, or set hosts.prefix in pi-cluster.yaml',
      },
    );
  }

  const good = cluster.filter((h) => !h.problem);
  if (!good.length) {
    throw new UserError(
      `none of the ${cluster.length} host${cluster.length === 1 ? '' : 's'} found passed the SSH check: ${cluster.map((h) => `${h.name} (${h.problem!.message})`).join(', ')}`,
      {
        hint: cluster[0]!.problem!.hint ?? 'check the Pis and your key (--ssh-key), then run discover again',
      },
    );
  }
}

/** The roles (flags, the user's choice, or pi-hosts as it is) and pi-hosts merged with the hosts that passed. */
async function planInventory(
  options: DiscoverOptions,
  existing: Inventory | undefined,
  cluster: CheckedHost[],
  good: CheckedHost[],
  warn: Warn,
): Promise<{ merged: Merged; finalHosts: ReturnType<typeof inventoryHosts>; roles: DiscoverResult['roles'] }> {
  const listed = existing ? inventoryHosts(existing) : [];
  let request = options.roles;
  const noRoleFlags = request.count === undefined && !request.names?.length;
  const fresh = good.map((h) => h.name).filter((n) => !listed.some((l) => l.name === n));
  if (noRoleFlags && options.chooseMasters && fresh.length && !listed.some((l) => roleOf(l) === 'masters')) {
    request = { names: await options.chooseMasters(fresh.slice().sort(byHostNumber), planRoles(fresh, listed, {}).masters) };
  }
  const plan = planRoles(
    good.map((h) => h.name),
    listed,
    request,
  );
  plan.warnings.forEach((w) => warn(w));
  const entries = good.map((h) => ({ name: h.name, address: h.address, note: noteFor(h) }));
  const merged = mergeInventory(existing, entries, plan.roleFor, INVENTORY_HEADER);
  for (const change of merged.changes) {
    if (change.kind === 'missing')
      warn(
        `${change.name}: listed in pi-hosts${change.address ? ` at ${change.address}` : ''} but not found; kept (remove its line if it is gone for good)`,
        change.name,
      );
  }
  const finalHosts = inventoryHosts(merged.inventory);
  const roles = {
    masters: finalHosts.filter((h) => roleOf(h) === 'masters').map((h) => h.name),
    workers: finalHosts.filter((h) => roleOf(h) === 'workers').map((h) => h.name),
  };
  for (const host of cluster) {
    const listedHost = finalHosts.find((h) => h.name === host.name);
    host.role = listedHost ? roleOf(listedHost) : undefined;
  }

  return { merged, finalHosts, roles };
}

/** Records each passing host's key under its names; says for each whether it matched, was new or changed. */
function recordHostKeys(probes: ProbeResult[], cluster: CheckedHost[], knownHosts: KnownHosts): DiscoverResult['hostKeys'] {
  const hostKeys: DiscoverResult['hostKeys'] = [];
  for (const probe of probes) {
    if (!probe.ok) continue;
    const host = cluster.find((h) => h.address === probe.target.address);
    if (!host || host.problem) continue;
    hostKeys.push({ name: host.name, check: probe.hostKeyCheck });
    const names = knownHostsNamesOf(host, probe);
    if (probe.hostKeyCheck !== 'match' || !knownHosts.lookup([names.at(-1)!]).length || host.nameFrom === 'host-key')
      knownHosts.record(names, probe.hostKey);
  }

  return hostKeys;
}

/** Writes what changed (pi-hosts with a .bak, known_hosts, the ssh config snippet), after the user's yes if asked. */
async function writeDiscovered(
  options: DiscoverOptions,
  files: {
    existing?: Inventory;
    inventoryText: string;
    merged: Merged;
    knownHosts: KnownHosts;
    finalHosts: ReturnType<typeof inventoryHosts>;
    keyPath: string;
  },
): Promise<{ written: DiscoverResult['written']; declined: boolean }> {
  const { existing, inventoryText, merged, knownHosts, finalHosts } = files;
  const previousText = existing ? formatInventory(existing) : undefined;
  const written: DiscoverResult['written'] = {};
  let declined = false;
  const inventoryChanged = inventoryText !== previousText;
  const knownHostsText = knownHosts.toString();
  const knownHostsChanged = knownHostsText !== (existsSync(options.knownHostsPath) ? await readFile(options.knownHostsPath, 'utf8') : '');
  if (!options.dryRun) {
    if ((inventoryChanged || knownHostsChanged) && options.confirmWrite && !(await options.confirmWrite(merged.changes))) {
      declined = true;
    } else {
      if (inventoryChanged) {
        if (existing && existsSync(options.inventoryPath)) {
          written.backup = `${options.inventoryPath}.bak`;
          await copyFile(options.inventoryPath, written.backup);
        }
        await writeFileAtomic(options.inventoryPath, inventoryText, { mode: 0o644 });
        written.inventory = options.inventoryPath;
      }
      if (knownHostsChanged) {
        await knownHosts.save(options.knownHostsPath);
        written.knownHosts = options.knownHostsPath;
      }
      const snippet = sshConfigSnippet(finalHosts, {
        prefix: options.prefix,
        privateKeyPath: files.keyPath,
        knownHostsPath: options.knownHostsPath,
      });
      const previousSnippet = existsSync(options.sshConfigPath) ? await readFile(options.sshConfigPath, 'utf8') : undefined;
      if (snippet !== previousSnippet) {
        await writeFileAtomic(options.sshConfigPath, snippet, { mode: 0o644 });
        written.sshConfig = options.sshConfigPath;
      }
    }
  }

  return { written, declined };
}

/**
 * The names a host's key is looked up and recorded under. A host named by its flashed key goes under
 * that name, not the one its `hostname` printed (which the probe put first for a --sweep host).
 */
function knownHostsNamesOf(host: CheckedHost, probe: Extract<ProbeResult, { ok: true }>): string[] {
  if (host.nameFrom !== 'host-key') return probe.knownHostsNames;
  return [...new Set([host.name, ...probe.knownHostsNames.filter((n) => n !== probe.facts.hostname)])];
}

/**
 * What a host's key says, and whether it may be recorded. A changed key is what an impostor looks
 * like: it is refused unless the user names the host with --replace-key or says yes at a terminal.
 * A key never seen before needs --yes (or the interactive confirmation before writing).
 */
async function judgeHostKey(
  host: CheckedHost,
  probe: Extract<ProbeResult, { ok: true }>,
  knownHosts: KnownHosts,
  options: DiscoverOptions,
  warn: (message: string, host?: string) => void,
): Promise<void> {
  const offered = fingerprint(probe.hostKey);
  const names = knownHostsNamesOf(host, probe);
  const check = host.nameFrom === 'host-key' ? 'match' : probe.hostKeyCheck;
  if (check === 'match') {
    host.hostKey = { status: names.some((n) => knownHosts.isFlashed(n, probe.hostKey)) ? 'verified' : 'known', fingerprint: offered };
    return;
  }
  if (check === 'unknown') {
    host.hostKey = { status: 'new', fingerprint: offered };
    if (!options.acceptNewKeys) {
      host.problem = {
        reason: 'host-key-unknown',
        message: `new host key ${offered} (not flashed here)`,
        hint: `compare it with \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on the Pi's console, then run discover again with --yes`,
      };
    }
    return;
  }
  const recorded = knownHosts.lookup(names).find((k) => k.type === probe.hostKey.type);
  const previous = recorded ? fingerprint(recorded) : 'a revoked key';
  const accepted =
    options.replaceKeys?.includes(host.name) ||
    (options.confirmKeyChange ? await options.confirmKeyChange(host.name, previous, offered) : false);
  if (accepted) {
    host.hostKey = { status: 'replaced', fingerprint: offered, previous };
    warn(`${host.name}: host key replaced (was ${previous}, now ${offered})`, host.name);
    return;
  }
  host.problem = {
    reason: 'host-key-changed',
    message: `host key CHANGED: recorded ${previous}, offered ${offered}; refused`,
    hint: `if you re-flashed or reinstalled ${host.name}, run \`pi-cluster discover --replace-key ${host.name}\`; otherwise another machine answers as ${host.name}: find it before you trust it`,
  };
}

function toChecked(host: FoundHost, name: string, probe: ProbeResult): CheckedHost {
  const base = { name, address: host.address, mac: host.mac, vendor: host.vendor, source: host.source };
  if (!probe.ok) return { ...base, problem: { reason: probe.reason, message: probe.message, hint: probe.hint } };
  const mac = probe.facts.mac ?? host.mac;
  return { ...base, mac, vendor: vendorOf(mac), facts: probe.facts, hostKeyCheck: probe.hostKeyCheck };
}

/** The trailing comment of a pi-hosts line: model (or architecture) and MAC. */
function noteFor(host: CheckedHost): string | undefined {
  const what = host.facts?.model ?? (host.facts?.arch ? `${host.facts.arch}${host.vendor ? ` ${host.vendor}` : ''}` : undefined);
  return [what, host.mac].filter(Boolean).join(', ') || undefined;
}
