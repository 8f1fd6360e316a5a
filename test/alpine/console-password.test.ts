/**
 * Root's console password checked by Alpine's own code. busybox `cryptpw` of the 3.20.3 minirootfs
 * calls musl's crypt(), and busybox `su` (made setuid for the test, as a user that is not root) reads
 * the card's /etc/shadow through musl's getspnam and compares the typed password with crypt(): the
 * same path the Pi's console login takes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_ROUNDS, sha512Crypt } from '../../src/config/crypt-hash.js';
import { tempDir } from '../flash/helpers.js';
import { AlpineRoot } from './alpine-root.js';
import { flashCard } from './card.js';

const rootOnly = process.getuid?.() === 0 ? false : process.env.CI ? false : 'needs root (chroot into an Alpine root)';

describe("console password against Alpine's musl crypt and busybox su", { skip: rootOnly }, () => {
  const dir = tempDir('pi-cluster-alpine-console-');
  let root: AlpineRoot;
  before(async () => {
    root = await AlpineRoot.create('3.22.0');
    // busybox su refuses to run unless setuid; a setuid copy stands in for Alpine's bbsuid.
    root.must('mkdir -p /opt/suid && cp /bin/busybox /opt/suid/su && chmod 4755 /opt/suid/su');
  });
  after(() => root?.dispose());

  const cases: Array<[string, string, number]> = [
    ['correct horse battery', 'saltsaltsaltsalt', DEFAULT_ROUNDS],
    ['pässwörd ünïcode ✓ with spaces', 'AZaz09./', 5000],
    ['y'.repeat(200), 'long', 1000],
  ];
  for (const [password, salt, rounds] of cases) {
    it(`musl computes the same $6$ hash for a ${Buffer.byteLength(password)}-byte password, ${rounds} rounds`, () => {
      const saltArg = rounds === 5000 ? salt : `rounds=${rounds}$${salt}`;
      // The password goes through the environment, not a shell word, so quoting cannot change it.
      const musl = root.must('cryptpw -m sha512 -S "$SALT" "$PASSWORD"', { SALT: saltArg, PASSWORD: password }).trim();
      assert.equal(sha512Crypt(password, { salt, rounds }), musl);
    });
  }

  /** busybox su to root as nobody (uid 65534), the password on stdin: did it become root? */
  const suAsNobody = (password: string) => {
    const run = spawnSync('chroot', ['--userspec=65534:65534', root.dir, '/opt/suid/su', '-c', 'id -u', 'root'], {
      input: `${password}\n`,
      env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' },
    });
    return { status: run.status, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
  };

  it('a card flashed with a hash: the right password at su becomes root, a wrong one does not', async () => {
    const hashFile = join(dir, 'root.hash');
    writeFileSync(hashFile, sha512Crypt('the console password', { rounds: 5000 }));
    const card = await flashCard(join(dir, 'hashed'), 'pi5', ['--console-password-file', hashFile]);
    copyFileSync(join(card.bootDir, 'pi5.apkovl.tar.gz'), join(root.dir, 'tmp/ovl.tar.gz'));
    root.must('tar -C / -zxf /tmp/ovl.tar.gz etc/shadow');
    const good = suAsNobody('the console password');
    assert.equal(good.status, 0, good.stderr);
    assert.equal(good.stdout.trim().split('\n').pop(), '0');
    const bad = suAsNobody('not the console password');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /incorrect password/);
  });

  it('a card flashed without one: root is locked, no password (not even an empty one) gets in', async () => {
    const card = await flashCard(join(dir, 'locked'), 'pi6');
    copyFileSync(join(card.bootDir, 'pi6.apkovl.tar.gz'), join(root.dir, 'tmp/ovl.tar.gz'));
    root.must('tar -C / -zxf /tmp/ovl.tar.gz etc/shadow');
    assert.match(root.must('head -n 1 /etc/shadow'), /^root:\*:/);
    for (const attempt of ['', '*', 'root', 'alpine']) {
      const result = suAsNobody(attempt);
      assert.notEqual(result.status, 0, `password ${JSON.stringify(attempt)} got in`);
      assert.match(result.stderr, /incorrect password/, 'su ran and refused');
    }
  });
});
