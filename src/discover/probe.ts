import { mapBounded, openSession, SshError, type HostKey, type HostKeyCheck, type KnownHosts, type PrivateKey, type SshFailure } from '../remote/index.js';

/** What discover reads from each host over SSH, in one round trip. */
export interface HostFacts {
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

/** POSIX sh that works on Alpine's busybox and on Debian alike; sections start with @name. */
export const FACTS_SCRIPT = [
  'echo @hostname; hostname',
  'echo @arch; uname -m',
  "echo @model; cat /proc/device-tree/model 2>/dev/null | tr -d '\\000'; echo",
  "echo @mem; grep '^MemTotal:' /proc/meminfo",
  'echo @os; cat /etc/os-release 2>/dev/null',
  'echo @addr; ip -o -4 addr show 2>/dev/null',
  'echo @mac; for i in /sys/class/net/*; do echo "${i##*/} $(cat "$i/address" 2>/dev/null)"; done',
].join('; ');

export function parseFacts(output: string, address: string): HostFacts {
  const sections = new Map<string, string[]>();
  let current = '';
  for (const line of output.split('\n')) {
    const header = /^@(\w+)$/.exec(line.trim());
    if (header) {
      current = header[1];
      sections.set(current, []);
    } else if (current) {
      sections.get(current)?.push(line);
    }
  }
  const first = (name: string) => (sections.get(name) ?? []).map((l) => l.trim()).find(Boolean);
  const kib = /MemTotal:\s+(\d+)\s*kB/i.exec(first('mem') ?? '');
  const os = (sections.get('os') ?? []).map((l) => /^PRETTY_NAME=("?)(.*)\1$/.exec(l.trim())?.[2]).find(Boolean);
  let iface: string | undefined;
  for (const line of sections.get('addr') ?? []) {
    const match = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//.exec(line.trim());
    if (match && match[2] === address) iface = match[1].replace(/@.*$/, '');
  }
  const macs = new Map(
    (sections.get('mac') ?? [])
      .map((l) => l.trim().split(/\s+/))
      .filter((parts) => parts.length === 2)
      .map(([name, mac]) => [name, mac.toLowerCase()] as const),
  );
  return {
    hostname: first('hostname') ?? '',
    arch: first('arch') ?? '',
    model: first('model'),
    memoryBytes: kib ? Number(kib[1]) * 1024 : undefined,
    os,
    interface: iface,
    mac: iface ? macs.get(iface) : undefined,
  };
}

export interface ProbeTarget {
  /** Known from mDNS; a host found by --sweep gets its name from the probe. */
  name?: string;
  address: string;
  port?: number;
}

export type ProbeResult =
  | { ok: true; target: ProbeTarget; facts: HostFacts; hostKey: HostKey; hostKeyCheck: HostKeyCheck; knownHostsNames: string[] }
  | { ok: false; target: ProbeTarget; reason: SshFailure; message: string; hint?: string; hostKey?: HostKey };

export interface ProbeOptions {
  key: PrivateKey;
  knownHosts: KnownHosts;
  concurrency?: number;
  connectTimeoutMs?: number;
  /** Called as each host finishes, for progress. */
  onResult?: (result: ProbeResult) => void;
}

/** Connects to every target in parallel (bounded), as root with the cluster key, and reads its facts. */
export async function probeHosts(targets: ProbeTarget[], options: ProbeOptions): Promise<ProbeResult[]> {
  const settled = await mapBounded(
    targets,
    options.concurrency ?? 16,
    async (target): Promise<ProbeResult> => {
      const session = await openSession(
        { address: target.address, name: target.name, port: target.port },
        { key: options.key, knownHosts: options.knownHosts, hostKeys: 'record', connectTimeoutMs: options.connectTimeoutMs },
      );
      try {
        const result = await session.run(FACTS_SCRIPT, { timeoutMs: 15_000 });
        const facts = parseFacts(result.stdout, target.address);
        // A host found by --sweep is filed under the name it gives itself.
        const names = target.name ? session.knownHostsNames : [facts.hostname, ...session.knownHostsNames].filter(Boolean);
        return { ok: true, target, facts, hostKey: session.hostKey, hostKeyCheck: session.hostKeyCheck, knownHostsNames: names };
      } finally {
        session.close();
      }
    },
    (result, target) => options.onResult?.(result.status === 'fulfilled' ? result.value : failure(target, result.reason)),
  );
  return settled.map((result, index) => (result.status === 'fulfilled' ? result.value : failure(targets[index], result.reason)));
}

function failure(target: ProbeTarget, error: unknown): ProbeResult {
  if (error instanceof SshError) {
    return { ok: false, target, reason: error.reason, message: error.message.replace(/^[^:]+: /, ''), hint: error.hint, hostKey: error.hostKey };
  }
  return { ok: false, target, reason: 'protocol', message: error instanceof Error ? error.message : String(error) };
}
