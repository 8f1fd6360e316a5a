/** Terminal text of `pi-cluster status` (pure: every function returns text). */
import type { ClusterStatus, HostStatus } from '../status/status.js';
import { paint } from './style.js';
import { renderTable } from './table.js';

const GiB = (bytes: number | undefined) => (bytes === undefined ? '?' : `${(bytes / 2 ** 30).toFixed(1)}G`);

function uptime(seconds: number | undefined): string {
  if (seconds === undefined) return '?';
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  return days ? `${days}d ${hours}h` : `${hours}h ${Math.floor((seconds % 3600) / 60)}m`;
}

function throttling(h: HostStatus): string {
  const t = h.facts?.throttling;
  if (!t) return 'unknown';
  if (!t.now.length && !t.sinceBoot.length) return 'none';
  return [t.now.length ? `now: ${t.now.join(', ')}` : '', t.sinceBoot.length ? `since boot: ${t.sinceBoot.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
}

export function hostsTable(status: ClusterStatus): string {
  const rows = status.hosts.map((h) => {
    const f = h.facts;
    if (!h.reachable || !f) return [h.name, h.address, h.group.replace(/s$/, ''), 'DOWN', h.error ?? '', '', '', '', '', '', '', ''];
    return [
      h.name,
      h.address,
      h.group.replace(/s$/, ''),
      uptime(f.uptimeSeconds),
      `${f.os ?? '?'} / ${f.kernel ?? '?'}`,
      `${GiB(f.memAvailableBytes)}/${GiB(f.memTotalBytes)}`,
      `${GiB(f.rootAvailBytes)}/${GiB(f.rootSizeBytes)}`,
      f.temperatureC === undefined ? 'unknown' : `${f.temperatureC.toFixed(0)}°C`,
      throttling(h),
      f.skewSeconds === undefined ? '?' : `${f.skewSeconds >= 0 ? '+' : ''}${f.skewSeconds.toFixed(0)}s`,
      f.swapBytes === undefined ? '?' : f.swapBytes > 0 ? GiB(f.swapBytes) : 'off',
      h.fsyncP99Ms === undefined ? '?' : `${h.fsyncP99Ms.toFixed(1)} ms`,
    ];
  });
  return renderTable(
    ['host', 'address', 'role', 'uptime', 'os / kernel', 'mem free', 'disk free', 'temp', 'throttling', 'clock', 'swap', 'fsync p99'],
    rows,
  );
}

export function clusterLines(status: ClusterStatus): string[] {
  const lines: string[] = [];
  if (status.nodes) {
    lines.push(
      `nodes: ${status.nodes.map((n) => `${n.name} ${n.ready ? 'Ready' : 'NotReady'} ${n.kubeletVersion}${n.roles.length ? ` (${n.roles.join(',')})` : ''}`).join('; ') || 'none'}`,
    );
  } else {
    lines.push('nodes: unknown (no kubectl and admin.conf on the first master yet: run `pi-cluster bootstrap`)');
  }
  if (status.certificates.length) {
    const soonest = [...status.certificates].sort((a, b) => a.daysLeft - b.daysLeft)[0]!;
    lines.push(
      `certificates: ${status.certificates.length} read; the first to expire is ${soonest.file} in ${soonest.daysLeft} days (${soonest.notAfter.slice(0, 10)})`,
    );
  } else {
    lines.push('certificates: none found on the first master (/etc/kubernetes/pki)');
  }
  lines.push(
    status.newestLocalBackup
      ? `newest local etcd snapshot: ${status.newestLocalBackup.file} (${status.newestLocalBackup.ageHours.toFixed(0)} h old); NFS backups are not checked here`
      : 'local etcd snapshots: none (`pi-cluster etcd snapshot`); NFS backups are not checked here',
  );
  return lines;
}

export function findingLines(status: Pick<ClusterStatus, 'findings'>, color: boolean): string[] {
  if (!status.findings.length) return [paint('green', 'nothing needs action', color)];
  return status.findings.map(
    (f) =>
      `${paint(f.severity === 'fail' ? 'red' : 'yellow', f.severity === 'fail' ? 'FAIL' : 'warn', color)} ${f.host}: ${f.problem}\n     fix: ${f.fix}`,
  );
}

/** The first line of each `status --watch` screen: the interval, the round and how long it took. */
export function watchHeader(status: ClusterStatus, watch: { round: number; seconds: number; at: Date }): string {
  const up = status.hosts.filter((h) => h.reachable).length;
  return `Every ${watch.seconds} s: pi-cluster status  round ${watch.round}, ${status.ms} ms, ${up}/${status.hosts.length} Pis answered  ${watch.at.toISOString().slice(11, 19)} UTC  (Ctrl-C to stop)`;
}
