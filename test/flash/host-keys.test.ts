// Each card carries its Pi's SSH host key, made and kept by flash (issue 15); a stored key OpenSSH cannot load is refused.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { flash } from '../../src/flash/flash.js';
import { KnownHosts } from '../../src/remote/known-hosts.js';
import { runCli } from '../helpers/cli.js';
import { carvePartition, config, mtoolsFiles, TEST_BOOT, workspace } from './helpers.js';

const space = workspace();

async function flashTo(state: string, outputs: string[], hostnames: string[], extra: { rotateHostKeys?: string[] } = {}) {
  return flash({
    stateDir: state,
    config: config(),
    image: space.image,
    sshKey: space.key,
    bootSize: TEST_BOOT,
    cacheDir: join(space.dir, 'cache'),
    outputs,
    hostnames,
    ...extra,
  });
}

function overlayOf(image: string, hostname: string): Buffer {
  return mtoolsFiles(carvePartition(image, space.dir), space.dir).get(`${hostname}.apkovl.tar.gz`)!;
}

describe('SSH host keys made by flash', () => {
  it('keeps one key pair per hostname in .pi-cluster/host-keys (folder 0700, private key 0600) and records it', async () => {
    const state = join(space.dir, 'state-a');
    const { hostKeys } = await flashTo(state, [join(space.dir, 'a-{hostname}.img')], ['pi0', 'pi1']);
    assert.equal(statSync(join(state, 'host-keys')).mode & 0o777, 0o700);
    for (const name of ['pi0', 'pi1']) {
      assert.equal(statSync(join(state, 'host-keys', name)).mode & 0o777, 0o600);
      // OpenSSH reads the pair back: the private key gives the recorded public key.
      const derived = execFileSync('ssh-keygen', ['-y', '-f', join(state, 'host-keys', name)])
        .toString()
        .trim()
        .split(' ')
        .slice(0, 2)
        .join(' ');
      assert.equal(
        derived,
        readFileSync(join(state, 'host-keys', `${name}.pub`), 'utf8')
          .trim()
          .split(' ')
          .slice(0, 2)
          .join(' '),
      );
    }
    const pub = (name: string) => readFileSync(join(state, 'host-keys', `${name}.pub`), 'utf8').trim();
    assert.notEqual(pub('pi0').split(' ')[1], pub('pi1').split(' ')[1], 'two hostnames never share a key');
    const known = readFileSync(join(state, 'known_hosts'), 'utf8');
    assert.ok(known.split('\n').includes(`pi0 ${pub('pi0').split(' ').slice(0, 2).join(' ')} pi-cluster-flash`), known);
    assert.deepEqual(
      hostKeys.map((k) => k.hostname),
      ['pi0', 'pi1'],
    );
    assert.match(hostKeys[0]!.fingerprint, /^SHA256:/);
  });

  it('a re-flash of the same hostname gives byte-identical key files and overlay', async () => {
    const state = join(space.dir, 'state-b');
    await flashTo(state, [join(space.dir, 'b1.img')], ['pi2']);
    const first = { key: readFileSync(join(state, 'host-keys', 'pi2')), overlay: overlayOf(join(space.dir, 'b1.img'), 'pi2') };
    await flashTo(state, [join(space.dir, 'b2.img')], ['pi2']);
    assert.deepEqual(readFileSync(join(state, 'host-keys', 'pi2')), first.key);
    assert.deepEqual(overlayOf(join(space.dir, 'b2.img'), 'pi2'), first.overlay);
  });

  it('--rotate-host-key makes a new key and replaces the recorded one; a name not flashed in the run is refused', async () => {
    const state = join(space.dir, 'state-c');
    await flashTo(state, [join(space.dir, 'c1.img')], ['pi3']);
    const before = readFileSync(join(state, 'host-keys', 'pi3.pub'), 'utf8');
    const { hostKeys } = await flashTo(state, [join(space.dir, 'c2.img')], ['pi3'], { rotateHostKeys: ['pi3'] });
    const after = readFileSync(join(state, 'host-keys', 'pi3.pub'), 'utf8');
    assert.notEqual(after, before);
    assert.equal(hostKeys[0]!.rotated, true);
    const known = KnownHosts.parse(readFileSync(join(state, 'known_hosts'), 'utf8'));
    const [type, base64] = after.trim().split(' ');
    assert.deepEqual(known.lookup(['pi3']), [{ type, base64 }], 'only the new key is recorded for pi3');
    await assert.rejects(
      flashTo(state, [join(space.dir, 'c3.img')], ['pi3'], { rotateHostKeys: ['pi9'] }),
      (error: unknown) => error instanceof UserError && /--rotate-host-key pi9: not one of the cards/.test(error.message),
    );
  });

  it('a stored key whose public key ssh2 1.17.0 cut short (one in 256) is refused before any card; --rotate-host-key replaces it', async () => {
    const state = join(space.dir, 'state-d');
    mkdirSync(join(state, 'host-keys'), { recursive: true, mode: 0o700 });
    for (;;) {
      // The generator earlier versions used; mscdex/ssh2#1390: it strips the key's leading zero bytes.
      const made = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'root@pi4' });
      if (Buffer.from(made.public.split(' ')[1]!, 'base64').readUInt32BE(15) === 32) continue;
      writeFileSync(join(state, 'host-keys', 'pi4'), `${made.private}\n`, { mode: 0o600 });
      writeFileSync(join(state, 'host-keys', 'pi4.pub'), `${made.public}\n`);
      break;
    }
    const image = join(space.dir, 'd1.img');
    await assert.rejects(
      flashTo(state, [image], ['pi4']),
      (error: unknown) =>
        error instanceof UserError &&
        /host-keys\/pi4: its public key is 31 bytes, not 32: OpenSSH cannot load it/.test(error.message) &&
        /--rotate-host-key pi4/.test(error.hint ?? ''),
    );
    assert.equal(existsSync(image), false, 'no card written');
    await flashTo(state, [image], ['pi4'], { rotateHostKeys: ['pi4'] });
    const derived = execFileSync('ssh-keygen', ['-y', '-f', join(state, 'host-keys', 'pi4')], { encoding: 'utf8' });
    assert.equal(derived.split(' ')[1], readFileSync(join(state, 'host-keys', 'pi4.pub'), 'utf8').split(' ')[1]);
  });

  it("the CLI prints each card's host key fingerprint", async () => {
    const result = await runCli(
      [
        'flash',
        '--output',
        join(space.dir, 'cli.img'),
        '--image',
        space.image,
        '--hostname',
        'pi5',
        '--ssh-key',
        space.key,
        '--boot-size',
        TEST_BOOT,
      ],
      { cwd: space.dir, env: { XDG_CACHE_HOME: join(space.dir, 'xdg') } },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^pi5: SSH host key SHA256:\S+, recorded in \.pi-cluster\/known_hosts$/m);
    assert.equal(statSync(join(space.dir, '.pi-cluster', 'host-keys', 'pi5')).mode & 0o777, 0o600);
  });
});
