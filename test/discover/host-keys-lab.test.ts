/**
 * Host keys known before first boot (issue 15) and a changed key refused (issue 12, item 1), against
 * virtual Pis whose sshd uses the key taken from a card `pi-cluster flash` wrote: the real
 * `ssh -o StrictHostKeyChecking=yes` and discover's ssh2 both check it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import { flash } from '../../src/flash/flash.js';
import { carvePartition, release, sshKeyPair, TEST_BOOT } from '../flash/helpers.js';
import { Lab, labSkipReason } from '../lab/index.js';
import { runDiscover, tempProject } from './run.js';
import { strictSshArgs } from '../helpers/openssh.js';

const skip = labSkipReason();

/** The host key files of a card image: its apkovl read back with mtools, unpacked with tar. */
function hostKeyOnCard(image: string, hostname: string, dir: string): { private: string; public: string } {
  const partition = carvePartition(image, dir);
  const out = join(dir, `card-${hostname}`);
  mkdirSync(out, { recursive: true });
  execFileSync('mcopy', ['-n', '-i', partition, `::/${hostname}.apkovl.tar.gz`, join(out, 'ovl.tar.gz')], {
    env: { ...process.env, MTOOLS_SKIP_CHECK: '1' },
  });
  execFileSync('tar', ['-C', out, '-xzf', join(out, 'ovl.tar.gz'), 'etc/ssh/ssh_host_ed25519_key', 'etc/ssh/ssh_host_ed25519_key.pub']);
  return {
    private: readFileSync(join(out, 'etc/ssh/ssh_host_ed25519_key'), 'utf8'),
    public: readFileSync(join(out, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8'),
  };
}

describe('host keys written by flash, verified by discover and OpenSSH (virtual Pis)', { skip }, () => {
  let lab: Lab;
  let project: string;
  let keyPath: string;

  before(async () => {
    project = tempProject();
    const built = await release(join(project, 'release'), { size: 4 * 2 ** 20, level: 0 });
    lab = new Lab({ name: 'hkeys' });
    keyPath = lab.privateKeyPath;
    // The Pis' own SSH key for root is the lab's; the host keys come from the cards.
    const labKey = sshKeyPair(project, 'unused');
    await flash({
      stateDir: join(project, '.pi-cluster'),
      config: configSchema.parse({}),
      outputs: [join(project, '{hostname}.img')],
      hostnames: ['pi0', 'pi1'],
      image: built.path,
      sshKey: labKey.publicKey,
      bootSize: TEST_BOOT,
      cacheDir: join(project, 'cache'),
    });
    await lab.addHost('pi0', { hostKey: hostKeyOnCard(join(project, 'pi0.img'), 'pi0', project) });
    // pi1 answers with a key that is not the one on pi1's card: what an impostor (or a reinstall elsewhere) looks like.
    await lab.addHost('pi1');
  });
  after(async () => {
    await lab?.down();
  });

  it('OpenSSH with StrictHostKeyChecking=yes accepts the Pi using the flashed key, before any discover', () => {
    const knownHosts = join(project, '.pi-cluster/known_hosts');
    const args = [...strictSshArgs(keyPath, knownHosts), '-o', 'HostKeyAlias=pi0'];
    assert.equal(
      execFileSync('ssh', [...args, `root@${lab.host('pi0').ip}`, 'hostname'], { encoding: 'utf8', timeout: 15_000 }).trim(),
      'pi0',
    );
    const impostor = spawnSync('ssh', [...args.slice(0, -1), 'HostKeyAlias=pi1', `root@${lab.host('pi1').ip}`, 'hostname'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    assert.notEqual(impostor.status, 0);
    assert.match(impostor.stderr, /HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('discover reports pi0 verified, refuses pi1 with both fingerprints, and leaves pi1 out even with --yes', async () => {
    const run = await runDiscover(project, { interfaces: [lab.bridgeInterface], sshKey: keyPath, masters: '1', yes: true, expect: '2' });
    assert.ok(run.error, 'a refused host key fails the run');
    assert.match(run.error!.message, /pi1 \(host key CHANGED: recorded SHA256:\S+, offered SHA256:\S+; refused\)/);
    assert.match(run.error!.hint ?? '', /pi-cluster discover --replace-key pi1/);
    assert.match(run.out, /pi0 .*host key verified \(flashed here\)/);
    const inventory = readFileSync(join(project, 'pi-hosts'), 'utf8');
    assert.match(inventory, /^pi0 ansible_host=/m);
    assert.doesNotMatch(inventory, /^pi1 /m);
    assert.doesNotMatch(
      readFileSync(join(project, '.pi-cluster/known_hosts'), 'utf8'),
      new RegExp(lab.host('pi1').ip.replaceAll('.', '\\.')),
    );
  });

  it('--replace-key pi1 accepts the new key on purpose, and the next run sees it as recorded', async () => {
    const run = await runDiscover(project, {
      interfaces: [lab.bridgeInterface],
      sshKey: keyPath,
      yes: true,
      expect: '2',
      replaceKey: ['pi1'],
    });
    assert.equal(run.error, undefined, run.error?.message);
    assert.match(run.err, /pi1: host key replaced \(was SHA256:\S+, now SHA256:\S+\)/);
    assert.match(readFileSync(join(project, 'pi-hosts'), 'utf8'), /^pi1 ansible_host=/m);
    const again = await runDiscover(project, { interfaces: [lab.bridgeInterface], sshKey: keyPath, yes: true, expect: '2' });
    assert.equal(again.error, undefined, again.error?.message);
    assert.deepEqual(
      again.result!.cluster.map((h) => [h.name, h.hostKey?.status]),
      [
        ['pi0', 'verified'],
        ['pi1', 'known'],
      ],
    );
  });

  it('--sweep names a host by its flashed key, not by what it says its hostname is', async () => {
    const cwd = tempProject();
    execFileSync('cp', ['-r', join(project, '.pi-cluster'), join(cwd, '.pi-cluster')]);
    const run = await runDiscover(cwd, { sweep: `${lab.host('pi0').ip}/32`, sshKey: keyPath, yes: true, masters: '1' });
    assert.equal(run.error, undefined, run.error?.message);
    assert.deepEqual(
      run.result!.cluster.map((h) => [h.name, h.nameFrom, h.hostKey?.status]),
      [['pi0', 'host-key', 'verified']],
    );
  });

  it('a host key never seen and not flashed here needs --yes', async () => {
    const cwd = tempProject();
    const run = await runDiscover(cwd, { interfaces: [lab.bridgeInterface], sshKey: keyPath, yes: false, expect: '2' });
    assert.ok(run.error);
    assert.match(run.error!.message, /new host key SHA256:\S+ \(not flashed here\)/);
    assert.match(run.error!.hint ?? '', /--yes/);
  });
});
