import { EventEmitter } from 'node:events';
import type { RemoteInfo } from 'node:dgram';
import bonjourService from 'bonjour-service';
import makeMdns from 'multicast-dns';
import { UserError } from '../errors.js';
import { silent, type Reporter } from '../events.js';
import { interfaceFor, type LocalInterface } from './interfaces.js';
import { MdnsHostTable, type MdnsHost, type ServiceKind } from './mdns-hosts.js';

/**
 * Browses `_ssh._tcp` and `_workstation._tcp` with bonjour-service's Browser, on one multicast-dns
 * socket per interface (bonjour-service alone only uses the default route's interface).
 *
 * mDNS is lossy, so queries repeat with RFC 6762 backoff (1 s, 2 s, 4 s ...), and a host seen
 * without an address is asked for its A record. The browse ends when the set is stable: a
 * repeated query has been answered with no new host for `answerWindowMs`, no host is missing
 * its address, and every awaited host is there; never later than `timeoutMs`.
 */

export interface BrowseOptions {
  interfaces: LocalInterface[];
  timeoutMs: number;
  /** Called once per host, as soon as its name and address are known. */
  onHost?: (host: MdnsHost) => void;
  /** Stop as soon as this many hosts pass `counts` (e.g. the cluster's hosts). */
  expect?: number;
  counts?: (host: MdnsHost) => boolean;
  /**
   * Hosts that should answer (those already in pi-hosts): the set is not stable while one of them is
   * missing, so a host is only reported missing after the full timeout.
   */
  awaited?: string[];
  /** How long after a repeated query a silence counts as "nothing new". Default ANSWER_WINDOW_MS. */
  answerWindowMs?: number;
  /** UDP port; 5353 except in tests. */
  port?: number;
  report?: Reporter;
  /** Ends the browse early (the run failed elsewhere): the sockets close and the promise rejects. */
  signal?: AbortSignal;
}

export interface BrowseResult {
  hosts: MdnsHost[];
  elapsedMs: number;
  stoppedBy: 'stable' | 'timeout' | 'expected';
  queries: number;
}

const SERVICE_TYPES: Array<{ kind: ServiceKind; type: string }> = [
  { kind: 'ssh', type: 'ssh' },
  { kind: 'workstation', type: 'workstation' },
];
/** RFC 6762 5.2: the first two queries at least one second apart. */
const FIRST_REQUERY_MS = 1000;
/**
 * A responder answers a query for shared records (PTR) after 20-120 ms (RFC 6762 section 6; avahi's
 * response-sched.c: AVAHI_RESPONSE_DEFER_MSEC 20 + JITTER 100). Half a second after the repeated query
 * leaves 380 ms for a slow link; a Pi that is still booting needs --expect N or a listing in pi-hosts.
 */
const ANSWER_WINDOW_MS = 500;
const MAX_REQUERY_MS = 16_000;

export async function browseMdns(options: BrowseOptions): Promise<BrowseResult> {
  const report = options.report ?? silent;
  const answerWindowMs = options.answerWindowMs ?? ANSWER_WINDOW_MS;
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const table = new MdnsHostTable(elapsed, (candidates, via) => {
    const local = options.interfaces.find((i) => i.name === via);
    return (local && candidates.find((c) => interfaceFor([local], c))) ?? candidates[0];
  });

  const sockets = options.interfaces.map((local) => openSocket(local, options.port ?? 5353));
  const browsers: Array<InstanceType<typeof bonjourService.Browser>> = [];
  let lastNewMs = -Infinity;
  let lastQueryMs = 0;
  let queries = 0;
  let nextQueryMs = FIRST_REQUERY_MS;
  let interval = FIRST_REQUERY_MS;

  const found = (host: MdnsHost | undefined) => {
    if (!host) return;
    lastNewMs = elapsed();
    options.onHost?.(host);
  };

  const queryAddresses = (names: string[]) => {
    if (!names.length) return;
    for (const { mdns } of sockets) mdns.query(names.map((name) => ({ name, type: 'A' as const })));
  };

  for (const socket of sockets) browsers.push(...listen(socket, table, found, queryAddresses));
  queries = 1;
  // performance.now() counts from the start of the process: what Node's start-up and module loading cost.
  report({ kind: 'debug', message: `mDNS query 1 at 0 ms (${Math.round(started)} ms after the process started)` });

  try {
    const stoppedBy = await new Promise<BrowseResult['stoppedBy']>((resolve, reject) => {
      const tick = setInterval(() => {
        const now = elapsed();
        const hosts = table.found();
        if (options.expect !== undefined && hosts.filter(options.counts ?? (() => true)).length >= options.expect)
          return finish('expected');
        if (now >= options.timeoutMs) return finish('timeout');
        const allAwaited = (options.awaited ?? []).every((name) => hosts.some((h) => h.name === name));
        const stable =
          hosts.length > 0 &&
          allAwaited &&
          table.unresolved().length === 0 &&
          lastQueryMs > lastNewMs &&
          now - lastQueryMs >= answerWindowMs;
        if (stable) return finish('stable');
        // A host that appeared after the first round: ask again one second later rather than after the full backoff.
        if (lastNewMs > FIRST_REQUERY_MS) nextQueryMs = Math.min(nextQueryMs, Math.max(lastNewMs, lastQueryMs) + FIRST_REQUERY_MS);
        if (now >= nextQueryMs) {
          for (const browser of browsers) browser.update();
          queryAddresses(table.unresolved());
          queries++;
          lastQueryMs = now;
          interval = Math.min(interval * 2, MAX_REQUERY_MS);
          nextQueryMs = now + interval;
          report({
            kind: 'debug',
            message: `mDNS query ${queries} at ${Math.round(now)} ms (${hosts.length} host${hosts.length === 1 ? '' : 's'} so far)`,
          });
        }
      }, 25);
      const fail = (error: unknown) => {
        clearInterval(tick);
        options.signal?.removeEventListener('abort', aborted);
        reject(error);
      };
      const aborted = () => fail(options.signal!.reason);
      for (const socket of sockets) socket.failed.catch(fail);
      if (options.signal?.aborted) aborted();
      else options.signal?.addEventListener('abort', aborted, { once: true });
      function finish(reason: BrowseResult['stoppedBy']) {
        clearInterval(tick);
        options.signal?.removeEventListener('abort', aborted);
        resolve(reason);
      }
    });
    return { hosts: table.found(), elapsedMs: Math.round(elapsed()), stoppedBy, queries };
  } finally {
    for (const browser of browsers) browser.stop();
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.mdns.destroy(() => resolve()))));
  }
}

/**
 * Wires one interface's socket: answers from other networks are dropped (every socket on port 5353 gets them
 * all), addresses and workstation MACs go into the table, and one browser per service type reports hosts.
 */
function listen(
  socket: ReturnType<typeof openSocket>,
  table: MdnsHostTable,
  found: (host: MdnsHost | undefined) => void,
  queryAddresses: (names: string[]) => void,
): Array<InstanceType<typeof bonjourService.Browser>> {
  const browsers: Array<InstanceType<typeof bonjourService.Browser>> = [];
  // Only answers from the interface's own network: every socket on port 5353 receives all of them.
  const filtered = new EventEmitter() as EventEmitter & { query: typeof socket.mdns.query };
  filtered.query = socket.mdns.query.bind(socket.mdns);
  socket.mdns.on('response', (packet, rinfo: RemoteInfo) => {
    if (!interfaceFor([socket.local], rinfo.address)) return;
    const records = [...packet.answers, ...packet.additionals];
    // Whatever the packet tells about MACs goes in first, so a host reported via its ssh service has it.
    for (const record of records) {
      if (record.type === 'SRV' && record.name.endsWith('._workstation._tcp.local'))
        table.noteWorkstation(record.name.slice(0, -'._workstation._tcp.local'.length), record.data.target);
    }
    filtered.emit('response', packet, rinfo);
    for (const record of records) {
      if (record.type === 'A' && (record.ttl ?? 0) > 0 && typeof record.data === 'string')
        found(table.addAddress(record.name, record.data, socket.local.name));
    }
  });
  for (const { kind, type } of SERVICE_TYPES) {
    const browser = new bonjourService.Browser(filtered, { type, protocol: 'tcp' });
    browser.on('up', (service) => {
      const host = table.addService(
        { kind, instance: service.name, target: service.host, port: service.port, addresses: service.addresses },
        socket.local.name,
      );
      found(host);
      if (!host && table.unresolved().length) queryAddresses(table.unresolved());
    });
    browsers.push(browser);
  }
  return browsers;
}

function openSocket(local: LocalInterface, port: number) {
  // bind 0.0.0.0 + the interface address: the combination that receives answers on a bridge or veth.
  const mdns = makeMdns({ interface: local.address, bind: '0.0.0.0', port });
  const failed = new Promise<never>((_, reject) => {
    mdns.on('error', (error: Error & { code?: string }) =>
      reject(
        new UserError(`cannot listen for mDNS on ${local.name} (${local.address}) port ${port}: ${error.code ?? error.message}`, {
          hint: 'another program may hold the port without sharing it; or use --sweep CIDR to find the Pis without mDNS',
          cause: error,
        }),
      ),
    );
  });
  failed.catch(() => {});
  mdns.on('warning', () => {});
  return { local, mdns, failed };
}
