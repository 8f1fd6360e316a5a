import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { inventoryHosts, parseInventory, roleOf } from '../../src/inventory/ini.js';
import { Lab, labSkipReason } from '../lab/index.js';
import { runDiscover, tempProject } from './run.js';
import { strictSshArgs } from '../helpers/openssh.js';

/** Three virtual Pis: the whole discover story against real avahi and OpenSSH. */
const skip = labSkipReason();

function roles(cwd: string): Record<string, string | undefined> {
  const hosts = inventoryHosts(parseInventory(readFileSync(join(cwd, 'pi-hosts'), 'utf8')));
  return Object.fromEntries(hosts.map((h) => [h.name, `${roleOf(h)} ${h.ansibleHost}`]));
}

describe('discover against 3 virtual Pis', { skip }, () => {
  let lab: Lab;
  let base: { interfaces: string[]; sshKey: string };

  before(async () => {
    lab = new Lab({ name: 'disc' });
    await lab.up(3, { prefix: 'pi' });
    base = { interfaces: [lab.bridgeInterface], sshKey: lab.privateKeyPath };
  });
  after(async () => {
    await lab?.down();
  });

  let project: string;

  it('finds the 3 Pis, writes pi-hosts for --masters 1, and stops on a quiet network well before --timeout', async () => {
    project = tempProject();
    const run = await runDiscover(project, { ...base, masters: '1', timeout: '10s', verbose: true });
    assert.equal(run.error, undefined, run.error?.stack);
    const result = run.result!;
    // Each Pi is checked over SSH while the browse still listens (its probe line comes first), not after it.
    const browseOver = run.err.indexOf('browse over');
    assert.ok(browseOver > 0, run.err);
    for (const host of lab.hosts) {
      const probed = run.err.indexOf(`${host.name}: SSH connect`);
      assert.ok(probed >= 0 && probed < browseOver, `${host.name} probed during the browse:\n${run.err}`);
    }
    assert.deepEqual(
      result.cluster.map((h) => [h.name, h.address, h.problem]),
      lab.hosts.map((h) => [h.name, h.ip, undefined]),
    );
    assert.equal(result.browse.stoppedBy, 'stable');
    assert.ok(result.browse.elapsedMs < 4000, `stopped after ${result.browse.elapsedMs} ms with a 10 s timeout`);
    assert.deepEqual(roles(project), { pi0: 'masters 198.51.100.10', pi1: 'workers 198.51.100.11', pi2: 'workers 198.51.100.12' });
    for (const host of result.cluster) {
      assert.equal(host.mac, lab.host(host.name).mac, `${host.name}: MAC of the interface holding the address`);
      assert.equal(host.vendor, 'Raspberry Pi');
      assert.match(host.facts?.os ?? '', /Debian/);
      assert.ok((host.facts?.memoryBytes ?? 0) > 0);
    }
    const text = readFileSync(join(project, 'pi-hosts'), 'utf8');
    assert.match(text, /^pi1 ansible_host=198\.51\.100\.11 +# x86_64 Raspberry Pi, dc:a6:32:/m);
    assert.match(run.out, /^pi0 +198\.51\.100\.10 +dc:a6:32:\S+ +Raspberry Pi/m, 'hosts are printed as they appear');
  });

  it('writes a known hosts file that OpenSSH verifies with StrictHostKeyChecking=yes', () => {
    const knownHosts = join(project, '.pi-cluster/known_hosts');
    for (const target of ['198.51.100.11', 'pi1']) {
      const args = strictSshArgs(lab.privateKeyPath, knownHosts);
      // By name through the ssh_config snippet, by address directly.
      const argv =
        target === 'pi1'
          ? ['-F', join(project, '.pi-cluster/ssh_config'), '-o', 'BatchMode=yes', target, 'hostname']
          : [...args, `root@${target}`, 'hostname'];
      assert.equal(execFileSync('ssh', argv, { encoding: 'utf8', timeout: 15_000 }).trim(), 'pi1', `ssh ${target}`);
    }
  });

  it('names the master with --master pi2', async () => {
    const cwd = tempProject();
    const run = await runDiscover(cwd, { ...base, master: ['pi2'] });
    assert.equal(run.error, undefined, run.error?.stack);
    assert.deepEqual(roles(cwd), { pi2: 'masters 198.51.100.12', pi0: 'workers 198.51.100.10', pi1: 'workers 198.51.100.11' });
  });

  it('a Pi found before its sshd listens is checked again after the browse, and passes', async () => {
    const cwd = tempProject();
    // pi9 is listed but absent: the browse waits the whole --timeout, time enough to start pi1's sshd.
    writeFileSync(
      join(cwd, 'pi-hosts'),
      '[masters]\npi0 ansible_host=198.51.100.10\n\n[workers]\npi1 ansible_host=198.51.100.11\npi2 ansible_host=198.51.100.12\npi9 ansible_host=198.51.100.99\n',
    );
    await lab.exec('pi1', ['rc-service', 'sshd', 'stop']);
    let err = '';
    let restarted: Promise<unknown> | undefined;
    try {
      const run = await runDiscover(cwd, {
        ...base,
        timeout: '3s',
        verbose: true,
        err: (text) => {
          err += text;
          if (!restarted && err.includes('pi1: no SSH yet')) restarted = lab.exec('pi1', ['rc-service', 'sshd', 'start']);
        },
      });
      assert.ok(restarted, `pi1 was probed early and found no sshd:\n${err}`);
      assert.equal(run.error, undefined, `${run.error?.stack}\n${err}`);
      const pi1 = run.result!.cluster.find((h) => h.name === 'pi1');
      assert.equal(pi1?.problem, undefined);
      assert.equal(pi1?.facts?.hostname, 'pi1');
    } finally {
      await restarted;
      await lab.exec('pi1', ['sh', '-c', 'rc-service sshd status >/dev/null || rc-service sshd start']);
    }
  });

  it('after one address changed, updates only that line and keeps hand-made roles', async () => {
    const file = join(project, 'pi-hosts');
    // By hand: pi1 becomes a second master.
    const edited = readFileSync(file, 'utf8')
      .replace(/^(pi1 .*)\n/m, '')
      .replace('[masters]\n', `[masters]\n${/^pi1 .*$/m.exec(readFileSync(file, 'utf8'))![0]}\n`);
    writeFileSync(file, edited);
    await lab.setAddress('pi2', '198.51.100.42');
    const run = await runDiscover(project, { ...base, masters: '1' });
    assert.equal(run.error, undefined, run.error?.stack);
    const after = readFileSync(file, 'utf8');
    const changed = after.split('\n').filter((l, i) => l !== edited.split('\n')[i]);
    assert.equal(changed.length, 1, `one line changed:\n${changed.join('\n')}`);
    assert.match(changed[0], /^pi2 ansible_host=198\.51\.100\.42 /);
    assert.deepEqual(roles(project), { pi0: 'masters 198.51.100.10', pi1: 'masters 198.51.100.11', pi2: 'workers 198.51.100.42' });
    assert.equal(readFileSync(`${file}.bak`, 'utf8'), edited, 'the previous file is kept');
    assert.deepEqual(run.result!.changes, [{ kind: 'address', name: 'pi2', from: '198.51.100.12', to: '198.51.100.42' }]);
    assert.match(readFileSync(join(project, '.pi-cluster/known_hosts'), 'utf8'), /^pi2,pi2\.local,198\.51\.100\.42 ssh-ed25519 /m);
  });

  it('reports a stopped host as missing and keeps it', async () => {
    await lab.stop('pi1');
    try {
      const run = await runDiscover(project, { ...base, timeout: '4s' });
      assert.equal(run.error, undefined, run.error?.stack);
      assert.equal(run.result!.browse.stoppedBy, 'timeout', 'a listed host gets the whole timeout to answer');
      assert.deepEqual(run.result!.changes, [{ kind: 'missing', name: 'pi1', role: 'masters', address: '198.51.100.11' }]);
      assert.match(run.err, /pi1: listed in pi-hosts at 198\.51\.100\.11 but not found; kept/);
      assert.equal(roles(project).pi1, 'masters 198.51.100.11');
    } finally {
      await lab.start('pi1');
    }
  });

  it('flags a host that refuses the key, and leaves it out of pi-hosts', async () => {
    await lab.addHost('pi7', { withKey: false });
    const cwd = tempProject();
    const run = await runDiscover(cwd, { ...base, masters: '1' });
    assert.ok(run.error instanceof UserError, 'the run ends with an error for scripts');
    assert.match(run.error.message, /1 host failed the SSH check .*pi7 \(refused the key for root\)/);
    assert.match(run.out, /^pi7 +198\.51\.100\.\d+ +FAIL +.*refused the key/m);
    assert.deepEqual(Object.keys(roles(cwd)).sort(), ['pi0', 'pi1', 'pi2'], 'the others are written');
  });

  it('--sweep finds the same hosts without mDNS, by TCP 22 and the names they give', async () => {
    const cwd = tempProject();
    const run = await runDiscover(cwd, { sshKey: lab.privateKeyPath, sweep: '198.51.100.0/24', masters: '1' });
    assert.ok(run.error instanceof UserError && run.error.message.includes(`${lab.host('pi7').ip} (refused the key`), run.error?.stack);
    assert.deepEqual(Object.entries(roles(cwd)).sort(), [
      ['pi0', 'masters 198.51.100.10'],
      ['pi1', 'workers 198.51.100.11'],
      ['pi2', 'workers 198.51.100.42'],
    ]);
    assert.ok(!existsSync(join(cwd, 'pi-hosts.bak')));
  });
});
