/**
 * One shell script for what pi-cluster reads from a host over SSH (discover's probe, bootstrap's preflight,
 * status): POSIX sh that runs on Alpine's busybox and on Debian alike. Each probe prints one `@name` line,
 * then the raw lines of its fact; a fact a host does not have prints nothing under its name.
 * Each stage asks for the probes it needs (only the fsync probe writes: a small file it removes, for status and preflight).
 */

/** Writes the fsync probe makes: small and few, so the probe stays well under a second on a good card. */
export const FSYNC_PROBES = 20;

export const PROBES = {
  hostname: 'echo @hostname; hostname',
  arch: 'echo @arch; uname -m',
  kernel: 'echo @kernel; uname -r',
  model: "echo @model; cat /proc/device-tree/model 2>/dev/null | tr -d '\\000'; echo",
  os: 'echo @os; cat /etc/os-release 2>/dev/null',
  mem: "echo @mem; grep -E '^(MemTotal|MemAvailable|SwapTotal):' /proc/meminfo",
  addr: 'echo @addr; ip -o -4 addr show 2>/dev/null',
  mac: 'echo @mac; for i in /sys/class/net/*; do echo "${i##*/} $(cat "$i/address" 2>/dev/null)"; done',
  time: 'echo @time; date +%s',
  uptime: "echo @uptime; awk '{print int($1)}' /proc/uptime",
  root: 'echo @root; awk \'$2=="/" {t=$3} END {print "fstype " t}\' /proc/mounts; df -Pk / | awk \'NR==2 {print "size_kb " $2; print "avail_kb " $4}\'',
  card:
    'echo @card; if [ -e /sys/block/mmcblk0/size ]; then total=$(cat /sys/block/mmcblk0/size); end=0;' +
    ' for p in /sys/block/mmcblk0/mmcblk0p*; do [ -e "$p/start" ] || continue; e=$(( $(cat "$p/start") + $(cat "$p/size") ));' +
    ' [ "$e" -gt "$end" ] && end=$e; done; echo "free_bytes $(( (total - end) * 512 ))"; fi',
  // Partition 2 as 20-disk leaves it (blkid prints NAME="value" pairs, busybox's and util-linux's alike).
  cardP2:
    'echo @card_p2; p2=/sys/block/mmcblk0/mmcblk0p2; if [ -e "$p2/size" ]; then echo "bytes $(( $(cat "$p2/size") * 512 ))";' +
    ' id=$(blkid /dev/mmcblk0p2 2>/dev/null); echo "fstype $(echo "$id" | sed -n \'s/.* TYPE="\\([^"]*\\)".*/\\1/p\')";' +
    ' echo "label $(echo "$id" | sed -n \'s/.* LABEL="\\([^"]*\\)".*/\\1/p\')"; fi',
  cgroup:
    'echo @cgroup; awk \'$1=="memory" {print "v1 " $4}\' /proc/cgroups 2>/dev/null; grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null && echo "v2 1"; true',
  alpine: 'echo @alpine; cat /etc/alpine-release 2>/dev/null; true',
  kubelet: "echo @kubelet; command -v kubelet >/dev/null 2>&1 && kubelet --version 2>/dev/null | sed -n 's/^Kubernetes v//p'; true",
  temp: 'echo @temp; t=/sys/class/thermal/thermal_zone0/temp; [ -r "$t" ] && cat "$t"; true',
  // The firmware's throttling bits: vcgencmd when there is one, else the firmware driver's sysfs file.
  throttled:
    'echo @throttled; if command -v vcgencmd >/dev/null 2>&1; then vcgencmd get_throttled | sed -n "s/^throttled=//p";' +
    ' elif [ -r /sys/devices/platform/soc/soc:firmware/get_throttled ]; then echo "0x$(cat /sys/devices/platform/soc/soc:firmware/get_throttled)"; fi',
  pageSize: 'echo @page_size; getconf PAGESIZE 2>/dev/null; true',
  // fsync latency of the root file system: each write of etcd's WAL size is synced (dd conv=fsync, whose
  // reported time includes the sync). The probe file lives under /var/lib and is removed.
  fsync:
    `echo @fsync; d=/var/lib/pi-cluster; mkdir -p "$d" 2>/dev/null || d=/tmp; f="$d/.status-fsync-probe.$$"; i=0; while [ $i -lt ${FSYNC_PROBES} ]; do` +
    ' dd if=/dev/zero of="$f" bs=2300 count=1 conv=fsync 2>&1 | sed -n "s/.*copied, \\([0-9.]*\\) s.*/\\1/p"; i=$((i + 1)); done; rm -f "$f"',
} as const;

export type Probe = keyof typeof PROBES;

/** What discover reads of a host it found: who it is and which interface holds the address it answered on. */
export const DISCOVER_PROBES: readonly Probe[] = ['hostname', 'arch', 'model', 'mem', 'os', 'addr', 'mac'];
/** What bootstrap's preflight judges before any layer runs. */
export const PREFLIGHT_PROBES: readonly Probe[] = [
  'arch',
  'hostname',
  'mem',
  'mac',
  'time',
  'root',
  'card',
  'cardP2',
  'cgroup',
  'alpine',
  'kubelet',
  'temp',
  'throttled',
  'pageSize',
  'fsync',
];
/** What `pi-cluster status` shows of each Pi. */
export const STATUS_PROBES: readonly Probe[] = [
  'hostname',
  'uptime',
  'kernel',
  'arch',
  'os',
  'mem',
  'root',
  'time',
  'temp',
  'throttled',
  'cgroup',
  'pageSize',
  'fsync',
];

/** The script of the given probes, one per line, in order. */
export function factsScript(probes: readonly Probe[]): string {
  return probes.map((probe) => PROBES[probe]).join('\n');
}
