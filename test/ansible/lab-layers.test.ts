// 10-prepare and 30-node for real against the virtual lab (Debian hosts, OpenRC, network namespaces).
// The lab switch turns off what would reach beyond a host's namespaces (kernel modules, global sysctls,
// swap, kernel command line, starting daemons) and installs that need the internet.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readlinkSync } from 'node:fs';
import { runPlaybook, type PlaybookResult } from '../../src/ansible/index.js';
import { extraVars } from '../../src/bootstrap/vars.js';
import { configSchema } from '../../src/config/schema.js';
import { Lab, labSkipReason } from '../lab/index.js';
import { checkKubeadmDocuments } from './kubeadm-api.js';
import { labProject, labVars, sum } from './helpers.js';
import { installStandins, standinCalls, standinCommands } from './standins.js';
import { parseAllDocuments } from 'yaml';

const skip = labSkipReason();

// NFS mounts as pi-cluster.yaml gives them (the lab has no NFS server: 30-node only writes fstab).
const config = configSchema.parse({
  nfs: {
    server: '198.51.100.5',
    mounts: [
      { path: '/export/media', mountPoint: '/mnt/media' },
      { path: '/export/pi-cluster/backup', mountPoint: '/srv/backup', options: 'nfsvers=4.2,soft,ro' },
    ],
  },
});

describe('ansible layers on the virtual lab', { skip, timeout: 900_000 }, () => {
  let lab: Lab;
  let project: ReturnType<typeof labProject>;
  const run = (playbook: string, extra: Record<string, unknown> = {}): Promise<PlaybookResult> =>
    runPlaybook({
      playbook,
      inventory: project.inventory,
      privateKey: lab.privateKeyPath,
      knownHosts: lab.knownHostsPath,
      forks: 5,
      extraVars: { ...extraVars({ config, stateDir: project.stateDir }), ...labVars(project.stateDir), ...extra },
      logFile: join(project.stateDir, 'logs', `${playbook}.log`),
      cwd: project.dir,
    });

  before(async () => {
    lab = new Lab({ name: 'pcans' });
    await lab.up(2);
    project = labProject(lab.hosts);
    // pi1 has Raspberry Pi OS trixie's rpi-swap (its configuration file as the package ships it: all defaults).
    await lab.exec('pi1', ['sh', '-c', 'mkdir -p /etc/rpi && printf "[Main]\\n#Mechanism=auto\\n" > /etc/rpi/swap.conf']);
  });
  after(async () => {
    await lab?.down();
  });

  it('10-prepare runs, then a second run changes nothing', async () => {
    const first = await run('10-prepare.yml');
    assert.equal(first.exitCode, 0, JSON.stringify(first.failures));
    assert.equal(sum(first.recap, 'failures'), 0);
    const second = await run('10-prepare.yml');
    assert.equal(second.exitCode, 0, JSON.stringify(second.failures));
    assert.equal(sum(second.recap, 'changed'), 0, JSON.stringify(second.recap));
    const chrony = await lab.exec('pi1', ['cat', '/etc/chrony/chrony.conf']);
    assert.match(chrony.stdout, /^pool pool\.ntp\.org iburst$/m);
  });

  it('30-node runs in the namespaces, then a second run changes nothing', async () => {
    const first = await run('30-node.yml');
    assert.equal(first.exitCode, 0, JSON.stringify(first.failures));
    assert.ok(sum(first.recap, 'changed') > 0, 'the first run changes the fresh hosts');
    const second = await run('30-node.yml');
    assert.equal(second.exitCode, 0, JSON.stringify(second.failures));
    assert.equal(sum(second.recap, 'changed'), 0, JSON.stringify(second.recap));
  });

  it('30-node left the node settings on every host', async () => {
    const ids = new Set<string>();
    for (const host of lab.hosts) {
      const sh = async (script: string) => (await lab.exec(host.name, ['sh', '-c', script])).stdout.trim();
      assert.match(await sh('cat /etc/machine-id'), /^[0-9a-f]{32}$/, `${host.name}: machine-id`);
      ids.add(await sh('cat /etc/machine-id'));
      const hosts = await sh('cat /etc/hosts');
      for (const other of lab.hosts) assert.match(hosts, new RegExp(`^${other.ip.replace(/\./g, '\\.')} ${other.name}$`, 'm'));
      assert.equal(await sh('cat /proc/sys/net/ipv4/ip_forward'), '1', `${host.name}: ip_forward in its namespace`);
      assert.match(await sh('cat /etc/sysctl.d/90-kubernetes.conf'), /net\.bridge\.bridge-nf-call-iptables\s*=\s*1/);
      assert.match(await sh('cat /etc/modules-load.d/kubernetes.conf'), /^br_netfilter$/m);
      assert.match(await sh('cat /usr/local/sbin/pi-cluster-boot'), /^mount --make-rshared \/$/m);
      assert.match(await sh('ip -o link show eth0'), /PROMISC/);
      assert.match(await sh('ls /etc/runlevels/boot/'), /pi-cluster-boot/);
      assert.match(await sh('cat /etc/conf.d/kubelet'), /kubeadm-flags\.env/);
      assert.equal(await sh('test -d /opt/cni/bin && echo yes'), 'yes');
    }
    assert.equal(ids.size, lab.hosts.length, 'every host has its own machine id');
  });

  it("30-node set rpi-swap's mechanism to none where rpi-swap is installed (swap.conf(5) drop-in), nowhere else", async () => {
    const dropin = await lab.exec('pi1', ['sh', '-c', 'cat /etc/rpi/swap.conf.d/*.conf']);
    assert.match(dropin.stdout, /^\[Main\]\nMechanism=none$/m);
    assert.equal((await lab.exec('pi0', ['sh', '-c', 'test -e /etc/rpi && echo yes || echo no'])).stdout.trim(), 'no');
  });

  // kubeadm and the API server are stood in (test/ansible/standins.ts); Ansible, the role and kubectl are real.
  const fast = { control_plane_api_wait_retries: 2, control_plane_api_wait_delay: 1 };
  const failInitAt = (phase: string) =>
    lab.exec('pi0', ['sh', '-c', `mkdir -p /etc/kubeadm-standin && echo ${phase} > /etc/kubeadm-standin/init-fails-at`]);
  const letInitFinish = () => lab.exec('pi0', ['rm', '-f', '/etc/kubeadm-standin/init-fails-at']);

  it('40-control-plane (kubeadm stood in, real kubectl): an init that stopped after writing admin.conf is reset and run again', async () => {
    await installStandins(lab, 'pi0');
    // 1. kubeadm init stops at wait-control-plane: admin.conf is written, the API server never answers.
    await failInitAt('wait-control-plane');
    const failed = await run('40-control-plane.yml', fast);
    assert.notEqual(failed.exitCode, 0);
    assert.equal(
      (await lab.exec('pi0', ['sh', '-c', 'test -f /etc/kubernetes/admin.conf && echo yes'])).stdout.trim(),
      'yes',
      'the trap: admin.conf exists',
    );
    await letInitFinish();
    const retried = await run('40-control-plane.yml', fast);
    assert.equal(retried.exitCode, 0, JSON.stringify(retried.failures));
    assert.deepEqual(await standinCommands(lab, 'pi0'), ['init', 'reset', 'init']);

    // 2. kubeadm init stops at upload-config (the API answers, nothing in it), then at addon (cluster-info
    //    is there, CoreDNS and kube-proxy are not): each time the next run resets and runs init again.
    for (const phase of ['upload-config', 'addon']) {
      await lab.exec('pi0', ['kubeadm', 'reset', '--force']);
      await lab.exec('pi0', ['rm', '-f', '/etc/kubernetes/pi-cluster-init-finished', '/var/log/kubeadm-standin.log']);
      await failInitAt(phase);
      assert.notEqual((await run('40-control-plane.yml', fast)).exitCode, 0, phase);
      await letInitFinish();
      const again = await run('40-control-plane.yml', fast);
      assert.equal(again.exitCode, 0, `${phase}: ${JSON.stringify(again.failures)}`);
      assert.deepEqual(await standinCommands(lab, 'pi0'), ['init', 'reset', 'init'], phase);
    }
    assert.equal(
      (
        await lab.exec('pi0', [
          'kubectl',
          '--kubeconfig',
          '/etc/kubernetes/admin.conf',
          'get',
          '--raw',
          '/api/v1/namespaces/kube-public/configmaps/cluster-info',
        ])
      ).exitCode,
      0,
      'cluster-info is there now',
    );
  });

  it('40-control-plane leaves a finished init alone, and never resets one whose API server stopped answering', async () => {
    const before = await standinCommands(lab, 'pi0');
    const rerun = await run('40-control-plane.yml', fast);
    assert.equal(rerun.exitCode, 0, JSON.stringify(rerun.failures));
    assert.equal(sum(rerun.recap, 'changed'), 0, JSON.stringify(rerun.recap));
    assert.deepEqual(await standinCommands(lab, 'pi0'), before, 'no init, no reset');
    // The API server stops (a crash, or still starting after a reboot): the layer fails and resets nothing.
    await lab.exec('pi0', ['sh', '-c', 'kill "$(cat /var/lib/kube-api-standin/pid)"']);
    const down = await run('40-control-plane.yml', fast);
    assert.notEqual(down.exitCode, 0);
    assert.match(JSON.stringify(down.failures), /finished here before, but the API server does not answer/);
    assert.deepEqual(await standinCommands(lab, 'pi0'), before, 'still no init, no reset');
    // The API server answers again but cluster-info is gone (deleted by hand): still no reset.
    await lab.exec('pi0', [
      'sh',
      '-c',
      'setsid python3 /usr/local/lib/kubeadm-standin/kube-api-standin.py </dev/null >/dev/null 2>&1 & sleep 1',
    ]);
    await lab.exec('pi0', ['mv', '/var/lib/kube-api-standin/configmaps/kube-public/cluster-info', '/tmp/cluster-info']);
    const gone = await run('40-control-plane.yml', fast);
    assert.notEqual(gone.exitCode, 0);
    assert.match(JSON.stringify(gone.failures), /lacks the ConfigMap\(s\) kube-public\/cluster-info/);
    assert.deepEqual(await standinCommands(lab, 'pi0'), before, 'no init, no reset');
    await lab.exec('pi0', ['mv', '/tmp/cluster-info', '/var/lib/kube-api-standin/configmaps/kube-public/cluster-info']);
  });

  it('50-workers (kubeadm stood in): the token reaches kubeadm join in a 0600 JoinConfiguration, not in argv; the file is gone after', async () => {
    await installStandins(lab, 'pi1');
    const result = await run('50-workers.yml');
    assert.equal(result.exitCode, 0, JSON.stringify(result.failures));
    const calls = await standinCalls(lab, 'pi1');
    const joinCall = calls.find((call) => call.argv?.[0] === 'join');
    assert.deepEqual(joinCall?.argv, ['join', '--config', '/run/pi-cluster/kubeadm-join.yaml']);
    assert.ok(
      calls.every((call) => !JSON.stringify(call.argv ?? []).includes('0123456789abcdef')),
      'no token in any argv',
    );
    const joined = calls.find((call) => call.joined);
    assert.equal(joined?.config_mode, '0o600');
    const docs = parseAllDocuments(joined?.config ?? '').map((doc) => doc.toJS());
    assert.deepEqual(checkKubeadmDocuments(docs), []);
    assert.equal(docs[0].discovery.bootstrapToken.token, 'abcdef.0123456789abcdef');
    assert.equal(docs[0].nodeRegistration.name, 'pi1');
    assert.equal(
      (await lab.exec('pi1', ['sh', '-c', 'test -e /run/pi-cluster/kubeadm-join.yaml && echo left || echo gone'])).stdout.trim(),
      'gone',
    );
    const master = await standinCommands(lab, 'pi0');
    assert.deepEqual(
      master.filter((command) => command === 'token'),
      ['token', 'token'],
      'token create, then token delete',
    );
    const again = await run('50-workers.yml');
    assert.equal(again.exitCode, 0);
    assert.equal(
      (await standinCalls(lab, 'pi1')).filter((call) => call.argv?.[0] === 'join').length,
      1,
      'a joined worker is not joined again',
    );
  });

  it("30-node made / shared in each host's own mount namespace, and the boot script does it again", async () => {
    const ownNamespace = readlinkSync('/proc/self/ns/mnt');
    for (const host of lab.hosts) {
      const sh = async (script: string) => (await lab.exec(host.name, ['sh', '-c', script])).stdout.trim();
      assert.notEqual(await sh('readlink /proc/1/ns/mnt'), ownNamespace, `${host.name}: a mount namespace of its own`);
      // What 30-node left: / is shared (mountinfo's optional field shared:N on the root entry).
      assert.equal(await sh('findmnt -n -o PROPAGATION /'), 'shared', `${host.name}: / after 30-node`);
      assert.match(await sh('awk \'$5 == "/"\' /proc/self/mountinfo'), / shared:\d+ /);
      // Back to how the lab boots a host (private), then the boot script alone, as at every boot.
      await sh('mount --make-rprivate /');
      assert.equal(await sh('findmnt -n -o PROPAGATION /'), 'private', `${host.name}: / made private for the test`);
      await lab.exec(host.name, ['/usr/local/sbin/pi-cluster-boot']);
      assert.equal(await sh('findmnt -n -o PROPAGATION /'), 'shared', `${host.name}: / after the boot script`);
      assert.match(await sh('findmnt -n -o PROPAGATION /proc'), /^shared$/, `${host.name}: recursively (r-shared)`);
    }
  });

  it('30-node wrote the NFS mounts of pi-cluster.yaml into fstab on every host, without mounting them (lab)', async () => {
    for (const host of lab.hosts) {
      const sh = async (script: string) => (await lab.exec(host.name, ['sh', '-c', script])).stdout.trim();
      const nfs = (await sh('cat /etc/fstab'))
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields[2] === 'nfs');
      assert.deepEqual(
        nfs,
        [
          ['198.51.100.5:/export/media', '/mnt/media', 'nfs', 'nfsvers=4.1,hard,noatime', '0', '0'],
          ['198.51.100.5:/export/pi-cluster/backup', '/srv/backup', 'nfs', 'nfsvers=4.2,soft,ro', '0', '0'],
        ],
        `${host.name}: fstab`,
      );
      assert.equal(
        await sh('awk \'$5 == "/mnt/media" || $5 == "/srv/backup"\' /proc/self/mountinfo'),
        '',
        `${host.name}: not mounted in the lab`,
      );
    }
  });

  it('40-control-plane on a node whose PKI was laid down first (etcd restore --onto) keeps that CA: no kubeadm reset, init reuses it', async () => {
    // A fresh card: nothing of kubeadm's but the backed-up CA pair in /etc/kubernetes/pki.
    await lab.exec('pi0', ['kubeadm', 'reset', '--force']);
    await lab.exec('pi0', ['rm', '-f', '/etc/kubernetes/pi-cluster-init-finished', '/var/log/kubeadm-standin.log']);
    await lab.exec('pi0', [
      'sh',
      '-c',
      'umask 077; mkdir -p /etc/kubernetes/pki && echo "the backed-up CA" > /etc/kubernetes/pki/ca.crt && echo key > /etc/kubernetes/pki/ca.key',
    ]);
    await letInitFinish();
    const result = await run('40-control-plane.yml', fast);
    assert.equal(result.exitCode, 0, JSON.stringify(result.failures));
    assert.deepEqual(await standinCommands(lab, 'pi0'), ['init'], 'init only: the laid-down CA is not reset away');
    assert.equal((await lab.exec('pi0', ['cat', '/etc/kubernetes/pki/ca.crt'])).stdout.trim(), 'the backed-up CA');
  });
});
