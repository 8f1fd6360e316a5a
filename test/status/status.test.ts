// pi-cluster status: the facts script's parser, the firmware's throttling bits, certificates read from a
// real PKI made with openssl in kubeadm's layout, and what needs action.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeThrottled, parseFacts } from '../../src/facts/index.js';
import { quantile } from '../../src/facts/index.js';
import { judge, parseMasterText, type HostStatus } from '../../src/status/status.js';
import { makePki } from './pki.js';

describe('status facts', () => {
  it("decodes the firmware's get_throttled bits into words", () => {
    assert.deepEqual(decodeThrottled(0x50005), {
      raw: 0x50005,
      now: ['under-voltage', 'throttled'],
      sinceBoot: ['under-voltage', 'throttled'],
    });
    assert.deepEqual(decodeThrottled(0x80000), { raw: 0x80000, now: [], sinceBoot: ['soft temperature limit'] });
    assert.deepEqual(decodeThrottled(0), { raw: 0, now: [], sinceBoot: [] });
  });

  it("parses the script's output; what a host does not report stays unknown", () => {
    const out = [
      '@hostname',
      'pi0',
      '@uptime',
      '7260',
      '@kernel',
      '6.12.13-0-rpi',
      '@os',
      'NAME="Alpine Linux"',
      'PRETTY_NAME="Alpine Linux v3.24"',
      '@mem',
      'MemTotal:        3884000 kB',
      'MemAvailable:    2000000 kB',
      'SwapTotal:             0 kB',
      '@root',
      'fstype ext4',
      'size_kb 30000000',
      'avail_kb 20000000',
      '@time',
      '1000',
      '@temp',
      '61234',
      '@throttled',
      '0x50000',
      '@cgroup',
      'v1 1',
      '@page_size',
      '4096',
      '@fsync',
      '0.004',
      '0.030',
    ].join('\n');
    const f = parseFacts(out, { localMidSeconds: 998.5 });
    assert.equal(f.os, 'Alpine Linux v3.24');
    assert.equal(f.memAvailableBytes, 2000000 * 1024);
    assert.equal(f.swapBytes, 0);
    assert.equal(f.skewSeconds, 1.5);
    assert.equal(f.temperatureC, 61.234);
    assert.deepEqual(f.throttling?.sinceBoot, ['under-voltage', 'throttled']);
    assert.deepEqual(f.fsyncMs, [4, 30]);
    assert.equal(f.memoryCgroup, true);
    const bare = parseFacts('@hostname\nx\n@fsync\n', { localMidSeconds: 0 });
    assert.deepEqual(bare.fsyncMs, []);
    assert.equal(bare.temperatureC, undefined);
    assert.equal(bare.throttling, undefined);
    assert.equal(bare.memoryCgroup, undefined);
  });

  it('takes p99 by nearest rank', () => {
    assert.equal(quantile([1, 2, 3, 4, 100], 0.99), 100);
    assert.equal(quantile([5], 0.99), 5);
    assert.equal(quantile([], 0.99), undefined);
  });
});

describe('certificates from a real PKI (openssl, kubeadm layout)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-pki-'));
  makePki(dir, { apiserver: 10, 'etcd/server': 365 });
  const now = new Date();
  const adminCert = readFileSync(join(dir, 'apiserver.crt'));
  const text = [
    `@@file /etc/kubernetes/pki/ca.crt\n${readFileSync(join(dir, 'ca.crt'), 'utf8')}`,
    `@@file /etc/kubernetes/pki/apiserver.crt\n${readFileSync(join(dir, 'apiserver.crt'), 'utf8')}`,
    `@@file /etc/kubernetes/pki/etcd/server.crt\n${readFileSync(join(dir, 'etcd/server.crt'), 'utf8')}`,
    `@@kubeconfig /etc/kubernetes/admin.conf\n${adminCert.toString('base64')}\n`,
  ].join('');

  it("reads each certificate's expiry, kubeconfigs' embedded ones too", () => {
    const { certificates, nodes } = parseMasterText(text, now);
    assert.equal(nodes, undefined);
    const days = Object.fromEntries(certificates.map((c) => [c.file, c.daysLeft]));
    assert.ok(days['/etc/kubernetes/pki/apiserver.crt']! >= 9 && days['/etc/kubernetes/pki/apiserver.crt']! <= 10);
    assert.ok(days['/etc/kubernetes/pki/etcd/server.crt']! >= 364);
    assert.ok(days['/etc/kubernetes/pki/ca.crt']! > 3000);
    assert.ok('/etc/kubernetes/admin.conf (client certificate)' in days);
  });

  it('warns under 30 days with the command that renews, fails when expired', () => {
    const { certificates } = parseMasterText(text, now);
    const findings = judge([], certificates, undefined, undefined, 'pi0', now);
    const warn = findings.find((f) => f.problem.includes('apiserver.crt'));
    assert.equal(warn?.severity, 'warn');
    assert.match(warn!.fix, /^`pi-cluster certs renew`/);
    const in20Days = new Date(now.getTime() + 20 * 86_400_000);
    const later = judge([], parseMasterText(text, in20Days).certificates, undefined, undefined, 'pi0', in20Days);
    assert.equal(later.find((f) => f.problem.includes('apiserver.crt'))?.severity, 'fail');
  });
});

describe('what needs action', () => {
  const host = (facts: Partial<HostStatus['facts']> & object, group: HostStatus['group'] = 'masters', fsyncP99Ms?: number): HostStatus => ({
    name: 'pi0',
    address: '198.51.100.10',
    group,
    reachable: true,
    // The judgement reads the probe's own timings (facts.fsyncMs), as status reads them off the Pi.
    facts: { hostname: 'pi0', rootFstype: 'ext4', fsyncMs: fsyncP99Ms === undefined ? [] : [1, 2, fsyncP99Ms], ...facts },
    fsyncP99Ms,
  });
  const now = new Date('2026-11-30T00:00:00Z');
  const problems = (h: HostStatus) => judge([h], [], undefined, undefined, 'pi0', now).map((f) => `${f.severity} ${f.problem}`);

  it('a healthy Pi: nothing', () => {
    assert.deepEqual(
      problems(
        host(
          { temperatureC: 50, throttling: decodeThrottled(0), swapBytes: 0, memoryCgroup: true, skewSeconds: 0.2, pageSize: 4096 },
          'masters',
          3,
        ),
      ),
      [],
    );
  });

  it('under-voltage now fails, since boot warns; heat, swap, skew, 16K pages warn; no memory cgroup fails', () => {
    assert.deepEqual(problems(host({ throttling: decodeThrottled(0x1) })), ['fail under-voltage now']);
    assert.deepEqual(problems(host({ throttling: decodeThrottled(0x10000) })), ['warn under-voltage since boot']);
    assert.match(problems(host({ temperatureC: 83 }))[0]!, /warn 83 °C/);
    assert.match(problems(host({ swapBytes: 2 ** 30 }))[0]!, /warn swap is on/);
    assert.match(problems(host({ skewSeconds: -42 }))[0]!, /warn clock is -42 s off/);
    assert.match(problems(host({ pageSize: 16384 }))[0]!, /16K pages/);
    assert.deepEqual(problems(host({ memoryCgroup: false })), ['fail the memory cgroup is off (kubelet will not run)']);
  });

  it('a slow card warns on a master (etcd), not on a worker', () => {
    assert.match(problems(host({}, 'masters', 45))[0]!, /fsync p99 45\.0 ms/);
    assert.deepEqual(problems(host({}, 'workers', 45)), []);
  });

  it('a Kubernetes minor past its end of life, and a NotReady node, are named', () => {
    const findings = judge([], [], [{ name: 'pi1', ready: false, roles: [], kubeletVersion: '1.34.2' }], undefined, 'pi0', now);
    assert.deepEqual(
      findings.map((f) => `${f.host} ${f.severity} ${f.problem.split(':')[0]}`),
      [
        'pi1 warn node is NotReady (`kubectl describe node` shows why; before `make apply` there is no pod network yet)'.split(' (')[0]!,
        'cluster warn Kubernetes 1.34 reached its end of life on 2026-10-27',
      ],
    );
  });
});
