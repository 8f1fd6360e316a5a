import type { Finding } from '../findings.js';
import type { HostFacts } from './parse.js';

/** etcd's guidance: the 99th percentile of WAL fsync under 10 ms. */
export const FSYNC_P99_LIMIT_MS = 10;

/** The q-quantile (0..1) of a list of numbers, nearest rank. */
export function quantile(values: number[], q: number): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * A Raspberry Pi's own ways to fail, judged from its facts for `status` and bootstrap's preflight: power (the
 * firmware's under-voltage bits), heat (throttling, temperature), the kernel's page size (16K on a Pi 5 breaks
 * some arm64 images), and on a master the card's fsync latency (etcd). A fact the host did not report is not judged;
 * fsync on a RAM root (diskless Alpine) says nothing of the card and is not judged either.
 */
export function piChecks(host: string, facts: HostFacts, { master }: { master: boolean }): Finding[] {
  const findings: Finding[] = [];
  const add = (severity: Finding['severity'], problem: string, fix: string) => findings.push({ host, severity, problem, fix });
  if (facts.throttling?.now.includes('under-voltage'))
    add('fail', 'under-voltage now', 'use the official power supply (5.1 V, 3 A for a Pi 4; 5 A for a Pi 5) and a short, thick cable');
  else if (facts.throttling?.sinceBoot.includes('under-voltage'))
    add('warn', 'under-voltage since boot', 'the power supply sagged under load: use the official supply and a short cable');
  const throttledNow = facts.throttling?.now.filter((w) => w !== 'under-voltage') ?? [];
  if (throttledNow.length) add('warn', `${throttledNow.join(', ')} now`, 'cool the Pi (heatsink, fan, airflow in the case)');
  if (facts.temperatureC !== undefined && facts.temperatureC >= 80)
    add('warn', `${facts.temperatureC.toFixed(0)} °C: the firmware throttles from 80 °C`, 'add a heatsink or fan');
  if (facts.pageSize === 16384)
    add(
      'warn',
      'the kernel uses 16K pages (Pi 5 default): some arm64 images (jemalloc, older Go) crash',
      'put kernel=kernel8.img in usercfg.txt for 4K pages',
    );
  const ramRoot = facts.rootFstype === 'tmpfs' || facts.rootFstype === 'rootfs';
  const p99 = quantile(facts.fsyncMs ?? [], 0.99);
  if (master && !ramRoot && p99 !== undefined && p99 > FSYNC_P99_LIMIT_MS)
    add(
      'warn',
      `fsync p99 ${p99.toFixed(1)} ms on / (etcd wants under ${FSYNC_P99_LIMIT_MS} ms): leader elections and API timeouts under load`,
      "put the masters' root file system on a USB SSD",
    );
  return findings;
}
