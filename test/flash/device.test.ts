import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { snapshotDrives } from '../../src/flash/drives/scan.js';
import { flash } from '../../src/flash/flash.js';
import { candidates } from '../../src/flash/targets.js';
import {
  carvePartition,
  config,
  fsckFat,
  MiB,
  needRoot,
  needTools,
  release,
  sfdiskJson,
  sshKeyPair,
  tempDir,
  TEST_BOOT,
} from './helpers.js';

/**
 * The block-device path (unmount, exclusive open, flush, O_DIRECT read-back) against the only device
 * a test may write: a loop device this test creates over its own temporary file, detached afterwards.
 */
describe('writing a drive (a loop device made by this test)', () => {
  const dir = tempDir();
  const backing = join(dir, 'card.bin');
  const SIZE = 128 * MiB;
  let loop = '';
  let image = '';
  let key = '';
  const ready = () => loop !== '';

  before(async () => {
    if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v losetup']).status !== 0) return;
    // A card from a past life: a GPT (protective MBR, header at LBA 1, backup header in the last sector) and junk after 65 MiB.
    const fd = openSync(backing, 'w');
    const mbr = Buffer.alloc(512);
    mbr[450] = 0xee;
    mbr.writeUInt32LE(1, 454);
    mbr.writeUInt32LE(SIZE / 512 - 1, 458);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    writeSync(fd, mbr, 0, 512, 0);
    writeSync(fd, Buffer.from('EFI PART'), 0, 8, 512);
    writeSync(fd, Buffer.alloc(MiB, 0xa5), 0, MiB, 65 * MiB);
    writeSync(fd, Buffer.from('EFI PART'), 0, 8, SIZE - 512);
    closeSync(fd);
    execFileSync('truncate', ['-s', String(SIZE), backing]);
    loop = execFileSync('losetup', ['-f', '--show', '-P', backing]).toString().trim();
    image = (await release(join(dir, 'release'))).path;
    key = sshKeyPair(dir).publicKey;
  });

  after(() => {
    if (loop) {
      spawnSync('umount', [join(dir, 'mnt')]);
      spawnSync('losetup', ['-d', loop]);
    }
  });

  const flashLoop = (force: boolean) =>
    flash({
      stateDir: join(dir, 'state'),
      config: config(),
      devices: [loop],
      image,
      hostname: 'pi0',
      sshKey: key,
      bootSize: TEST_BOOT,
      yes: true,
      force,
      cacheDir: join(dir, 'cache'),
    });

  const read = (offset: number, length: number) => {
    const fd = openSync(backing, 'r');
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, offset);
    closeSync(fd);
    return buffer;
  };

  it('is never offered in the interactive list', async (t) => {
    if (!needRoot(t) || !ready()) return t.skip('needs root and losetup');
    const { offered } = candidates(await snapshotDrives(), { requiredSize: 65 * MiB, force: true });
    assert.ok(!offered.some((v) => v.drive.device === loop), `${loop} must not be offered`);
  });

  it('needs --force even when given explicitly', async (t) => {
    if (!needRoot(t) || !ready()) return t.skip('needs root and losetup');
    await assert.rejects(
      flashLoop(false),
      (error: unknown) => error instanceof UserError && /loop device/.test(error.message) && /--force/.test(error.hint ?? ''),
    );
    assert.ok(read(512, 8).equals(Buffer.from('EFI PART')), 'nothing was written');
  });

  it('is written, flushed and verified, and the old GPT and junk are gone', async (t) => {
    if (!needRoot(t) || !ready() || !needTools(t, 'sfdisk', 'fsck.fat')) return;
    const { results } = await flashLoop(true);
    const [result] = results;
    assert.equal(result.ok, true, result.error?.message);
    assert.equal(result.verified, true);
    assert.ok(result.bytesWritten < 16 * MiB, `${result.bytesWritten} bytes written`);
    const table = sfdiskJson(backing).partitiontable;
    assert.equal(table.label, 'dos');
    assert.deepEqual(
      table.partitions?.map((p) => [p.start, p.size, p.type]),
      [[2048, (64 * MiB) / 512, 'c']],
    );
    assert.ok(read(512, 512).equals(Buffer.alloc(512)), 'the primary GPT header is wiped');
    assert.ok(read(SIZE - MiB, MiB).equals(Buffer.alloc(MiB)), 'the backup GPT at the end is wiped');
    assert.ok(read(65 * MiB, MiB).equals(Buffer.alloc(MiB)), 'the start of the free area is wiped');
    assert.equal(fsckFat(carvePartition(backing, dir)).status, 0);
  });

  it('writes several hostnames one after another, asking to swap the card in between', async (t) => {
    if (!needRoot(t) || !ready()) return t.skip('needs root and losetup');
    const swaps: string[] = [];
    const prompts = {
      pickDrive: async () => assert.fail('--device was given'),
      confirm: async () => assert.fail('--yes was given with --device'),
      nextCard: async (hostname: string, device: string) => void swaps.push(`${hostname}@${device}`),
    };
    const { results } = await flash({
      stateDir: join(dir, 'state'),
      config: config(),
      devices: [loop],
      image,
      hostnames: ['pi0', 'pi1'],
      sshKey: key,
      bootSize: TEST_BOOT,
      yes: true,
      force: true,
      prompts,
      cacheDir: join(dir, 'cache'),
    });
    assert.deepEqual(
      results.map((r) => [r.hostname, r.ok]),
      [
        ['pi0', true],
        ['pi1', true],
      ],
    );
    assert.deepEqual(swaps, [`pi1@${loop}`]);
  });

  it('unmounts a mounted partition of the drive before writing it', async (t) => {
    if (!needRoot(t) || !ready() || !needTools(t, 'partx', 'mount')) return;
    spawnSync('partx', ['-u', loop]);
    spawnSync('partx', ['-a', loop]);
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt, { recursive: true });
    let mounted = spawnSync('mount', ['-t', 'vfat', `${loop}p1`, mnt]);
    if (mounted.status !== 0 && spawnSync('mkfs.ext4', ['-q', '-F', `${loop}p1`]).status === 0) {
      // No vfat in this kernel: put ext4 on the test's own partition instead; unmounting is the same.
      mounted = spawnSync('mount', ['-t', 'ext4', `${loop}p1`, mnt]);
    }
    if (mounted.status !== 0) return t.skip(`cannot mount here: ${mounted.stderr.toString().trim()}`);
    assert.equal(spawnSync('mountpoint', ['-q', mnt]).status, 0);
    const { results } = await flashLoop(true);
    assert.equal(results[0].ok, true, results[0].error?.message);
    assert.equal(spawnSync('mountpoint', ['-q', mnt]).status === 0, false, 'the partition was unmounted');
  });
});
