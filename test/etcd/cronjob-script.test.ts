/**
 * The nightly backup's seal container, run as the rendered CronJob has it: its `sh -c` script taken from the
 * manifest Terraform renders (terraform console, offline), run by Alpine's busybox (the 3.20.3 minirootfs;
 * the pinned node:*-alpine image has Alpine's busybox too) in a chroot laid out like the pod: /work with the
 * snapshot (the initContainer's emptyDir), /etc/kubernetes/pki and /manifests (hostPath), /etc/etcd-backup
 * (the rendered ConfigMap's files) and /backup (the NFS share). `node` in the chroot is this machine's Node
 * (glibc, bind-mounted; the image runs Node 26 on musl): the seal script is the ConfigMap's text as rendered.
 * What stands in: etcdctl (its snapshot is a file of random pages with bbolt's magic) and the clock (a `date`
 * that runs busybox's own date at a chosen time).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openBackup } from '../../src/etcd/backup-bundle.js';
import { defaultBackupKeyPath, ensureBackupKey, type BackupKeyPair } from '../../src/etcd/backup-key.js';
import { UserError } from '../../src/errors.js';
import { AlpineRoot } from '../alpine/alpine-root.js';
import { evaluate, hasTerraform, renderFiles } from '../addons/terraform.js';
import { tempDir } from '../flash/helpers.js';
import { skipUnless } from '../helpers/requires.js';
import { KUBEADM_REUSED, makePki, makeSnapshot } from './bundle-helpers.js';

const rootOnly = process.getuid?.() === 0 ? false : process.env.CI ? false : 'needs root (chroot)';
const skip = rootOnly || skipUnless(hasTerraform, 'terraform is not installed');
const mode = (path: string) => statSync(path).mode & 0o777;
const BUNDLE = /^etcd-backup-\d{4}-\d{2}-\d{2}T\d{6}Z\.enc$/;

interface Rendered {
  script: string;
  env: Record<string, string>;
  configMap: Record<string, string>;
}

/** The seal container's script, its fixed environment and the ConfigMap's files, from the rendered manifests. */
function renderCronJob(publicKey: string, keep: number): Rendered {
  const manifests = evaluate(
    renderFiles('etcd-backup'),
    { nfs: { server: '198.51.100.5', path: '/srv/nfs/etcd' }, keep, public_key: publicKey },
    'local.manifests',
  ) as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const cron = manifests.find((m) => m.kind === 'CronJob')!;
  const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
  assert.deepEqual(container.command.slice(0, 2), ['/bin/sh', '-c']);
  const env = Object.fromEntries(
    (container.env as Array<{ name: string; value?: string }>).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]),
  );
  return { script: container.command[2], env, configMap: manifests.find((m) => m.kind === 'ConfigMap')!.data };
}

describe("the backup CronJob's script, run by busybox with the seal script it renders", { skip }, () => {
  const project = tempDir('pi-cluster-etcd-cron-');
  const pkiSource = join(project, 'pki');
  let key: BackupKeyPair;
  let root: AlpineRoot;
  let snapshot: Buffer;

  before(async () => {
    key = await ensureBackupKey(project);
    makePki(pkiSource);
    root = await AlpineRoot.create('3.20.0');
    // This machine's Node inside the chroot: its binary and glibc, bind-mounted read-only.
    root.mount(['--bind', '-o', 'ro', '/usr/bin'], 'opt/host-bin');
    root.mount(['--bind', '-o', 'ro', '/usr/lib/x86_64-linux-gnu'], 'usr/lib/x86_64-linux-gnu');
    mkdirSync(join(root.dir, 'lib64'), { recursive: true });
    root.must('ln -sf /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2');
    writeFileSync(join(root.dir, 'usr/bin/node'), '#!/bin/sh\nexec /opt/host-bin/node "$@"\n', { mode: 0o755 });
    // A clock of our choosing: busybox's own date, told what time it is.
    mkdirSync(join(root.dir, 'opt/clock'), { recursive: true });
    writeFileSync(join(root.dir, 'opt/clock/date'), '#!/bin/sh\nexec /bin/busybox date -d "@$FAKE_NOW" "$@"\n', { mode: 0o755 });
    // The pod's hostPath mounts: kubeadm's PKI and static pod manifests.
    root.must('mkdir -p /etc/kubernetes/manifests /backup /work');
    root.mount(['--bind', '-o', 'ro', pkiSource], 'etc/kubernetes/pki');
    writeFileSync(
      join(root.dir, 'etc/kubernetes/manifests/kube-apiserver.yaml'),
      'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command:\n    - kube-apiserver\n    image: registry.k8s.io/kube-apiserver:v1.33.1\n',
    );
  });
  after(() => root?.dispose());

  /** Lays out the pod (ConfigMap files, snapshot in /work) and runs the script; returns the run's result. */
  function runBackup(keep: number, env: Record<string, string> = {}) {
    const rendered = renderCronJob(key.publicKeyPem, keep);
    mkdirSync(join(root.dir, 'etc/etcd-backup'), { recursive: true });
    for (const [file, text] of Object.entries(rendered.configMap)) writeFileSync(join(root.dir, 'etc/etcd-backup', file), text);
    snapshot = makeSnapshot(join(root.dir, 'work/snapshot.db'));
    return root.run(rendered.script, { ...rendered.env, NODE_NAME: 'master-1', ...env });
  }
  const backups = () => readdirSync(join(root.dir, 'backup')).sort();
  const clearBackups = () => root.must('rm -rf /backup && mkdir /backup');
  const put = (names: string[]) => {
    for (const name of names) writeFileSync(join(root.dir, 'backup', name), `old ${name}\n`, { mode: 0o600 });
  };

  it('is a POSIX sh script shellcheck finds nothing in', () => {
    const run = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: renderCronJob(key.publicKeyPem, 3).script, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });

  it('writes one sealed file, 0600, that opens to the snapshot, the PKI and a manifest', async () => {
    clearBackups();
    const run = runBackup(3);
    assert.equal(run.status, 0, run.stderr);
    const files = backups();
    assert.equal(files.length, 1, files.join(' '));
    assert.match(files[0], BUNDLE);
    assert.match(run.stdout, new RegExp(`saved ${files[0].replace(/\./g, '\\.')} \\(\\d+ bytes\\)`));
    const bundle = join(root.dir, 'backup', files[0]);
    assert.equal(mode(bundle), 0o600);
    assert.equal(existsSync(join(root.dir, 'work/snapshot.db')), false, 'the plain snapshot is gone from the pod');
    // Nothing of the snapshot or the CA key is readable in the file on the share.
    const sealed = readFileSync(bundle);
    assert.equal(sealed.indexOf(snapshot.subarray(5000, 5064)), -1);
    assert.equal(sealed.indexOf(readFileSync(join(pkiSource, 'ca.key')).subarray(30, 70)), -1);

    const dest = join(project, 'opened');
    const manifest = await openBackup(bundle, defaultBackupKeyPath(project), dest);
    assert.equal(manifest.sourceHost, 'master-1');
    assert.equal(manifest.kubernetesVersion, 'v1.33.1');
    assert.ok(Math.abs(Date.parse(manifest.createdAt) - Date.now()) < 120_000);
    assert.deepEqual(readFileSync(join(dest, 'snapshot.db')), snapshot);
    for (const file of KUBEADM_REUSED) {
      assert.deepEqual(readFileSync(join(dest, 'pki', file)), readFileSync(join(pkiSource, file)), file);
      assert.equal(mode(join(dest, 'pki', file)), 0o600);
    }

    // Another project's key is refused in one line; so is a copy with one byte changed.
    const other = await ensureBackupKey(tempDir('pi-cluster-etcd-other-'));
    await assert.rejects(
      openBackup(bundle, other.privateKeyPath, join(project, 'x')),
      (e: unknown) => e instanceof UserError && /sealed for another backup key/.test(e.message),
    );
    const tampered = join(project, 'tampered.enc');
    const bytes = Buffer.from(sealed);
    bytes[bytes.length - 1000] ^= 0x80;
    writeFileSync(tampered, bytes);
    await assert.rejects(
      openBackup(tampered, key.privateKeyPath, join(project, 'y')),
      (e: unknown) => e instanceof UserError && /damaged or was altered/.test(e.message),
    );
  });

  it("with the Pi's clock behind, keeps the new file and the newest others, and never touches hand-named files", () => {
    clearBackups();
    const dated = ['2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29'].map((d) => `etcd-backup-${d}T030000Z.enc`);
    const handNamed = [
      'etcd-snapshot-before-upgrade.db',
      'etcd-backup-before-upgrade.enc',
      'etcd-backup-2026-11-20T030000Z.enc.bak',
      'etcd-backup-2026-11-2T030000Z.enc',
      'etcd-snapshot-2026-11-01T030000Z.db',
      'notes.txt',
    ];
    put([...dated, ...handNamed]);
    // 2020-09-13 12:26:40 UTC: a Pi that booted without network time names its backup years back.
    const run = runBackup(3, { FAKE_NOW: '1600000000', PATH: '/opt/clock:/usr/sbin:/usr/bin:/sbin:/bin' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /saved etcd-backup-2020-09-13T122640Z\.enc/);
    assert.deepEqual(
      backups(),
      [
        ...handNamed,
        'etcd-backup-2020-09-13T122640Z.enc',
        'etcd-backup-2026-11-28T030000Z.enc',
        'etcd-backup-2026-11-29T030000Z.enc',
      ].sort(),
    );
    assert.deepEqual(
      run.stdout.match(/removed \S+/g)?.sort(),
      dated.slice(0, 3).map((n) => `removed ${n}`),
    );
  });

  it('with keep = 1 and the right clock, only the new file of the pattern is left; the plain snapshot of older versions stays, its partial goes', () => {
    clearBackups();
    put([
      'etcd-backup-2026-11-28T030000Z.enc',
      'etcd-backup-2099-01-01T000000Z.enc',
      'etcd-snapshot-before-upgrade.db',
      'etcd-snapshot-2026-11-01T030000Z.db',
      '.etcd-snapshot.partial',
    ]);
    const run = runBackup(1, { FAKE_NOW: String(Math.floor(Date.now() / 1000)), PATH: '/opt/clock:/usr/sbin:/usr/bin:/sbin:/bin' });
    assert.equal(run.status, 0, run.stderr);
    const left = backups();
    const fresh = left.filter((n) => BUNDLE.test(n));
    assert.equal(fresh.length, 1);
    assert.notEqual(fresh[0], 'etcd-backup-2099-01-01T000000Z.enc', 'the newest name is not the one just written; it goes');
    assert.deepEqual(
      left.filter((n) => !BUNDLE.test(n)),
      ['etcd-snapshot-2026-11-01T030000Z.db', 'etcd-snapshot-before-upgrade.db'],
    );
  });

  it('a backup that fails deletes nothing and leaves no file of the pattern', () => {
    clearBackups();
    const dated = ['etcd-backup-2026-11-28T030000Z.enc', 'etcd-backup-2026-11-29T030000Z.enc'];
    put(dated);
    // etcdctl's snapshot did not arrive (the initContainer failed half-way, or the disk was full).
    const rendered = renderCronJob(key.publicKeyPem, 1);
    root.must('rm -f /work/snapshot.db');
    const run = root.run(rendered.script, { ...rendered.env, NODE_NAME: 'master-1' });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /seal-backup: \/work\/snapshot\.db is missing/);
    assert.deepEqual(backups(), dated);
  });
});
