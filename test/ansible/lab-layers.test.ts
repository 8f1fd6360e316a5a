// 10-prepare and 30-node for real against the virtual lab (Debian hosts, OpenRC, network namespaces).
// The lab switch turns off what would reach beyond a host's namespaces (kernel modules, global sysctls,
// swap, kernel command line, starting daemons) and installs that need the internet.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readlinkSync } from 'node:fs';
import { runPlaybook, type PlaybookResult } from '../../src/bootstrap/ansible.js';
import { extraVars } from '../../src/bootstrap/vars.js';
import { configSchema } from '../../src/config/schema.js';
import { Lab, labSkipReason } from '../lab/index.js';
import { labProject, labVars, sum } from './helpers.js';

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
  const run = (playbook: string): Promise<PlaybookResult> =>
    runPlaybook({
      playbook,
      inventory: project.inventory,
      privateKey: lab.privateKeyPath,
      knownHosts: lab.knownHostsPath,
      forks: 5,
      extraVars: { ...extraVars({ config, stateDir: project.stateDir }), ...labVars(project.stateDir) },
      logFile: join(project.stateDir, 'logs', `${playbook}.log`),
      cwd: project.dir,
    });

  before(async () => {
    lab = new Lab({ name: 'pcans' });
    await lab.up(2);
    project = labProject(lab.hosts);
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

  it('30-node made / shared in each host\'s own mount namespace, and the boot script does it again', async () => {
    const ownNamespace = readlinkSync('/proc/self/ns/mnt');
    for (const host of lab.hosts) {
      const sh = async (script: string) => (await lab.exec(host.name, ['sh', '-c', script])).stdout.trim();
      assert.notEqual(await sh('readlink /proc/1/ns/mnt'), ownNamespace, `${host.name}: a mount namespace of its own`);
      // What 30-node left: / is shared (mountinfo's optional field shared:N on the root entry).
      assert.equal(await sh('findmnt -n -o PROPAGATION /'), 'shared', `${host.name}: / after 30-node`);
      assert.match(await sh("awk '$5 == \"/\"' /proc/self/mountinfo"), / shared:\d+ /);
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
      const nfs = (await sh('cat /etc/fstab')).split('\n').map((line) => line.trim().split(/\s+/)).filter((fields) => fields[2] === 'nfs');
      assert.deepEqual(nfs, [
        ['198.51.100.5:/export/media', '/mnt/media', 'nfs', 'nfsvers=4.1,hard,noatime', '0', '0'],
        ['198.51.100.5:/export/pi-cluster/backup', '/srv/backup', 'nfs', 'nfsvers=4.2,soft,ro', '0', '0'],
      ], `${host.name}: fstab`);
      assert.equal(await sh("awk '$5 == \"/mnt/media\" || $5 == \"/srv/backup\"' /proc/self/mountinfo"), '', `${host.name}: not mounted in the lab`);
    }
  });
});
