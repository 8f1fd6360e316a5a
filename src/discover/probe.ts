import { silent, type Reporter } from '../events.js';
import { DISCOVER_PROBES, factsScript, parseFacts } from '../facts/index.js';
import {
  mapBounded,
  openSession,
  SshError,
  type HostKey,
  type HostKeyCheck,
  type KnownHosts,
  type PrivateKey,
  type SshFailure,
} from '../remote/index.js';

/** What discover reports of each host (its --json `facts`), read in one round trip. */
export interface DiscoveredFacts {
  hostname: string;
  arch: string;
  /** /proc/device-tree/model, e.g. "Raspberry Pi 4 Model B Rev 1.4"; absent off a Pi. */
  model?: string;
  memoryBytes?: number;
  /** PRETTY_NAME of /etc/os-release. */
  os?: string;
  /** The interface that holds the address we connected to, and its MAC. */
  interface?: string;
  mac?: string;
}

/** Discover's view of the facts script's output (src/facts) for the address it connected to. */
export function discoveredFacts(output: string, address: string): DiscoveredFacts {
  const f = parseFacts(output, { address });
  return {
    hostname: f.hostname,
    arch: f.arch ?? '',
    model: f.model,
    memoryBytes: f.memTotalBytes,
    os: f.os,
    interface: f.interface,
    mac: f.mac,
  };
}

export interface ProbeTarget {
  /** Known from mDNS; a host found by --sweep gets its name from the probe. */
  name?: string;
  address: string;
  port?: number;
}

export type ProbeResult =
  | { ok: true; target: ProbeTarget; facts: DiscoveredFacts; hostKey: HostKey; hostKeyCheck: HostKeyCheck; knownHostsNames: string[] }
  | { ok: false; target: ProbeTarget; reason: SshFailure; message: string; hint?: string; hostKey?: HostKey };

export interface ProbeOptions {
  key: PrivateKey;
  knownHosts: KnownHosts;
  concurrency?: number;
  connectTimeoutMs?: number;
  /** Called as each host finishes, for progress. */
  onResult?: (result: ProbeResult) => void;
  /** Debug lines: how long each host's connection and facts script took. */
  report?: Reporter;
}

/** Connects to every target in parallel (bounded), as root with the cluster key, and reads its facts. */
export async function probeHosts(targets: ProbeTarget[], options: ProbeOptions): Promise<ProbeResult[]> {
  const settled = await mapBounded(
    targets,
    options.concurrency ?? 16,
    (target) => probeHost(target, options),
    (result, target) => options.onResult?.(result.status === 'fulfilled' ? result.value : failure(target, result.reason)),
  );
  return settled.map((result, index) => (result.status === 'fulfilled' ? result.value : failure(targets[index], result.reason)));
}

/** One host: connect, check its key, run the facts script, in one round trip. Throws SshError. */
export async function probeHost(target: ProbeTarget, options: ProbeOptions): Promise<ProbeResult> {
  const report = options.report ?? silent;
  const label = target.name ?? target.address;
  const started = performance.now();
  const session = await openSession(
    { address: target.address, name: target.name, port: target.port },
    { key: options.key, knownHosts: options.knownHosts, hostKeys: 'record', connectTimeoutMs: options.connectTimeoutMs },
  );
  try {
    const connected = performance.now();
    const result = await session.run(factsScript(DISCOVER_PROBES), { timeoutMs: 15_000 });
    report({
      kind: 'debug',
      host: label,
      message: `${label}: SSH connect, handshake and key check ${Math.round(connected - started)} ms, facts script ${Math.round(performance.now() - connected)} ms (done ${Math.round(performance.now())} ms after the process started)`,
    });
    const facts = discoveredFacts(result.stdout, target.address);
    // A host found by --sweep is filed under the name it gives itself.
    const names = target.name ? session.knownHostsNames : [facts.hostname, ...session.knownHostsNames].filter(Boolean);
    return { ok: true, target, facts, hostKey: session.hostKey, hostKeyCheck: session.hostKeyCheck, knownHostsNames: names };
  } finally {
    session.close();
  }
}

/** A thrown error as a failed ProbeResult (an SshError keeps its reason and hint). */
export function failure(target: ProbeTarget, error: unknown): ProbeResult {
  if (error instanceof SshError) {
    return {
      ok: false,
      target,
      reason: error.reason,
      message: error.message.replace(/^[^:]+: /, ''),
      hint: error.hint,
      hostKey: error.hostKey,
    };
  }
  return { ok: false, target, reason: 'protocol', message: error instanceof Error ? error.message : String(error) };
}
