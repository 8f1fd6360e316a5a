import { decodeThrottled, type Throttling } from './throttling.js';

/** A host's facts as read by factsScript(); what the host did not report (or was not asked) stays undefined. */
export interface HostFacts {
  hostname: string;
  arch?: string;
  kernel?: string;
  /** /proc/device-tree/model, e.g. "Raspberry Pi 4 Model B Rev 1.4"; absent off a Pi. */
  model?: string;
  /** PRETTY_NAME of /etc/os-release. */
  os?: string;
  memTotalBytes?: number;
  memAvailableBytes?: number;
  swapBytes?: number;
  /** The interface asked for, or the one that holds the address we connected to; and its MAC. */
  interface?: string;
  mac?: string;
  /** Remote clock minus local clock, seconds (local = middle of the round trip). */
  skewSeconds?: number;
  uptimeSeconds?: number;
  rootFstype?: string;
  rootSizeBytes?: number;
  rootAvailBytes?: number;
  /** Unpartitioned space after the last partition of the SD card, when there is one. */
  cardFreeBytes?: number;
  /** The card's partition 2 when it exists (a diskless Pi that went through part of 20-disk has one). */
  cardSystemPartition?: { bytes: number; fstype: string; label: string };
  /** Is the memory controller enabled in the running kernel (/proc/cgroups, or cgroup v2's controllers). */
  memoryCgroup?: boolean;
  /** /etc/alpine-release on Alpine hosts. */
  alpineRelease?: string;
  /** The installed kubelet's version (after 30-node). */
  kubeletVersion?: string;
  temperatureC?: number;
  throttling?: Throttling;
  pageSize?: number;
  /** Milliseconds of each probe write + fsync, in order (when the fsync probe ran). */
  fsyncMs?: number[];
}

export interface FactsContext {
  /** Local clock (seconds) at the middle of the round trip, for the skew. */
  localMidSeconds?: number;
  /** The address we connected to: its interface is the one reported. */
  address?: string;
  /** Report this interface (bootstrap's network.interface) instead. */
  interface?: string;
}

/** The `@name` sections of the script's output, each with its lines. */
export function factSections(output: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of output.split('\n')) {
    const header = /^@(\w+)$/.exec(line.trim());
    if (header) sections.set(header[1], (current = []));
    else current?.push(line);
  }
  return sections;
}

function num(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses the output of factsScript(): one parser for every stage. */
export function parseFacts(output: string, context: FactsContext = {}): HostFacts {
  const sections = factSections(output);
  const lines = (name: string) => (sections.get(name) ?? []).map((l) => l.trim()).filter(Boolean);
  const first = (name: string) => lines(name)[0];
  /** "key value" lines of a section (root, card, card_p2, cgroup). */
  const pairs = (name: string) => new Map(lines(name).map((l) => [l.split(/\s+/)[0], l.slice(l.split(/\s+/)[0].length).trim()]));
  const meminfo = (key: string) => {
    const kib = num(new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'i').exec(lines('mem').find((l) => l.startsWith(`${key}:`)) ?? '')?.[1]);
    return kib === undefined ? undefined : kib * 1024;
  };
  const facts: HostFacts = { hostname: first('hostname') ?? '' };
  const set = <K extends keyof HostFacts>(key: K, value: HostFacts[K] | undefined) => {
    if (value !== undefined) facts[key] = value;
  };
  set('arch', first('arch'));
  set('kernel', first('kernel'));
  set('model', first('model'));
  set(
    'os',
    lines('os')
      .map((l) => /^PRETTY_NAME=(["']?)(.*)\1$/.exec(l)?.[2])
      .find(Boolean),
  );
  set('memTotalBytes', meminfo('MemTotal'));
  set('memAvailableBytes', meminfo('MemAvailable'));
  set('swapBytes', meminfo('SwapTotal'));

  const macs = new Map(
    lines('mac')
      .map((l) => l.split(/\s+/))
      .filter((p) => p.length === 2)
      .map(([name, mac]) => [name, mac.toLowerCase()] as const),
  );
  let iface = context.interface;
  if (!iface && context.address) {
    for (const line of lines('addr')) {
      const match = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//.exec(line);
      if (match && match[2] === context.address) iface = match[1].replace(/@.*$/, '');
    }
  }
  if (iface && sections.has('mac')) {
    if (!context.interface) set('interface', iface);
    set('mac', macs.get(iface));
  }

  const time = num(first('time'));
  if (time !== undefined && context.localMidSeconds !== undefined) set('skewSeconds', time - context.localMidSeconds);
  set('uptimeSeconds', num(first('uptime')));
  const root = pairs('root');
  set('rootFstype', root.get('fstype'));
  set('rootSizeBytes', num(root.get('size_kb')) === undefined ? undefined : num(root.get('size_kb'))! * 1024);
  set('rootAvailBytes', num(root.get('avail_kb')) === undefined ? undefined : num(root.get('avail_kb'))! * 1024);
  set('cardFreeBytes', num(pairs('card').get('free_bytes')));
  const p2 = pairs('card_p2');
  if (p2.has('bytes'))
    set('cardSystemPartition', { bytes: Number(p2.get('bytes')), fstype: p2.get('fstype') ?? '', label: p2.get('label') ?? '' });
  const cgroup = pairs('cgroup');
  set('memoryCgroup', cgroup.get('v1') === '1' || cgroup.get('v2') === '1' ? true : cgroup.has('v1') ? false : undefined);
  set('alpineRelease', first('alpine'));
  set('kubeletVersion', first('kubelet'));
  const temp = num(first('temp'));
  set('temperatureC', temp === undefined ? undefined : temp / 1000);
  const throttled = first('throttled');
  set('throttling', throttled && /^0x[0-9a-f]+$/i.test(throttled) ? decodeThrottled(Number.parseInt(throttled, 16)) : undefined);
  set('pageSize', num(first('page_size')));
  if (sections.has('fsync'))
    facts.fsyncMs = lines('fsync')
      .map(num)
      .filter((s): s is number => s !== undefined)
      .map((s) => s * 1000);
  return facts;
}
