/**
 * `pi-cluster etcd snapshot`'s playbook (role etcd_backup, tasks/snapshot.yml) run for real by ansible-playbook,
 * with this machine as the master (connection local): the master's folders are temporary ones laid out like
 * kubeadm's, and containerd's `ctr` is a stand-in (test/fixtures/standin/ctr) that logs its argv and writes
 * what `etcdctl snapshot save` would. Real: Ansible, the role's tasks, fetch, Node and the seal script.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { openBackup } from '../../src/etcd/backup-bundle.js';
import { ensureBackupKey } from '../../src/etcd/backup-key.js';
import { packageRoot } from '../../src/paths.js';
import { tempDir } from '../flash/helpers.js';
import { hasProgram, skipUnless } from '../helpers/requires.js';
import { KUBEADM_REUSED, SEAL_SCRIPT, makePki } from './bundle-helpers.js';

const skip = skipUnless(hasProgram('ansible-playbook'), 'ansible-playbook is not installed');
const mode = (path: string) => statSync(path).mode & 0o777;
const ROLE = join(packageRoot(), 'ansible', 'roles', 'etcd_backup');

const ETCD_MANIFEST = `apiVersion: v1
kind: Pod
metadata: {name: etcd, namespace: kube-system}
spec:
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.5.21-0
    command:
    - etcd
    - --name=master-1
    - --data-dir=/var/lib/etcd
    - --initial-advertise-peer-urls=https://198.51.100.10:2380
`;

/**
 * A project on this machine and a "master" in temporary folders; runs the playbook with the backup key's public
 * half at `publicKeyPath` (undefined: the project's own, which does not exist) and without `breakPki`.
 */
function runSnapshot(publicKeyPath: string | undefined, breakPki?: string) {
  const dir = tempDir('pi-cluster-etcd-role-');
  const master = join(dir, 'master');
  const pki = join(master, 'etc/kubernetes/pki');
  const manifests = join(master, 'etc/kubernetes/manifests');
  makePki(pki);
  if (breakPki) rmSync(join(pki, breakPki));
  mkdirSync(manifests, { recursive: true });
  writeFileSync(join(manifests, 'etcd.yaml'), ETCD_MANIFEST);
  writeFileSync(
    join(manifests, 'kube-apiserver.yaml'),
    'spec:\n  containers:\n  - name: kube-apiserver\n    image: registry.k8s.io/kube-apiserver:v1.33.1\n',
  );
  writeFileSync(
    join(dir, 'pi-hosts'),
    `[masters]\nmaster-1 ansible_connection=local ansible_python_interpreter=${spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).stdout.trim()}\n`,
  );
  const extraVars = {
    etcd_backup_local_dir: join(dir, '.pi-cluster', 'etcd-snapshots'),
    // Unset: the role's default, .pi-cluster/etcd-backup.pub beside the backup folder (which does not exist here).
    ...(publicKeyPath ? { etcd_backup_public_key: publicKeyPath } : {}),
    etcd_backup_node: process.execPath,
    etcd_backup_ctr: join(packageRoot(), 'test', 'fixtures', 'standin', 'ctr'),
    etcd_backup_manifests_dir: manifests,
    etcd_backup_kubernetes_pki_dir: pki,
    etcd_backup_pki_dir: join(pki, 'etcd'),
    etcd_backup_remote_dir: join(master, 'var/lib/etcd-snapshots'),
  };
  const ctrLog = join(dir, 'ctr.log');
  const run = spawnSync(
    'ansible-playbook',
    ['-i', join(dir, 'pi-hosts'), join(packageRoot(), 'ansible', 'playbooks', 'etcd-snapshot.yml'), '-e', JSON.stringify(extraVars)],
    {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_CONFIG: join(packageRoot(), 'ansible', 'ansible.cfg'), ANSIBLE_NOCOLOR: '1', CTR_STANDIN_LOG: ctrLog },
    },
  );
  return { dir, run, extraVars, ctrLog };
}

test(
  'etcd snapshot: etcdctl through ctr, then the snapshot and the PKI sealed into one 0600 file in a 0700 folder; no plain copy left',
  { skip },
  async () => {
    const key = await ensureBackupKey(tempDir('pi-cluster-etcd-role-key-'));
    const { dir, run, extraVars, ctrLog } = runSnapshot(key.publicKeyPath);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const local = extraVars.etcd_backup_local_dir;
    const files = readdirSync(local);
    assert.equal(files.length, 1, `only the sealed file, no staging folder: ${files.join(' ')}`);
    assert.match(files[0], /^etcd-backup-\d{4}-\d{2}-\d{2}T\d{6}Z\.enc$/);
    assert.equal(mode(local), 0o700);
    assert.equal(mode(join(local, files[0])), 0o600);
    assert.deepEqual(readdirSync(extraVars.etcd_backup_remote_dir), [], 'the plain snapshot is deleted on the master');
    assert.match(run.stdout, new RegExp(`Backup saved: ${local}/${files[0]}`));

    // What etcdctl was asked: kubeadm's healthcheck-client pair, the snapshot into the mounted folder.
    const argv = JSON.parse(readFileSync(ctrLog, 'utf8').trim()) as string[];
    assert.deepEqual(argv.slice(argv.indexOf('etcdctl')), [
      'etcdctl',
      '--endpoints=https://127.0.0.1:2379',
      `--cacert=${extraVars.etcd_backup_pki_dir}/ca.crt`,
      `--cert=${extraVars.etcd_backup_pki_dir}/healthcheck-client.crt`,
      `--key=${extraVars.etcd_backup_pki_dir}/healthcheck-client.key`,
      'snapshot',
      'save',
      `/backup/${files[0].replace('etcd-backup-', 'etcd-snapshot-').replace('.enc', '.db')}`,
    ]);
    assert.equal(argv[argv.indexOf('etcdctl') - 2], 'registry.k8s.io/etcd:3.5.21-0', "etcd's own image, from its static pod");

    const opened = join(dir, 'opened');
    const manifest = await openBackup(join(local, files[0]), key.privateKeyPath, opened);
    assert.equal(manifest.sourceHost, 'master-1');
    assert.equal(manifest.kubernetesVersion, 'v1.33.1');
    assert.equal(readFileSync(join(opened, 'snapshot.db')).readUInt32LE(16), 0xed0cdaed);
    const pki = extraVars.etcd_backup_kubernetes_pki_dir;
    for (const file of KUBEADM_REUSED) assert.deepEqual(readFileSync(join(opened, 'pki', file)), readFileSync(join(pki, file)), file);
  },
);

test(
  'etcd snapshot refuses to run without the backup key, and a master without a CA key leaves no plain copy anywhere',
  { skip },
  async () => {
    const missing = runSnapshot(undefined);
    assert.notEqual(missing.run.status, 0);
    assert.match(missing.run.stdout, new RegExp(`${missing.dir}/\\.pi-cluster/etcd-backup\\.pub does not exist:`));
    assert.match(missing.run.stdout, /etcd-backup\.pub does not exist:\s+`pi-cluster etcd snapshot` and `pi-cluster addons tfvars`/);
    assert.equal(existsSync(missing.ctrLog), false, 'no snapshot was taken');

    const key = await ensureBackupKey(tempDir('pi-cluster-etcd-role-key-'));
    const broken = runSnapshot(key.publicKeyPath, 'front-proxy-ca.key');
    assert.notEqual(broken.run.status, 0);
    assert.match(broken.run.stdout, /front-proxy-ca\.key/);
    assert.deepEqual(readdirSync(broken.extraVars.etcd_backup_local_dir), [], 'no staging folder, no backup');
    assert.deepEqual(readdirSync(broken.extraVars.etcd_backup_remote_dir), [], 'no plain snapshot on the master');
  },
);

test('the role fetches the same PKI files the seal script packs, and they are what kubeadm reuses', () => {
  const defaults = parseYaml(readFileSync(join(ROLE, 'defaults', 'main.yml'), 'utf8')) as { etcd_backup_pki_files: string[] };
  assert.deepEqual(defaults.etcd_backup_pki_files, KUBEADM_REUSED);
  const listed = /const PKI_FILES = (\[[^\]]*\]);/.exec(readFileSync(SEAL_SCRIPT, 'utf8'))?.[1];
  assert.deepEqual(JSON.parse(String(listed).replace(/'/g, '"')), KUBEADM_REUSED);
});
