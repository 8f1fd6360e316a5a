/**
 * Helpers for the backup tests: a PKI folder with kubeadm's layout, a stand-in snapshot, and the real
 * seal script (terraform/modules/etcd-backup/scripts/seal-backup.mjs) run by Node as the CronJob runs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

export const SEAL_SCRIPT = join(packageRoot(), 'terraform', 'modules', 'etcd-backup', 'scripts', 'seal-backup.mjs');

/** What kubeadm's "init phase certs" reuses (kubernetes/website kubeadm_init_phase_certs_*.md). */
export const KUBEADM_REUSED = [
  'ca.crt',
  'ca.key',
  'sa.key',
  'sa.pub',
  'front-proxy-ca.crt',
  'front-proxy-ca.key',
  'etcd/ca.crt',
  'etcd/ca.key',
];

/**
 * /etc/kubernetes/pki as kubeadm leaves it: real keys and certificates made by openssl, plus files not backed up
 * (`perHost: false`: only what a backup holds, as openBackup() leaves pki/).
 */
export function makePki(dir: string, { perHost = true }: { perHost?: boolean } = {}): void {
  mkdirSync(join(dir, 'etcd'), { recursive: true, mode: 0o700 });
  for (const ca of ['ca', 'front-proxy-ca', 'etcd/ca']) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, `${ca}.key`),
        '-out',
        join(dir, `${ca}.crt`),
        '-subj',
        `/CN=${ca.replace('/', '-')}`,
        '-days',
        '1',
      ],
      { stdio: 'ignore' },
    );
  }
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', join(dir, 'sa.key')], {
    stdio: 'ignore',
  });
  execFileSync('openssl', ['pkey', '-in', join(dir, 'sa.key'), '-pubout', '-out', join(dir, 'sa.pub')], { stdio: 'ignore' });
  if (!perHost) return;
  // Per-host certificates kubeadm makes again on a new master: not in the backup.
  writeFileSync(join(dir, 'apiserver.key'), 'per-host key\n', { mode: 0o600 });
  writeFileSync(join(dir, 'etcd', 'healthcheck-client.key'), 'per-host key\n', { mode: 0o600 });
}

/** A stand-in for `etcdctl snapshot save`'s file: bbolt's magic at byte 16, random pages after. */
export function makeSnapshot(path: string, size = 3 * 1024 * 1024 + 17): Buffer {
  const data = randomBytes(size);
  data.writeUInt32LE(0xed0cdaed, 16);
  writeFileSync(path, data, { mode: 0o600 });
  return data;
}

export interface SealArgs {
  publicKey: string;
  snapshot: string;
  pkiDir: string;
  out: string;
  sourceHost?: string;
  kubernetesVersion?: string;
}

export function sealArgs(args: SealArgs): string[] {
  return [
    '--public-key',
    args.publicKey,
    '--snapshot',
    args.snapshot,
    '--pki-dir',
    args.pkiDir,
    '--out',
    args.out,
    '--source-host',
    args.sourceHost ?? 'master-1',
    '--kubernetes-version',
    args.kubernetesVersion ?? 'v1.33.1',
  ];
}

/** Runs the seal script with this machine's Node; returns its exit status and output. */
export function seal(args: SealArgs): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [SEAL_SCRIPT, ...sealArgs(args)], { encoding: 'utf8' });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
