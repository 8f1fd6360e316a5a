/**
 * What `pi-cluster status` reads from each Pi in one SSH round trip: POSIX sh that runs on Alpine's
 * busybox and on Debian alike, printing `key=value` lines. A fact a host does not have (no thermal
 * zone, no firmware throttling file off a Pi) is left out and shown as unknown, never invented.
 */

/** Writes the fsync probe makes: small and few, so the probe stays well under a second on a good card. */
export const FSYNC_PROBES = 20;
/** etcd's guidance: the 99th percentile of WAL fsync under 10 ms. */
export const FSYNC_P99_LIMIT_MS = 10;

export const STATUS_SCRIPT = [
  'echo "hostname=$(hostname)"',
  "awk '{print \"uptime_s=\" int($1)}' /proc/uptime",
  'echo "kernel=$(uname -r)"',
  'echo "arch=$(uname -m)"',
  '. /etc/os-release 2>/dev/null && echo "os=$PRETTY_NAME"',
  "awk '/^MemTotal:/ {print \"mem_total_kb=\" $2} /^MemAvailable:/ {print \"mem_available_kb=\" $2} /^SwapTotal:/ {print \"swap_total_kb=\" $2}' /proc/meminfo",
  "df -Pk / | awk 'NR==2 {print \"root_size_kb=\" $2; print \"root_avail_kb=\" $4}'",
  'echo "time=$(date +%s)"',
  't=/sys/class/thermal/thermal_zone0/temp; [ -r "$t" ] && echo "temp_millic=$(cat "$t")"',
  // The firmware's throttling bits: vcgencmd when there is one, else the firmware driver's sysfs file.
  'if command -v vcgencmd >/dev/null 2>&1; then vcgencmd get_throttled | sed -n "s/^throttled=/throttled=/p";'
    + ' elif [ -r /sys/devices/platform/soc/soc:firmware/get_throttled ]; then echo "throttled=0x$(cat /sys/devices/platform/soc/soc:firmware/get_throttled)"; fi',
  "awk '$1==\"memory\" {print \"memory_cgroup=\" $4}' /proc/cgroups 2>/dev/null",
  'grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null && echo "memory_cgroup2=1"',
  'echo "page_size=$(getconf PAGESIZE 2>/dev/null)"',
  // fsync latency of the root file system: each write of etcd's WAL size is synced (dd conv=fsync, whose
  // reported time includes the sync). The probe file lives under /var/lib and is removed.
  `d=/var/lib/pi-cluster; mkdir -p "$d" 2>/dev/null || d=/tmp; f="$d/.status-fsync-probe.$$"; i=0; while [ $i -lt ${FSYNC_PROBES} ]; do`
    + ' dd if=/dev/zero of="$f" bs=2300 count=1 conv=fsync 2>&1 | sed -n "s/.*copied, \\([0-9.]*\\) s.*/fsync_s=\\1/p"; i=$((i + 1)); done; rm -f "$f"',
].join('\n');

/** The firmware's get_throttled bits (Raspberry Pi documentation, "vcgencmd get_throttled"). */
const THROTTLE_BITS: Array<[number, string, 'now' | 'since boot']> = [
  [0, 'under-voltage', 'now'],
  [1, 'ARM frequency capped', 'now'],
  [2, 'throttled', 'now'],
  [3, 'soft temperature limit', 'now'],
  [16, 'under-voltage', 'since boot'],
  [17, 'ARM frequency capped', 'since boot'],
  [18, 'throttled', 'since boot'],
  [19, 'soft temperature limit', 'since boot'],
];

export interface Throttling {
  raw: number;
  now: string[];
  sinceBoot: string[];
}

export function decodeThrottled(value: number): Throttling {
  const pick = (when: 'now' | 'since boot') => THROTTLE_BITS.filter(([bit, , w]) => w === when && (value & (1 << bit)) !== 0).map(([, word]) => word);
  return { raw: value, now: pick('now'), sinceBoot: pick('since boot') };
}

export interface PiFacts {
  hostname: string;
  uptimeSeconds?: number;
  kernel?: string;
  arch?: string;
  os?: string;
  memTotalBytes?: number;
  memAvailableBytes?: number;
  swapBytes?: number;
  rootSizeBytes?: number;
  rootAvailBytes?: number;
  /** Remote clock minus local clock, seconds (local = middle of the round trip). */
  skewSeconds?: number;
  temperatureC?: number;
  throttling?: Throttling;
  memoryCgroup?: boolean;
  pageSize?: number;
  /** Milliseconds of each probe write + fsync, in order. */
  fsyncMs: number[];
}

function num(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function parseStatusFacts(stdout: string, localMidSeconds: number): PiFacts {
  const kv = new Map<string, string>();
  const fsyncMs: number[] = [];
  for (const line of stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const key = line.slice(0, at).trim();
    const value = line.slice(at + 1).trim();
    if (key === 'fsync_s') {
      const s = num(value);
      if (s !== undefined) fsyncMs.push(s * 1000);
    } else if (!kv.has(key)) kv.set(key, value);
  }
  const kb = (key: string) => {
    const n = num(kv.get(key));
    return n === undefined ? undefined : n * 1024;
  };
  const time = num(kv.get('time'));
  const temp = num(kv.get('temp_millic'));
  const throttled = kv.get('throttled');
  const cgroup = kv.get('memory_cgroup') === '1' || kv.get('memory_cgroup2') === '1' ? true : kv.has('memory_cgroup') ? false : undefined;
  return {
    hostname: kv.get('hostname') ?? '',
    uptimeSeconds: num(kv.get('uptime_s')),
    kernel: kv.get('kernel') || undefined,
    arch: kv.get('arch') || undefined,
    os: kv.get('os') || undefined,
    memTotalBytes: kb('mem_total_kb'),
    memAvailableBytes: kb('mem_available_kb'),
    swapBytes: kb('swap_total_kb'),
    rootSizeBytes: kb('root_size_kb'),
    rootAvailBytes: kb('root_avail_kb'),
    skewSeconds: time === undefined ? undefined : time - localMidSeconds,
    temperatureC: temp === undefined ? undefined : temp / 1000,
    throttling: throttled && /^0x[0-9a-f]+$/i.test(throttled) ? decodeThrottled(Number.parseInt(throttled, 16)) : undefined,
    memoryCgroup: cgroup,
    pageSize: num(kv.get('page_size')),
    fsyncMs,
  };
}

/** The q-quantile (0..1) of a list of numbers, nearest rank. */
export function quantile(values: number[], q: number): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
