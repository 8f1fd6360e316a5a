// The virtual Pi lab end to end: hosts come up, answer SSH with the lab key only, announce
// themselves over mDNS, take Ansible with OpenRC as their service manager, survive a power cut,
// and leave nothing behind.
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { runAnsibleModule } from './ansible-probe.js';
import { Lab, labSkipReason } from './index.js';
import { browseLab, type Announcement } from './mdns-probe.js';
import { sshAnswers } from './readiness.js';
import { sshRun, targetFromKnownHosts, tryPasswordLogin, type SshTarget } from './ssh-probe.js';
import { labLinks, labMounts, labNamespaces } from './teardown.js';

const skip = labSkipReason();

describe('virtual Pi lab', { skip }, () => {
  const lab = new Lab({ name: 'labtest' });
  const target = (name: string): SshTarget => targetFromKnownHosts(lab.knownHostsPath, name, lab.host(name).ip);
  const labKey = (): Buffer => readFileSync(lab.privateKeyPath);
  const announcedAt = (found: readonly Announcement[], hostname: string, ip: string): boolean =>
    found.some((service) => service.host === `${hostname}.local` && service.addresses.includes(ip));

  before(async () => {
    await lab.up(3);
  });
  after(async () => {
    await lab.down();
  });

  it('brings up pi0..pi2 on 198.51.100.0/24 with Raspberry Pi MACs on eth0', async () => {
    assert.deepEqual(
      lab.hosts.map((host) => [host.name, host.ip, host.running]),
      [
        ['pi0', '198.51.100.10', true],
        ['pi1', '198.51.100.11', true],
        ['pi2', '198.51.100.12', true],
      ],
    );
    assert.equal(new Set(lab.hosts.map((host) => host.mac)).size, 3);
    for (const host of lab.hosts) {
      assert.match(host.mac, /^dc:a6:32(:[0-9a-f]{2}){3}$/);
      const link = await lab.exec(host.name, ['ip', '-o', 'link', 'show', 'eth0']);
      assert.match(link.stdout, new RegExp(`link/ether ${host.mac} `));
      assert.equal((await lab.exec(host.name, ['cat', '/etc/hostname'])).stdout, host.name);
      assert.equal((await lab.exec(host.name, ['cat', '/proc/1/comm'])).stdout, 'openrc-init');
    }
  });

  it('lets root in over SSH with the lab key, each host proving its own known host key', async () => {
    for (const host of lab.hosts) {
      const { stdout, code } = await sshRun(target(host.name), labKey(), 'hostname');
      assert.equal(code, 0);
      assert.equal(stdout.trim(), host.name);
    }
    // A host key of another host must not pass: the known_hosts entries are really per host.
    const wrongKey = { ...target('pi0'), hostKey: target('pi1').hostKey };
    await assert.rejects(sshRun(wrongKey, labKey(), 'true'));
  });

  it('refuses a password login even with the right root password', async () => {
    const shadow = (await lab.exec('pi0', ['getent', 'shadow', 'root'])).stdout;
    assert.match(shadow.split(':')[1], /^\$/, 'root has a password, so only sshd can be refusing it');
    const attempt = await tryPasswordLogin(target('pi0'), 'raspberry');
    assert.equal(attempt.accepted, false);
    assert.deepEqual(attempt.methodsOffered, ['publickey']);
  });

  it('announces each host and its SSH service over mDNS, with the MAC on the workstation record', async () => {
    const ssh = await browseLab('ssh', (found) => lab.hosts.every((host) => announcedAt(found, host.name, host.ip)));
    for (const host of lab.hosts) {
      assert.ok(announcedAt(ssh, host.name, host.ip), `${host.name}.local at ${host.ip} announced: ${JSON.stringify(ssh)}`);
      assert.equal(ssh.find((service) => service.host === `${host.name}.local`)?.port, 22);
    }
    const hasMac = (found: readonly Announcement[], mac: string): boolean => found.some((service) => service.name.includes(`[${mac}]`));
    const workstations = await browseLab('workstation', (found) => lab.hosts.every((host) => hasMac(found, host.mac)));
    for (const host of lab.hosts) assert.ok(hasMac(workstations, host.mac), `${host.name} workstation record carries ${host.mac}`);
  });

  it('answers Ansible, which sees OpenRC as the service manager', async () => {
    const pings = await runAnsibleModule(lab, lab.hosts, 'ping');
    for (const host of lab.hosts) assert.equal(pings[host.name]?.ping, 'pong', JSON.stringify(pings[host.name]));
    const facts = await runAnsibleModule(lab, lab.hosts, 'setup', 'filter=ansible_service_mgr');
    for (const host of lab.hosts) {
      const hostFacts = facts[host.name]?.ansible_facts as Record<string, unknown> | undefined;
      assert.equal(hostFacts?.ansible_service_mgr, 'openrc', JSON.stringify(facts[host.name]));
    }
  });

  it("lets Ansible's service module stop, start and restart chronyd and sshd", async () => {
    const pi0 = [lab.host('pi0')];
    const chronydStatus = async (): Promise<number> =>
      (await lab.exec('pi0', ['rc-service', 'chronyd', 'status'], { reject: false })).exitCode;
    const stopped = await runAnsibleModule(lab, pi0, 'service', 'name=chronyd state=stopped');
    assert.equal(stopped.pi0?.changed, true, JSON.stringify(stopped.pi0));
    assert.notEqual(await chronydStatus(), 0);
    const started = await runAnsibleModule(lab, pi0, 'service', 'name=chronyd state=started enabled=yes');
    assert.equal(started.pi0?.changed, true, JSON.stringify(started.pi0));
    assert.equal(await chronydStatus(), 0);

    const sshdPid = async (): Promise<string> => (await lab.exec('pi0', ['cat', '/run/sshd.pid'])).stdout;
    const before = await sshdPid();
    const restarted = await runAnsibleModule(lab, pi0, 'service', 'name=sshd state=restarted');
    assert.equal(restarted.pi0?.changed, true, JSON.stringify(restarted.pi0));
    assert.notEqual(await sshdPid(), before);
    assert.equal((await sshRun(target('pi0'), labKey(), 'true')).code, 0);
  });

  it('stops a host like a power cut and starts it again with its disk intact', async () => {
    await lab.exec('pi1', ['sh', '-c', 'echo kept > /root/marker']);
    await lab.stop('pi1');
    assert.equal(lab.host('pi1').running, false);
    assert.equal(await sshAnswers(lab.host('pi1').ip, 500), false);
    await assert.rejects(lab.exec('pi1', ['true']), /not running/);

    await lab.start('pi1');
    assert.equal(lab.host('pi1').running, true);
    const { stdout } = await sshRun(target('pi1'), labKey(), 'cat /root/marker; hostname');
    assert.equal(stdout, 'kept\npi1\n');
  });

  it('adds a host that refuses the lab key, and moves a host to a new address', async () => {
    const stranger = await lab.addHost('pi7', { withKey: false });
    assert.equal(stranger.ip, '198.51.100.13');
    assert.equal(await sshAnswers(stranger.ip), true);
    await assert.rejects(sshRun(target('pi7'), labKey(), 'true'), /authentication/i);

    await lab.setAddress('pi2', '198.51.100.40');
    assert.equal(lab.host('pi2').ip, '198.51.100.40');
    assert.equal((await sshRun(target('pi2'), labKey(), 'hostname')).stdout.trim(), 'pi2');
    const moved = await browseLab('ssh', (found) => announcedAt(found, 'pi2', '198.51.100.40'));
    assert.ok(announcedAt(moved, 'pi2', '198.51.100.40'), JSON.stringify(moved));
    await assert.rejects(lab.setAddress('pi2', '192.0.2.40'), /not a lab host address/);
  });

  it('goes down without leaving processes, namespaces, links, mounts or files', async () => {
    const stateDir = lab.stateDir;
    await lab.down();
    assert.deepEqual(labNamespaces('labtest'), []);
    assert.deepEqual(labLinks('labtest'), []);
    assert.deepEqual(labMounts(stateDir), []);
    assert.equal(existsSync(stateDir), false);
    assert.deepEqual(processesMentioning(stateDir), []);
    assert.deepEqual(lab.hosts, []);
  });
});

/** Host processes carry their state folder in their command line (the boot script's arguments). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    });
}
