// `pi-cluster reset` (the library call the command makes) against the virtual lab: the real 90-reset.yml over
// SSH on two hosts, kubeadm stood in (test/ansible/standins.ts: it logs its calls and removes what the real
// `kubeadm reset` removes), the user's kubeconfig a file the real control_plane tasks merged into.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { after, before, describe, it } from 'node:test';
import { reset } from '../../src/bootstrap/reset.js';
import { configSchema } from '../../src/config/schema.js';
import { Lab, labSkipReason } from '../lab/index.js';
import { labProject, labVars } from './helpers.js';
import { fixture, helperPlaybook } from './run.js';
import { installStandins, standinCommands } from './standins.js';

const skip = labSkipReason();
const config = configSchema.parse({ cluster: { name: 'lab' } });

describe('90-reset on the virtual lab', { skip, timeout: 600_000 }, () => {
  let lab: Lab;
  let project: ReturnType<typeof labProject>;
  const exists = async (host: string, path: string) =>
    (await lab.exec(host, ['sh', '-c', `ls -d ${path} 2>/dev/null || true`])).stdout.trim();

  /** pi0: a master with snapshots and data a restore kept aside; pi1: a worker whose `kubeadm join` died. */
  async function leaveState(): Promise<void> {
    await lab.exec('pi0', [
      'sh',
      '-c',
      'mkdir -p /var/lib/etcd-snapshots /var/lib/etcd.before-restore-2026-11-30T020000Z/member /var/lib/etcd/member' +
        ' && echo secret > /var/lib/etcd-snapshots/etcd-snapshot-2026-11-30T020000Z.db && echo x > /etc/kubernetes/kubelet.conf',
    ]);
    await lab.exec('pi1', [
      'sh',
      '-c',
      'mkdir -p /etc/kubernetes/pki && echo ca > /etc/kubernetes/pki/ca.crt && echo b > /etc/kubernetes/bootstrap-kubelet.conf && rm -f /etc/kubernetes/kubelet.conf',
    ]);
  }

  const runReset = (keepEtcdBackups: boolean) =>
    reset({
      config,
      cwd: project.dir,
      inventoryPath: project.inventory,
      privateKeyPath: lab.privateKeyPath,
      knownHostsPath: lab.knownHostsPath,
      keepEtcdBackups,
      extraVars: labVars(project.stateDir),
      report: () => {},
    });

  before(async () => {
    lab = new Lab({ name: 'pcrst' });
    await lab.up(2);
    project = labProject(lab.hosts);
    for (const host of ['pi0', 'pi1']) await installStandins(lab, host);
  });
  after(async () => {
    await lab?.down();
  });

  it('runs kubeadm reset on the worker whose join died, removes etcd leftovers and the merged kubeconfig context', async () => {
    await leaveState();
    const userKubeconfig = labVars(project.stateDir).pi_cluster_user_kubeconfig as string;
    const merged = await helperPlaybook('merge-kubeconfig.yml', {
      admin_conf: fixture('admin.conf'),
      pi_cluster_state_dir: project.stateDir,
      pi_cluster_user_kubeconfig: userKubeconfig,
      pi_cluster_name: 'lab',
    });
    assert.equal(merged.code, 0, merged.stdout);

    await runReset(false);
    assert.deepEqual(await standinCommands(lab, 'pi1'), ['reset'], 'kubeadm reset ran on the worker without kubelet.conf');
    assert.deepEqual(await standinCommands(lab, 'pi0'), ['reset']);
    assert.equal(await exists('pi1', '/etc/kubernetes/bootstrap-kubelet.conf /etc/kubernetes/pki/ca.crt'), '', 'the worker can join again');
    assert.equal(await exists('pi0', '/var/lib/etcd-snapshots /var/lib/etcd.before-restore-*'), '', 'no Secrets left in plain text');
    const left = parse(readFileSync(userKubeconfig, 'utf8')) as { contexts: unknown[]; clusters: unknown[]; users: unknown[] };
    assert.deepEqual([left.contexts, left.clusters, left.users], [[], [], []], 'the merged entries are gone');
  });

  it('--keep-etcd-backups keeps the snapshots and the data kept aside', async () => {
    await leaveState();
    await runReset(true);
    assert.match(await exists('pi0', '/var/lib/etcd-snapshots'), /etcd-snapshots/);
    assert.match(await exists('pi0', '/var/lib/etcd.before-restore-*'), /before-restore-2026-11-30T020000Z/);
  });
});
