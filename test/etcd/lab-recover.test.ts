// `etcd restore BACKUP --onto HOST` on the virtual lab: the real playbooks over SSH on a new master (pi0) and a
// worker (pi1), in the documented order; kubeadm init, the etcd restore and the API checks need Kubernetes and
// are shown and skipped (lab), as bootstrap's lab runs stop before 40-control-plane. A failed step resumes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extraVars } from '../../src/bootstrap/vars.js';
import { configSchema } from '../../src/config/schema.js';
import { UserError } from '../../src/errors.js';
import { readClusterInventory } from '../../src/inventory/cluster.js';
import { recover, type RecoverOptions } from '../../src/etcd/recover.js';
import { Lab, labSkipReason } from '../lab/index.js';
import { labProject, labVars } from '../ansible/helpers.js';
import { makePki } from './bundle-helpers.js';

const skip = labSkipReason();
const ORDER = ['find-host', 'prepare-node', 'lay-pki', 'control-plane', 'restore-etcd', 'check-workers', 'validate'];

/** An opened backup as openBackup() leaves it: snapshot.db and pki/ with a real CA made by openssl. */
function openedBackup(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-backup-'));
  makePki(join(dir, 'pki'), { perHost: false });
  const db = Buffer.alloc(8192);
  db.writeUInt32LE(0xed0cdaed, 16);
  writeFileSync(join(dir, 'snapshot.db'), db, { mode: 0o600 });
  return dir;
}

describe('etcd restore --onto on the virtual lab', { skip, timeout: 900_000 }, () => {
  let lab: Lab;
  let project: ReturnType<typeof labProject>;
  let backup: string;
  let options: RecoverOptions;

  before(async () => {
    lab = new Lab({ name: 'pcrec' });
    await lab.up(2);
    project = labProject(lab.hosts);
    mkdirSync(project.stateDir, { recursive: true, mode: 0o700 });
    copyFileSync(lab.knownHostsPath, join(project.stateDir, 'known_hosts'));
    backup = openedBackup();
    const config = configSchema.parse({});
    options = {
      backupDir: backup,
      onto: 'pi0',
      inventory: await readClusterInventory(project.inventory),
      cwd: project.dir,
      stateDir: project.stateDir,
      privateKeyPath: lab.privateKeyPath,
      knownHostsPath: join(project.stateDir, 'known_hosts'),
      clusterVars: { ...extraVars({ config, stateDir: project.stateDir }), ...labVars(project.stateDir) },
      dryRun: false,
      lab: true,
      report: () => {},
    };
    // The worker as the dead master left it: the old CA, and a kubelet calling a name that is not the master's.
    await lab.exec('pi1', ['sh', '-c', 'mkdir -p /etc/kubernetes/pki && cat > /etc/kubernetes/pki/ca.crt'], {
      input: readFileSync(join(backup, 'pki', 'ca.crt')),
    });
    await lab.exec('pi1', [
      'sh',
      '-c',
      'printf "apiVersion: v1\\nkind: Config\\nclusters:\\n- name: default-cluster\\n  cluster:\\n    server: https://old-master:6443\\n" > /etc/kubernetes/kubelet.conf',
    ]);
  });
  after(async () => {
    await lab?.down();
  });

  it('--dry-run lists every step in the documented order with its commands, and touches nothing', async () => {
    const outcomes = await recover({ ...options, dryRun: true });
    assert.deepEqual(
      outcomes.map((o) => o.step),
      ORDER,
    );
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['dry-run', 'dry-run', 'dry-run', 'skipped-lab', 'skipped-lab', 'dry-run', 'skipped-lab'],
    );
    const text = outcomes.flatMap((o) => o.commands).join('\n');
    for (const expected of [
      /ansible-playbook .*--limit pi0 .*10-prepare\.yml/,
      /etcd-recover-pki\.yml/,
      /kubeadm init .*Using the existing ca/,
      /snapshot restore .*--bump-revision=1000000000 --mark-compacted/,
      /kubectl --kubeconfig \S+ get nodes/,
    ]) {
      assert.match(text, expected);
    }
    assert.equal(existsSync(join(project.stateDir, 'recover.json')), false);
    assert.equal((await lab.exec('pi0', ['sh', '-c', 'ls /etc/kubernetes/pki 2>/dev/null | wc -l'])).stdout.trim(), '0');
  });

  it('runs the lab-runnable steps in order, stops at the worker check with the reason, and resumes there', async () => {
    await assert.rejects(
      recover(options),
      (error: unknown) =>
        error instanceof UserError &&
        /check-workers failed on pi1 .*calls old-master, not the master/.test(error.message.replace(/\s+/g, ' ')),
    );
    const saved = JSON.parse(readFileSync(join(project.stateDir, 'recover.json'), 'utf8'));
    assert.deepEqual(Object.keys(saved.done), ['find-host', 'prepare-node', 'lay-pki']);
    assert.equal(saved.lastFailure.step, 'check-workers');

    // The PKI is on the new master, 0600 files in 0700 folders, byte for byte the backup's.
    const listing = (await lab.exec('pi0', ['sh', '-c', 'cd /etc/kubernetes/pki && find . -printf "%m %p\\n" | sort'])).stdout;
    for (const file of ['ca.crt', 'ca.key', 'sa.key', 'sa.pub', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'etcd/ca.crt', 'etcd/ca.key']) {
      assert.match(listing, new RegExp(`^600 \\./${file.replace('.', '\\.')}$`, 'm'), listing);
      const onHost = (await lab.exec('pi0', ['sha256sum', `/etc/kubernetes/pki/${file}`])).stdout.split(' ')[0];
      assert.equal(
        onHost,
        createHash('sha256')
          .update(readFileSync(join(backup, 'pki', file)))
          .digest('hex'),
        file,
      );
    }
    assert.match(listing, /^700 \.\/etcd$/m);

    // The user points the worker's kubelet at the master (pi0), and runs the same command again.
    const logsBefore = readdirSync(join(project.stateDir, 'logs'))
      .filter((f) => f.startsWith('recover-'))
      .sort();
    await lab.exec('pi1', ['sed', '-i', 's/old-master/pi0/', '/etc/kubernetes/kubelet.conf']);
    const outcomes = await recover(options);
    assert.deepEqual(
      outcomes.map((o) => [o.step, o.status]),
      [
        ['find-host', 'done-before'],
        ['prepare-node', 'done-before'],
        ['lay-pki', 'done-before'],
        ['control-plane', 'skipped-lab'],
        ['restore-etcd', 'skipped-lab'],
        ['check-workers', 'ran'],
        ['validate', 'skipped-lab'],
      ],
    );
    const logsAfter = readdirSync(join(project.stateDir, 'logs'))
      .filter((f) => f.startsWith('recover-'))
      .sort();
    assert.deepEqual(
      logsAfter.filter((f) => !logsBefore.includes(f)),
      [],
      'no new playbook log: the done steps did not run again',
    );
  });

  it('a new card with another hostname is refused at find-host', async () => {
    await lab.exec('pi0', ['hostname', 'raspberrypi']);
    try {
      await assert.rejects(
        recover({ ...options, stateDir: mkdtempSync(join(tmpdir(), 'pi-cluster-state-')), knownHostsPath: options.knownHostsPath }),
        /says it is raspberrypi, not pi0/,
      );
    } finally {
      await lab.exec('pi0', ['hostname', 'pi0']);
    }
  });

  it('--onto must name the master of the inventory', async () => {
    await assert.rejects(recover({ ...options, onto: 'pi1', dryRun: true }), /--onto pi1 is not the inventory's master \(pi0\)/);
  });
});
