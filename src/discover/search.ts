import { existsSync, readFileSync } from 'node:fs';
import { silent, type Reporter } from '../events.js';
import { checkPrivateKeyPath } from '../remote/keys.js';
import { listInterfaces, selectInterfaces, type LocalInterface } from './interfaces.js';
import { inventoryHosts, parseInventory, type Inventory } from '../inventory/ini.js';
import { browseMdns, type BrowseResult } from './mdns.js';
import { parseSweepRange, sweepSsh } from './sweep.js';
import { vendorOf } from './vendor.js';

/**
 * The first step of discover: finding hosts on the network (mDNS, and the sweep when asked). Kept
 * apart, with only what sending a query needs, so the CLI can start it before it loads the config
 * and the rest of discover: the hosts' names only need the prefix once they are reported.
 */

/** A host seen on the network, before any SSH. */
export interface FoundHost {
  /** From mDNS (or pi-cluster.yaml for a fixed address); hosts found only by --sweep are named by the SSH probe. */
  name?: string;
  address: string;
  mac?: string;
  vendor?: string;
  /** config: a fixed address of pi-cluster.yaml that mDNS did not announce. */
  source: 'mdns' | 'sweep' | 'config';
  foundMs: number;
  /** The local interface it answered on (mDNS). */
  via?: string;
}

export interface SearchOptions {
  timeoutMs: number;
  /** Interface names or addresses; empty: every up multicast IPv4 interface. */
  interfaces: string[];
  sweep?: string;
  /** The pi-hosts file: its hosts are awaited by the browse. */
  inventoryPath: string;
  /** Stop browsing as soon as this many cluster hosts are found. */
  expect?: number;
  /** The cluster's name prefix. Unknown at the start (the config is still loading): call setPrefix. */
  prefix?: string;
  /** When known at the start, the key is checked before the first packet leaves. */
  sshKeyPath?: string;
  /** Called once per host, in the order found; held until the prefix is known. */
  onFound?: (host: FoundHost, isCluster: boolean) => void;
  report?: Reporter;
  /** mDNS port and probe port, for tests. */
  mdnsPort?: number;
  sshPort?: number;
}

export interface SearchResult {
  /** By name (by address for unnamed sweep hits), in the order found. */
  found: Map<string, FoundHost>;
  browse?: BrowseResult;
  firstHostMs?: number;
}

export interface Search {
  /** The interfaces browsed (none for a sweep alone). */
  interfaces: LocalInterface[];
  /** pi-hosts as it was before the run. */
  existing?: Inventory;
  /** Reports the hosts held so far, and from now on each as it comes. */
  setPrefix(prefix: string): void;
  /**
   * Calls `listener` for every host found so far and from now on for each new one, and again when a host
   * first seen without a name (the sweep) learns it: discover probes each host while the browse goes on.
   */
  subscribe(listener: (host: FoundHost) => void): void;
  /** Settles when the browse and the sweep are over. */
  done: Promise<SearchResult>;
  /** Ends the search early (the run failed elsewhere) and waits for its sockets to close. */
  stop(): Promise<void>;
}

export function isClusterName(name: string | undefined, prefix: string): boolean {
  return Boolean(name && new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\d+$`).test(name));
}

/** Checks everything the search depends on (throws a UserError before any packet leaves), then starts it. */
export function startSearch(options: SearchOptions): Search {
  const report = options.report ?? silent;
  const sweepRange = options.sweep ? parseSweepRange(options.sweep) : undefined;
  const interfaces: LocalInterface[] =
    sweepRange && !options.interfaces.length ? [] : selectInterfaces(listInterfaces(), options.interfaces);
  const existing = existsSync(options.inventoryPath)
    ? parseInventory(readFileSync(options.inventoryPath, 'utf8'), options.inventoryPath.split('/').pop())
    : undefined;
  if (options.sshKeyPath) checkPrivateKeyPath(options.sshKeyPath);

  let prefix = options.prefix;
  const isCluster = (host: FoundHost) => host.name === undefined || isClusterName(host.name, prefix!);
  const held: FoundHost[] = [];
  const found = new Map<string, FoundHost>();
  let firstHostMs: number | undefined;
  const listeners: Array<(host: FoundHost) => void> = [];
  const add = (host: FoundHost) => {
    const byAddress = [...found.values()].find((h) => h.address === host.address);
    if (byAddress) {
      const named = byAddress.name === undefined && host.name !== undefined;
      byAddress.name ??= host.name;
      byAddress.mac ??= host.mac;
      if (named) for (const listener of listeners) listener(byAddress);
      return;
    }
    found.set(host.name ?? host.address, host);
    firstHostMs ??= host.foundMs;
    if (prefix === undefined) held.push(host);
    else options.onFound?.(host, isCluster(host));
    for (const listener of listeners) listener(host);
  };

  const abort = new AbortController();
  const done = Promise.all([
    interfaces.length
      ? browseMdns({
          interfaces,
          timeoutMs: options.timeoutMs,
          port: options.mdnsPort,
          expect: options.expect,
          counts: (h) => prefix !== undefined && isClusterName(h.name, prefix),
          awaited: existing ? inventoryHosts(existing).map((h) => h.name) : undefined,
          report,
          signal: abort.signal,
          onHost: (h) =>
            add({
              name: h.name,
              address: h.address!,
              mac: h.mac,
              vendor: vendorOf(h.mac),
              source: 'mdns',
              foundMs: h.foundMs ?? 0,
              via: h.via,
            }),
        })
      : undefined,
    sweepRange
      ? sweepSsh(sweepRange, {
          port: options.sshPort,
          signal: abort.signal,
          onHit: (hit) => add({ address: hit.address, source: 'sweep', foundMs: hit.foundMs }),
        })
      : undefined,
  ]).then(([browse]) => {
    // MACs that came in after the host was first reported.
    for (const host of browse?.hosts ?? []) {
      const entry = [...found.values()].find((f) => f.address === host.address);
      if (entry && !entry.mac && host.mac) Object.assign(entry, { mac: host.mac, vendor: vendorOf(host.mac) });
    }
    return { found, browse, firstHostMs };
  });
  done.catch(() => {}); // handled by whoever awaits it; stop() ends it on purpose

  return {
    interfaces,
    existing,
    setPrefix(value) {
      prefix = value;
      for (const host of held.splice(0)) options.onFound?.(host, isCluster(host));
    },
    subscribe(listener) {
      listeners.push(listener);
      for (const host of [...found.values()]) listener(host);
    },
    done,
    async stop() {
      abort.abort(new Error('discover: search stopped'));
      await done.then(
        () => undefined,
        () => undefined,
      );
    },
  };
}
