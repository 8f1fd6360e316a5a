import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { flash } from '../../src/flash/flash.js';
import { readReleaseArchive } from '../../src/flash/release/archive.js';
import { adjustCmdline, adjustUsercfg } from '../../src/flash/release/boot-config.js';
import { validateRelease } from '../../src/flash/release/validate.js';
import { ALPINE_CONFIG, packTarGz, releaseFiles } from '../fixtures/flash/synthetic-release.js';
import { config, release, sshKeyPair, tempDir, TEST_BOOT } from './helpers.js';

const dir = tempDir();
const key = sshKeyPair(dir).publicKey;

async function archiveOf(name: string, files: Map<string, Buffer>): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, await packTarGz(files));
  return path;
}

/** Runs flash on a bad release and checks that it fails with a UserError and writes nothing. */
async function rejects(image: string, pattern: RegExp): Promise<void> {
  const output = join(dir, `out-${Math.random().toString(36).slice(2)}.img`);
  await assert.rejects(
    flash({
      stateDir: join(dir, 'state'),
      config: config(),
      outputs: [output],
      image,
      hostname: 'pi0',
      sshKey: key,
      bootSize: TEST_BOOT,
      cacheDir: join(dir, 'cache'),
    }),
    (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.match(error.message, pattern);
      assert.ok(error.hint, 'a hint says what to do');
      return true;
    },
  );
  assert.equal(existsSync(output), false, 'no image file is left');
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes('.partial')),
    [],
  );
}

describe('reading a release', () => {
  it('reads a tarball with the Alpine layout, hashing it on the way', async () => {
    const built = await release(join(dir, 'good'));
    const contents = await readReleaseArchive(built.path);
    assert.equal(contents.sha256, built.sha256);
    assert.equal(contents.form, 'tar.gz');
    assert.deepEqual(new Set(contents.files.map((f) => f.path)), new Set(built.files.keys()));
    for (const file of contents.files) assert.ok(Buffer.concat(file.chunks).equals(built.files.get(file.path) as Buffer), file.path);
    assert.deepEqual(validateRelease(contents, 'x'), { version: '3.23.0', arch: 'aarch64', releaseLine: 'alpine-rpi-3.23.0 251203' });
  });

  it('refuses a truncated tarball, before anything is written', async () => {
    const built = await release(join(dir, 'trunc'));
    const bytes = readFileSync(built.path);
    const cut = join(dir, 'truncated.tar.gz');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await rejects(cut, /truncated/);
  });

  it('refuses a corrupt tarball', async () => {
    const built = await release(join(dir, 'corrupt'));
    const bytes = Buffer.from(readFileSync(built.path));
    for (let i = 2000; i < 2100; i++) bytes[i] ^= 0x5a;
    const bad = join(dir, 'corrupt.tar.gz');
    writeFileSync(bad, bytes);
    await rejects(bad, /corrupt|truncated/);
  });

  it('refuses a file that is not gzip or not a release at all', async () => {
    const notGzip = join(dir, 'notes.tar.gz');
    writeFileSync(notGzip, 'just some text, not an archive');
    await rejects(notGzip, /corrupt/);
    const notTar = join(dir, 'text.tar.gz');
    writeFileSync(notTar, gzipSync(Buffer.alloc(4096, 'x')));
    await rejects(notTar, /neither a tar archive nor a disk image/);
  });

  it('refuses the wrong architecture', async () => {
    await rejects(await archiveOf('armv7.tar.gz', releaseFiles({ arch: 'armv7' })), /for armv7, not aarch64/);
  });

  it('refuses archives missing .alpine-release, boot/ or apks/', async () => {
    await rejects(await archiveOf('no-release.tar.gz', releaseFiles({ omit: ['.alpine-release'] })), /no \.alpine-release/);
    await rejects(await archiveOf('no-boot.tar.gz', releaseFiles({ omit: ['boot/'] })), /no boot\/ folder/);
    await rejects(await archiveOf('no-apks.tar.gz', releaseFiles({ omit: ['apks/'] })), /no apks\/ folder/);
    await rejects(await archiveOf('no-cmdline.tar.gz', releaseFiles({ omit: ['cmdline.txt'] })), /no cmdline\.txt/);
  });

  it('refuses an archive whose .sha256 does not match', async () => {
    const built = await release(join(dir, 'mismatch'));
    writeFileSync(`${built.path}.sha256`, `${'0'.repeat(64)}  ${built.path.split('/').pop()}\n`);
    await rejects(built.path, /checksum mismatch/);
  });

  it('refuses unsafe paths in the archive', async () => {
    const files = releaseFiles();
    files.set('../escape', Buffer.from('x'));
    await rejects(await archiveOf('unsafe.tar.gz', files), /unsafe path/);
  });

  it('refuses a release that does not fit in the boot partition', async () => {
    const built = await release(join(dir, 'big'), { extra: { 'apks/aarch64/huge.apk': Buffer.alloc(70 * 2 ** 20) } });
    await rejects(built.path, /does not fit in a 64 MiB boot partition/);
  });
});

describe('boot files for Kubernetes', () => {
  it('appends the cgroup switches to cmdline.txt once, keeping it one line', () => {
    const once = adjustCmdline('modules=loop,squashfs,sd-mod,usb-storage quiet console=tty1\n');
    assert.equal(once, 'modules=loop,squashfs,sd-mod,usb-storage quiet console=tty1 cgroup_enable=memory cgroup_memory=1\n');
    assert.equal(adjustCmdline(once), once);
    assert.equal(adjustCmdline('a\nb  cgroup_memory=1\n'), 'a b cgroup_memory=1 cgroup_enable=memory\n');
  });

  it('writes usercfg.txt without repeating what config.txt sets, keeping what the release ships', () => {
    const cfg = adjustUsercfg(ALPINE_CONFIG);
    assert.doesNotMatch(cfg, /^arm_64bit=1$/m, "Alpine's config.txt already selects the 64-bit kernel");
    assert.match(adjustUsercfg('kernel=boot/vmlinuz-rpi\n'), /^arm_64bit=1$/m);
    const kept = adjustUsercfg(ALPINE_CONFIG, 'dtparam=audio=on');
    assert.match(kept, /^dtparam=audio=on\n# pi-cluster/);
    assert.equal(adjustUsercfg(ALPINE_CONFIG, kept), kept);
  });
});
