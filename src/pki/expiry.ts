/**
 * The expiry of a kubeadm master's certificates, read from the certificates themselves: one shell script
 * sends their PEM text back (cat and sed only, so nothing new is needed on an Alpine Pi, which has no
 * openssl binary), and Node's X509Certificate parses it here. Shared by `pi-cluster status` (first master)
 * and `pi-cluster certs check` (every master). Private keys never leave the Pi: from kubelet's combined
 * PEM (certificate + key) only the CERTIFICATE block is sent.
 */
import { X509Certificate } from 'node:crypto';
import type { Finding } from '../findings.js';

export interface CertificateExpiry {
  /** Path on the master, e.g. /etc/kubernetes/pki/apiserver.crt, or a kubeconfig's client certificate. */
  file: string;
  /** kubeadm's name for it (as `kubeadm certs check-expiration` lists it): apiserver, etcd-server, admin.conf, ca... */
  name: string;
  /** ca: a certificate authority (kubeadm cannot renew it); kubelet: rotated by kubelet itself; kubeadm: renewed by `kubeadm certs renew all`. */
  kind: 'ca' | 'kubelet' | 'kubeadm';
  subject: string;
  notAfter: string;
  daysLeft: number;
}

/** Days left under which a certificate is a warning. */
export const WARN_DAYS = 30;

const PKI = '/etc/kubernetes/pki';
const CA_NAMES = new Set(['ca', 'front-proxy-ca', 'etcd-ca']);
const KUBECONFIGS = ['admin.conf', 'super-admin.conf', 'controller-manager.conf', 'scheduler.conf', 'kubelet.conf'];

/**
 * Read-only script for a master: `@@file PATH` + PEM for each certificate under the PKI, `@@kubeconfig PATH` +
 * base64 for a kubeconfig's embedded client certificate, `@@kubeconfig PATH CERT` + PEM when it points at a file
 * (kubelet.conf -> /var/lib/kubelet/pki/kubelet-client-current.pem, which also holds the key: only the certificate).
 */
export const CERTS_SCRIPT = [
  `for f in ${PKI}/*.crt ${PKI}/etcd/*.crt; do [ -r "$f" ] && { echo "@@file $f"; cat "$f"; }; done`,
  `for k in ${KUBECONFIGS.map((k) => `/etc/kubernetes/${k}`).join(' ')}; do`,
  '  [ -r "$k" ] || continue',
  '  data=$(sed -n "s/^ *client-certificate-data: *//p" "$k" | head -n 1)',
  '  cert=$(sed -n "s/^ *client-certificate: *//p" "$k" | head -n 1)',
  '  if [ -n "$data" ]; then echo "@@kubeconfig $k"; echo "$data";',
  '  elif [ -n "$cert" ] && [ -r "$cert" ]; then echo "@@kubeconfig $k $cert"; sed -n "/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p" "$cert"; fi',
  'done',
].join('\n');

/** kubeadm's name for a certificate file: pki/apiserver.crt -> apiserver, pki/etcd/server.crt -> etcd-server. */
export function kubeadmName(path: string): string {
  const at = path.lastIndexOf(`${PKI}/`);
  const relative = at >= 0 ? path.slice(at + PKI.length + 1) : path.split('/').pop()!;
  return relative.replace(/\.crt$/, '').replace(/\//g, '-');
}

function kindOf(name: string): CertificateExpiry['kind'] {
  if (CA_NAMES.has(name)) return 'ca';
  return name === 'kubelet.conf' ? 'kubelet' : 'kubeadm';
}

/**
 * One section of the script's answer (its header without "@@", and its body) as a certificate's expiry;
 * undefined for other sections and for text that is no certificate.
 */
export function certificateSection(header: string, body: string, now: Date): CertificateExpiry | undefined {
  const [kind, path, certFile] = header.split(' ');
  if (!path) return undefined;
  if (kind === 'file') {
    const cert = readCertificate(body);
    return cert && expiry(path, kubeadmName(path), cert, now);
  }
  if (kind === 'kubeconfig') {
    const pem = certFile ? body : Buffer.from(body.trim().split('\n')[0] ?? '', 'base64').toString('utf8');
    const cert = readCertificate(pem);
    const name = path.split('/').pop()!;
    return cert && expiry(`${path} (client certificate${certFile ? ` ${certFile}` : ''})`, name, cert, now);
  }
  return undefined;
}

/** The client certificate embedded in a kubeconfig's text (e.g. .pi-cluster/kubeconfig on this machine), if any. */
export function kubeconfigCertificate(path: string, text: string, now: Date): CertificateExpiry | undefined {
  const data = /^\s*client-certificate-data:\s*(\S+)\s*$/m.exec(text)?.[1];
  return data ? certificateSection(`kubeconfig ${path}`, data, now) : undefined;
}

/** The script's whole answer split into sections: [header, body] pairs (headers without "@@"). */
export function sections(text: string): Array<[string, string]> {
  return text
    .split(/^@@/m)
    .filter(Boolean)
    .map((section) => {
      const newline = section.indexOf('\n');
      return [(newline < 0 ? section : section.slice(0, newline)).trim(), newline < 0 ? '' : section.slice(newline + 1)];
    });
}

/** Every certificate in the script's answer, soonest to expire first. */
export function parseCertificates(text: string, now: Date): CertificateExpiry[] {
  const found = sections(text).map(([header, body]) => certificateSection(header, body, now));
  return found.filter((c): c is CertificateExpiry => c !== undefined).sort((a, b) => a.notAfter.localeCompare(b.notAfter));
}

function readCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function expiry(file: string, name: string, cert: X509Certificate, now: Date): CertificateExpiry {
  const notAfter = new Date(cert.validTo);
  return {
    file,
    name,
    kind: kindOf(name),
    subject: cert.subject.replace(/\n/g, ', '),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000),
  };
}

/** The exact command that renews a certificate of this kind (on `host`). */
export function renewCommand(kind: CertificateExpiry['kind'], host: string): string {
  if (kind === 'ca')
    return 'kubeadm cannot renew a CA: rotate it by hand (https://kubernetes.io/docs/tasks/tls/manual-rotation-of-ca-certificates/)';
  if (kind === 'kubelet')
    return `kubelet rotates its own client certificate: on ${host}, restart kubelet (rc-service kubelet restart / systemctl restart kubelet) and check its log`;
  return '`pi-cluster certs renew` (on each master, one at a time: `kubeadm certs renew all`, the control-plane pods restarted, a new kubeconfig here)';
}

/** A warning under WARN_DAYS days left, a failure once expired; each names the file and the command that renews it. */
export function certificateFindings(certificates: CertificateExpiry[], host: string, master: string, now: Date): Finding[] {
  const findings: Finding[] = [];
  for (const c of certificates) {
    const fix = renewCommand(c.kind, master);
    if (new Date(c.notAfter).getTime() <= now.getTime())
      findings.push({ host, severity: 'fail', problem: `${c.file} expired on ${c.notAfter.slice(0, 10)}`, fix });
    else if (c.daysLeft < WARN_DAYS)
      findings.push({ host, severity: 'warn', problem: `${c.file} expires in ${c.daysLeft} days (${c.notAfter.slice(0, 10)})`, fix });
  }
  return findings;
}
