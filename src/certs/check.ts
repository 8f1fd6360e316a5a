/**
 * `pi-cluster certs check`: the expiry of every control-plane certificate, kubeconfig client certificate and CA
 * on each master, read over SSH (all masters in parallel, strict host keys) from the certificates themselves
 * (src/pki/expiry.ts, the reading `pi-cluster status` uses too). Read-only.
 */
import { readFile } from 'node:fs/promises';
import type { Finding } from '../findings.js';
import type { ClusterHost } from '../inventory/cluster.js';
import { certificateFindings, CERTS_SCRIPT, kubeconfigCertificate, parseCertificates, type CertificateExpiry } from '../pki/expiry.js';
import { KnownHosts, loadPrivateKey, mapBounded, SshError, withSession } from '../remote/index.js';

export interface MasterCertificates {
  name: string;
  address: string;
  reachable: boolean;
  error?: string;
  /** Soonest to expire first. */
  certificates: CertificateExpiry[];
}

export interface CertsCheck {
  masters: MasterCertificates[];
  /** The client certificate of .pi-cluster/kubeconfig on this machine (a copy of admin.conf's: the daily job does not renew it). */
  local?: CertificateExpiry;
  findings: Finding[];
}

/** The host name findings about this machine's kubeconfig carry. */
export const LOCAL = 'this machine';

export interface CertsCheckOptions {
  masters: ClusterHost[];
  privateKeyPath: string;
  knownHostsPath: string;
  /** .pi-cluster/kubeconfig, read when it exists. */
  localKubeconfig?: string;
  connectTimeoutMs?: number;
  now?: Date;
}

export async function checkCertificates(options: CertsCheckOptions): Promise<CertsCheck> {
  const now = options.now ?? new Date();
  const key = await loadPrivateKey(options.privateKeyPath);
  const knownHosts = await KnownHosts.load(options.knownHostsPath);
  const settled = await mapBounded(options.masters, options.masters.length, (host) =>
    withSession(
      { name: host.name, address: host.address },
      { key, knownHosts, hostKeys: 'strict', connectTimeoutMs: options.connectTimeoutMs ?? 8000 },
      (session) => session.run(CERTS_SCRIPT, { timeoutMs: 15_000 }),
    ),
  );
  const masters = options.masters.map((host, index): MasterCertificates => {
    const result = settled[index]!;
    const base = { name: host.name, address: host.address };
    if (result.status === 'rejected') return { ...base, reachable: false, error: describeError(result.reason), certificates: [] };
    return { ...base, reachable: true, certificates: parseCertificates(result.value.stdout, now) };
  });
  const local = options.localKubeconfig ? await readLocal(options.localKubeconfig, now) : undefined;
  const findings = judgeCertificates(masters, now);
  if (local) findings.push(...certificateFindings([local], LOCAL, options.masters[0]?.name ?? 'the master', now));
  return { masters, local, findings };
}

async function readLocal(path: string, now: Date): Promise<CertificateExpiry | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : kubeconfigCertificate(path, text, now);
}

/** What needs action (pure): unreachable masters, masters without a PKI, and certificates near or past expiry. */
export function judgeCertificates(masters: MasterCertificates[], now: Date): Finding[] {
  const findings: Finding[] = [];
  for (const m of masters) {
    if (!m.reachable) {
      findings.push({
        host: m.name,
        severity: 'fail',
        problem: `not reachable: ${m.error}`,
        fix: 'check power and network; `pi-cluster discover` if its address changed',
      });
    } else if (!m.certificates.length) {
      findings.push({
        host: m.name,
        severity: 'fail',
        problem: 'no certificates in /etc/kubernetes/pki: no control plane here',
        fix: 'run `pi-cluster bootstrap` (kubeadm init makes them)',
      });
    } else {
      findings.push(...certificateFindings(m.certificates, m.name, m.name, now));
    }
  }
  return findings;
}

function describeError(error: unknown): string {
  if (error instanceof SshError) return error.message.replace(/^[^:]+: /, '');
  return error instanceof Error ? error.message : String(error);
}
