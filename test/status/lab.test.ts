// pi-cluster status against virtual Pis: every per-Pi fact is read from the lab hosts' real /proc and
// /sys over SSH, the fsync probe runs for real, and certificate expiry comes from a PKI made with openssl.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { release as kernelRelease, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { labInventory } from '../ansible/helpers.js';
import { runCli } from '../helpers/cli.js';
import { Lab, labSkipReason } from '../lab/index.js';
import { makePki } from './pki.js';

const skip = labSkipReason();

interface StatusJson {
  hosts: Array<{
    name: string;
    reachable: boolean;
    error?: string;
    facts?: Record<string, unknown> & { fsyncMs: number[] };
    fsyncP99Ms?: number;
  }>;
  certificates: Array<{ file: string; daysLeft: number }>;
  findings: Array<{ host: string; severity: string; problem: string }>;
}

describe('pi-cluster status on 3 virtual Pis', { skip }, () => {
  let lab: Lab;
  let project: string;
  const status = async () => {
    const result = await runCli(['status', '--json', '--ssh-key', lab.privateKeyPath], { cwd: project, timeoutMs: 60_000 });
    return { ...result, json: JSON.parse(result.stdout || '{}') as StatusJson };
  };

  before(async () => {
    lab = new Lab({ name: 'status' });
    const hosts = await lab.up(3, { prefix: 'pi' });
    project = mkdtempSync(join(tmpdir(), 'pi-cluster-status-'));
    writeFileSync(join(project, 'pi-hosts'), labInventory(hosts));
    mkdirSync(join(project, '.pi-cluster'));
    copyFileSync(lab.knownHostsPath, join(project, '.pi-cluster/known_hosts'));
    // kubeadm's PKI on the master: the API server's certificate runs out in 10 days.
    const pki = mkdtempSync(join(tmpdir(), 'pi-cluster-status-pki-'));
    makePki(pki, { apiserver: 10, 'front-proxy-client': 365 });
    for (const name of ['ca.crt', 'apiserver.crt', 'front-proxy-client.crt']) {
      await lab.exec('pi0', ['sh', '-c', `mkdir -p /etc/kubernetes/pki && cat >/etc/kubernetes/pki/${name}`], {
        input: readFileSync(join(pki, name)),
      });
    }
  });
  after(async () => {
    await lab?.down();
  });

  it("reads each Pi's facts from its own /proc and /sys, and runs the fsync probe", async () => {
    const run = await status();
    assert.equal(run.code, 1, 'the expiring certificate needs action');
    assert.match(run.stderr, /needs? action/);
    assert.deepEqual(
      run.json.hosts.map((h) => [h.name, h.reachable]),
      [
        ['pi0', true],
        ['pi1', true],
        ['pi2', true],
      ],
    );
    for (const h of run.json.hosts) {
      const f = h.facts!;
      const meminfo = (await lab.exec(h.name, ['cat', '/proc/meminfo'])).stdout;
      assert.equal(f.memTotalBytes, Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)![1]) * 1024, `${h.name}: MemTotal`);
      assert.equal(f.kernel, kernelRelease());
      assert.match(String(f.os), /Debian/);
      assert.equal(f.hostname, h.name);
      assert.ok(Number(f.uptimeSeconds) > 0);
      const thermal = await lab.exec(h.name, ['sh', '-c', 'cat /sys/class/thermal/thermal_zone0/temp 2>/dev/null || true']);
      if (thermal.stdout.trim()) assert.equal(f.temperatureC, Number(thermal.stdout.trim()) / 1000);
      else assert.equal(f.temperatureC, undefined, 'no thermal zone: unknown, not invented');
      assert.equal(f.throttling, undefined, 'no Raspberry Pi firmware here: throttling unknown');
      assert.equal(f.fsyncMs.length, 20);
      assert.ok(
        f.fsyncMs.every((ms) => ms > 0 && ms < 5000),
        f.fsyncMs.join(' '),
      );
      assert.ok(h.fsyncP99Ms! >= Math.max(...f.fsyncMs) * 0.99 - 1e-9 || h.fsyncP99Ms! > 0);
      const left = await lab.exec(h.name, ['sh', '-c', 'ls /var/lib/pi-cluster/ 2>/dev/null | grep -c fsync-probe || true']);
      assert.equal(left.stdout.trim(), '0', 'the probe file is removed');
    }
  });

  it("reads the master's certificates and warns about the one that expires in 10 days", async () => {
    const run = await status();
    const apiserver = run.json.certificates.find((c) => c.file === '/etc/kubernetes/pki/apiserver.crt');
    assert.ok(apiserver && apiserver.daysLeft >= 9 && apiserver.daysLeft <= 10, JSON.stringify(run.json.certificates));
    assert.ok(run.json.findings.some((f) => f.severity === 'warn' && /apiserver\.crt expires in (9|10) days/.test(f.problem)));
  });

  it('a stopped Pi is shown as not reachable, and fails', async () => {
    await lab.stop('pi2');
    try {
      const run = await status();
      assert.equal(run.code, 1);
      const pi2 = run.json.hosts.find((h) => h.name === 'pi2')!;
      assert.equal(pi2.reachable, false);
      assert.ok(run.json.findings.some((f) => f.host === 'pi2' && f.severity === 'fail' && /not reachable/.test(f.problem)));
      const table = await runCli(['status', '--ssh-key', lab.privateKeyPath], { cwd: project, timeoutMs: 60_000 });
      assert.match(table.stdout, /^pi2 +198\.51\.100\.12 +worker +DOWN/m);
      assert.match(table.stdout, /^pi0 .* unknown +unknown /m, 'temperature and throttling unknown in the lab');
    } finally {
      await lab.start('pi2');
    }
  });
});
