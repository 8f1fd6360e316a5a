import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { composeCard } from '../../src/flash/card/compose.js';
import { batches, MAX_BATCH, planWrites, totalBytes, WIPE_TAIL } from '../../src/flash/card/plan.js';
import { flash } from '../../src/flash/flash.js';
import { ALPINE_CMDLINE } from '../fixtures/flash/synthetic-release.js';
import {
  allocatedBytes,
  carvePartition,
  config,
  fsckFat,
  MiB,
  mtoolsFiles,
  needTools,
  release,
  sfdiskJson,
  sshKeyPair,
  tempDir,
  TEST_BOOT,
} from './helpers.js';

describe('a flashed image file', () => {
  const dir = tempDir();
  let built: Awaited<ReturnType<typeof release>>;
  let key: string;
  let image: string;
  let outcome: Awaited<ReturnType<typeof flash>>;

  before(async () => {
    built = await release(join(dir, 'release'), { size: 6_000_000 });
    key = sshKeyPair(dir).publicKey;
    image = join(dir, 'pi0.img');
    outcome = await flash({
      stateDir: join(dir, 'state'),
      config: config(),
      outputs: [image],
      image: built.path,
      hostname: 'pi0',
      sshKey: key,
      bootSize: TEST_BOOT,
      yes: true,
      cacheDir: join(dir, 'cache'),
    });
  });

  it('is written and verified', () => {
    const [result] = outcome.results;
    assert.equal(result.ok, true, result.error?.message);
    assert.equal(result.verified, true);
    assert.match(result.digest ?? '', /^[0-9a-f]{64}$/);
    assert.equal(outcome.release.version, '3.23.0');
    assert.equal(outcome.release.sha256, built.sha256);
  });

  it('has an MBR with one FAT32 (0x0c) partition at 1 MiB of --boot-size, and nothing else', (t) => {
    if (!needTools(t, 'sfdisk')) return;
    const table = sfdiskJson(image).partitiontable;
    assert.equal(table.label, 'dos');
    assert.equal(table.partitions?.length, 1);
    const [partition] = table.partitions ?? [];
    assert.equal(partition.start, 2048);
    assert.equal(partition.size, (64 * MiB) / 512);
    assert.equal(partition.type, 'c');
    assert.equal(statSync(image).size, MiB + 64 * MiB);
  });

  it('passes fsck.fat -n', (t) => {
    if (!needTools(t, 'sfdisk', 'fsck.fat')) return;
    const check = fsckFat(carvePartition(image, dir));
    assert.equal(check.status, 0, check.output);
    assert.doesNotMatch(check.output, /differ|invalid|lost|orphan|corrupt/i);
  });

  it('holds every file of the release byte for byte, read back by mtools', (t) => {
    if (!needTools(t, 'sfdisk', 'mcopy')) return;
    const files = mtoolsFiles(carvePartition(image, dir), dir);
    for (const [path, data] of built.files) {
      if (path === 'cmdline.txt') continue;
      assert.ok(files.has(path), `${path} missing on the card`);
      assert.ok(files.get(path)?.equals(data), `${path} differs from the release`);
    }
    const cmdline = files.get('cmdline.txt')?.toString() ?? '';
    assert.equal(cmdline, `${ALPINE_CMDLINE.trim()} cgroup_enable=memory cgroup_memory=1\n`);
    assert.equal(cmdline.trimEnd().split('\n').length, 1, 'cmdline.txt must stay one line');
    assert.match(files.get('usercfg.txt')?.toString() ?? '', /^# pi-cluster/);
    assert.ok(files.has('pi0.apkovl.tar.gz'), 'the overlay is at the top level');
    const extra = [...files.keys()].filter((path) => !built.files.has(path));
    assert.deepEqual(extra.sort(), ['pi0.apkovl.tar.gz', 'usercfg.txt']);
  });

  it('costs only what the card needs: a sparse file, far below the partition size', () => {
    const [result] = outcome.results;
    const payload = [...built.files.values()].reduce((sum, data) => sum + data.length, 0);
    assert.ok(result.bytesWritten < payload + 4 * MiB, `${result.bytesWritten} bytes written for ${payload} bytes of files`);
    assert.ok(allocatedBytes(image) < payload + 4 * MiB, `image occupies ${allocatedBytes(image)} bytes`);
    assert.ok(allocatedBytes(image) < statSync(image).size / 4);
  });

  it('leaves no temporary file behind', () => {
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.includes('.partial')),
      [],
    );
  });
});

describe('the .img.gz form of the release', () => {
  it('gives a card with the same files as the tarball', async (t) => {
    if (!needTools(t, 'sfdisk', 'mformat', 'mcopy', 'fsck.fat')) return;
    const dir = tempDir();
    const built = await release(join(dir, 'release'), { form: 'img.gz', size: 3_000_000 });
    const image = join(dir, 'pi1.img');
    const { results, release: about } = await flash({
      stateDir: join(dir, 'state'),
      config: config(),
      outputs: [image],
      image: built.path,
      hostname: 'pi1',
      sshKey: sshKeyPair(dir).publicKey,
      bootSize: TEST_BOOT,
      cacheDir: join(dir, 'cache'),
    });
    assert.equal(results[0].ok, true, results[0].error?.message);
    assert.equal(about.form, 'img.gz');
    const partition = carvePartition(image, dir);
    assert.equal(fsckFat(partition).status, 0);
    const files = mtoolsFiles(partition, dir);
    for (const [path, data] of built.files) if (path !== 'cmdline.txt') assert.ok(files.get(path)?.equals(data), `${path} differs`);
    assert.equal(sfdiskJson(image).partitiontable.partitions?.[0].type, 'c');
  });
});

describe('planning the writes', () => {
  it('adds zeros after partition 1 and over the last MiB of a larger drive, in large batches', async () => {
    const payload = Buffer.alloc(3 * MiB, 7);
    const card = await composeCard(
      [
        { path: 'boot/big', size: payload.length, chunks: [payload] },
        { path: 'small.txt', size: 5, chunks: [Buffer.from('hello')] },
      ],
      { bootSize: 64 * MiB },
    );
    const driveSize = 1024 * MiB;
    const pieces = planWrites(card, { targetSize: driveSize });
    const covers = (start: number, end: number) => pieces.some((p) => p.offset <= start && p.offset + p.length >= end);
    assert.ok(covers(card.size, card.size + WIPE_TAIL), 'first MiB after partition 1 is wiped');
    assert.ok(covers(driveSize - WIPE_TAIL, driveSize), 'last MiB (backup GPT) is wiped');
    assert.ok(covers(0, 2 * MiB), 'MBR gap and the start of partition 1 are written');
    assert.ok(
      pieces.every((p) => p.length % 512 === 0 && p.offset % 512 === 0),
      'whole sectors only',
    );
    assert.ok(totalBytes(pieces) < 12 * MiB, `${totalBytes(pieces)} bytes planned`);
    for (const group of batches(pieces)) assert.ok(totalBytes(group) <= MAX_BATCH);
    assert.throws(() => planWrites(card, { targetSize: card.size - 512 }), /smaller than the card/);
  });

  it('writes the whole partition in "full" mode (the benchmark\'s naive case)', async () => {
    const card = await composeCard([{ path: 'a.txt', size: 1, chunks: [Buffer.from('a')] }], { bootSize: 64 * MiB });
    assert.equal(totalBytes(planWrites(card, { full: true })), card.size);
  });
});
