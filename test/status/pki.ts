import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A CA and certificates it signed, valid `days` days each, as kubeadm lays them out (openssl, PEM). `-days -1`
 * (openssl 3 accepts down to -1) makes one that expired a day ago.
 */
export function makePki(dir: string, days: Record<string, number>): void {
  mkdirSync(join(dir, 'etcd'), { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.crt'),
      '-days',
      '3650',
      '-subj',
      '/CN=kubernetes',
    ],
    { stdio: 'ignore' },
  );
  for (const [name, valid] of Object.entries(days)) {
    const key = join(dir, `${name}.key`);
    execFileSync(
      'openssl',
      ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', join(dir, `${name}.csr`), '-subj', `/CN=${name.split('/').pop()}`],
      { stdio: 'ignore' },
    );
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        join(dir, `${name}.csr`),
        '-CA',
        join(dir, 'ca.crt'),
        '-CAkey',
        join(dir, 'ca.key'),
        '-CAcreateserial',
        '-out',
        join(dir, `${name}.crt`),
        '-days',
        String(valid),
      ],
      { stdio: 'ignore' },
    );
  }
}

/** A kubeconfig as kubeadm writes it (admin.conf, scheduler.conf...): the client certificate embedded as base64. */
export function kubeconfigWithCert(certPem: string, server = 'https://198.51.100.10:6443'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    `    server: ${server}`,
    '  name: kubernetes',
    'users:',
    '- name: kubernetes-admin',
    '  user:',
    `    client-certificate-data: ${Buffer.from(certPem).toString('base64')}`,
    '    client-key-data: c3RhbmQtaW4ga2V5',
    '',
  ].join('\n');
}

/** kubelet.conf after kubeadm init: the client certificate is a file kubelet rotates. */
export function kubeletConf(pemPath: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'users:',
    '- name: default-auth',
    '  user:',
    `    client-certificate: ${pemPath}`,
    `    client-key: ${pemPath}`,
    '',
  ].join('\n');
}
