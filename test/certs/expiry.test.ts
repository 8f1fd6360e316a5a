// Certificate expiry as `certs check` and `status` read it: the real read-only script (src/pki/expiry.ts) run by sh
// over a PKI that openssl made in kubeadm's layout (one certificate expiring in 10 days, one expired, one CA
// near its end), then the thresholds: a warning under 30 days with the command that renews, a failure once expired.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { judgeCertificates } from '../../src/certs/check.js';
import { certificateFindings, CERTS_SCRIPT, parseCertificates, type CertificateExpiry } from '../../src/pki/expiry.js';
import { kubeconfigWithCert, kubeletConf, makePki } from '../status/pki.js';

/** A master's /etc/kubernetes under `root`, and the script's answer about it. */
function master() {
  const root = mkdtempSync(join(tmpdir(), 'pi-cluster-certs-'));
  const pki = join(root, 'etc/kubernetes/pki');
  makePki(pki, {
    apiserver: 10,
    'apiserver-kubelet-client': 400,
    'front-proxy-client': -1,
    'front-proxy-ca': 20,
    'etcd/server': 400,
    'etcd/ca': 3650,
    admin: 365,
    kubelet: 365,
  });
  writeFileSync(join(root, 'etc/kubernetes/admin.conf'), kubeconfigWithCert(readFileSync(join(pki, 'admin.crt'), 'utf8')));
  const kubeletPem = join(root, 'var/lib/kubelet/pki/kubelet-client-current.pem');
  mkdirSync(join(kubeletPem, '..'), { recursive: true });
  // kubelet's file holds its certificate and its key.
  writeFileSync(kubeletPem, readFileSync(join(pki, 'kubelet.crt'), 'utf8') + readFileSync(join(pki, 'kubelet.key'), 'utf8'));
  writeFileSync(join(root, 'etc/kubernetes/kubelet.conf'), kubeletConf(kubeletPem));
  // The script as the master runs it, pointed at this root (the paths are its only difference).
  const script = CERTS_SCRIPT.replaceAll('/etc/kubernetes', `${root}/etc/kubernetes`);
  const out = execFileSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env } });
  return { root, pki, out };
}

describe('certificate expiry from a real PKI', () => {
  const { root, out } = master();
  const answer = out;
  const now = new Date();
  const certificates = parseCertificates(answer, now);
  const byName = Object.fromEntries(certificates.map((c) => [c.name, c]));

  it('names each certificate as kubeadm does, with its kind and days left, soonest first', () => {
    assert.ok(byName.apiserver!.daysLeft >= 9 && byName.apiserver!.daysLeft <= 10);
    assert.equal(byName.apiserver!.kind, 'kubeadm');
    assert.equal(byName['etcd-server']!.file, `${root}/etc/kubernetes/pki/etcd/server.crt`);
    assert.equal(byName['etcd-ca']!.kind, 'ca');
    assert.equal(byName['front-proxy-ca']!.kind, 'ca');
    assert.equal(byName.ca!.kind, 'ca');
    assert.ok(byName['front-proxy-client']!.daysLeft < 0, 'expired');
    assert.equal(certificates[0]!.name, 'front-proxy-client', 'soonest first');
    assert.equal(byName['admin.conf']!.kind, 'kubeadm');
    assert.match(byName['admin.conf']!.file, /admin\.conf \(client certificate\)$/);
    assert.ok(byName['admin.conf']!.daysLeft >= 364);
  });

  it("reads kubelet.conf's client certificate from the file it points at, and never sends the key back", () => {
    assert.equal(byName['kubelet.conf']!.kind, 'kubelet');
    assert.match(
      byName['kubelet.conf']!.file,
      /kubelet\.conf \(client certificate \S+\/var\/lib\/kubelet\/pki\/kubelet-client-current\.pem\)$/,
    );
    assert.doesNotMatch(out, /PRIVATE KEY/);
    assert.doesNotMatch(out, /client-key-data/);
  });

  it('warns under 30 days with the exact command that renews, fails when expired; a CA points at manual rotation', () => {
    const findings = judgeCertificates([{ name: 'pi0', address: '198.51.100.10', reachable: true, certificates }], now);
    const about = (name: string) => findings.find((f) => f.problem.includes(byName[name]!.file));
    assert.equal(about('apiserver')?.severity, 'warn');
    assert.match(about('apiserver')!.problem, /expires in (9|10) days/);
    assert.match(about('apiserver')!.fix, /^`pi-cluster certs renew`/);
    assert.equal(about('front-proxy-client')?.severity, 'fail');
    assert.match(about('front-proxy-client')!.problem, /expired on \d{4}-\d{2}-\d{2}/);
    assert.equal(about('front-proxy-ca')?.severity, 'warn');
    assert.match(about('front-proxy-ca')!.fix, /cannot renew a CA.*manual-rotation-of-ca-certificates/);
    assert.equal(about('etcd-server'), undefined);
    assert.equal(about('admin.conf'), undefined);
    assert.equal(findings.length, 3, JSON.stringify(findings, null, 1));
  });

  it('the thresholds, to the day: 30 days left is fine, 29 warns, the last millisecond warns, notAfter itself fails', () => {
    const cert = byName['etcd-server']!;
    const end = new Date(cert.notAfter).getTime();
    const at = (ms: number): CertificateExpiry[] => parseCertificates(answer, new Date(ms)).filter((c) => c.name === 'etcd-server');
    const judged = (ms: number) => certificateFindings(at(ms), 'pi0', 'pi0', new Date(ms)).map((f) => f.severity);
    assert.deepEqual(judged(end - 30 * 86_400_000), []);
    assert.deepEqual(judged(end - 29.5 * 86_400_000), ['warn']);
    assert.deepEqual(judged(end - 1), ['warn']);
    assert.deepEqual(judged(end), ['fail']);
  });

  it('a master without a PKI, or one that does not answer, fails', () => {
    const findings = judgeCertificates(
      [
        { name: 'pi0', address: '198.51.100.10', reachable: true, certificates: [] },
        { name: 'pi1', address: '198.51.100.11', reachable: false, error: 'connection refused', certificates: [] },
      ],
      now,
    );
    assert.deepEqual(
      findings.map((f) => `${f.host} ${f.severity} ${f.problem}`),
      ['pi0 fail no certificates in /etc/kubernetes/pki: no control plane here', 'pi1 fail not reachable: connection refused'],
    );
  });
});
