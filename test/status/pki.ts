import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** A CA and a certificate it signed, valid `days` days, as kubeadm lays them out (openssl, PEM). */
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
