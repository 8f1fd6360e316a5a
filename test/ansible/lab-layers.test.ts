// 10-prepare and 30-node for real against the virtual lab (Debian hosts, OpenRC, network namespaces).
// The lab switch turns off what would reach beyond a host's namespaces (kernel modules, global sysctls,
// swap, kernel command line, starting daemons) and installs that need the internet.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPlaybook, type PlaybookResult } from '../../src/bootstrap/ansible.js';
import { Lab, labSkipReason } from '../lab/index.js';
import { labProject, labVars, sum } from './helpers.js';

const skip = labSkipReason();

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
      extraVars: labVars(project.stateDir),
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
      // The lab's Debian root has no mount(8) (package `mount` is not in mmdebstrap's apt variant and
      // cannot be downloaded there): then only the boot script can be checked.
      if (await sh('command -v mount || true')) assert.match(await sh('findmnt -n -o PROPAGATION /'), /shared/);
      assert.match(await sh('cat /usr/local/sbin/pi-cluster-boot'), /^mount --make-rshared \/$/m);
      assert.match(await sh('ip -o link show eth0'), /PROMISC/);
      assert.match(await sh('ls /etc/runlevels/boot/'), /pi-cluster-boot/);
      assert.match(await sh('cat /etc/conf.d/kubelet'), /kubeadm-flags\.env/);
      assert.equal(await sh('test -d /opt/cni/bin && echo yes'), 'yes');
    }
    assert.equal(ids.size, lab.hosts.length, 'every host has its own machine id');
  });
});
