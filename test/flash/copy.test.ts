import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import type { StageEvent } from '../../src/events.js';
import { loadComposed } from '../../src/flash/card/cache.js';
import { diskSignatureFor } from '../../src/flash/card/compose.js';
import { flash, type FlashOptions } from '../../src/flash/flash.js';
import { packOverlay } from '../../src/flash/overlay/archive.js';
import { loadOverlay, overlayDir } from '../../src/flash/overlay/render.js';
import { FileDestination } from '../../src/flash/write/destination.js';
import { CacheCorruptError } from '../../src/flash/write/errors.js';
import { writeCard, writeCards } from '../../src/flash/write/write.js';
import {
  allocatedBytes,
  carvePartition,
  config,
  damageCachedCard,
  fsckFat,
  MiB,
  mtoolsFiles,
  needTools,
  TEST_BOOT,
  workspace,
} from './helpers.js';

/**
 * Image files made from the composed-card cache: a copy of the cached image (in the kernel) with the
 * host's sectors written over it, read back while it is flushed.
 */
const space = workspace({ size: 6_000_000 });
const { dir } = space;
const base = (): FlashOptions => ({
  stateDir: join(space.dir, 'state'),
  config: config(),
  image: space.image,
  sshKey: space.key,
  bootSize: TEST_BOOT,
  hostname: 'pi0',
  yes: true,
});

async function flashTo(name: string, options: Partial<FlashOptions>) {
  const details: string[] = [];
  const report = (e: StageEvent) => e.kind === 'step' && e.step === 'compose' && details.push(e.detail ?? '');
  const { results } = await flash({ ...base(), outputs: [join(dir, name)], report, ...options });
  return { result: results[0], path: join(dir, name), details };
}

/** The composed card in a cache folder, with its key. */
async function cachedCard(cacheDir: string) {
  const key = (readdirSync(join(cacheDir, 'composed')).find((name) => name.endsWith('.json')) as string).slice(0, -5);
  const cached = await loadComposed(cacheDir, key);
  assert.ok(cached, 'the card is cached');
  return cached.card;
}

describe('an image file copied from the cached card', () => {
  it('is the same bytes and digest as the same card written from memory', async (t) => {
    const cacheDir = join(dir, 'cache-same');
    await flashTo('same0.img', { cacheDir });
    const entries = (await loadOverlay()).render({
      hostname: 'pi3',
      domain: 'lan',
      interface: 'eth0',
      sshPublicKeys: [readFileSync(space.key, 'utf8').trim()],
      hostKey: { private: 'k', public: 'ssh-ed25519 AAAA' },
      alpine: { version: '3.23.0', branch: 'v3.23', mirror: 'http://example.org/alpine' },
      bootMedia: '/media/mmcblk0p1',
      consolePasswordHash: '*',
    });
    const archive = await packOverlay(entries);
    const card = await (
      await cachedCard(cacheDir)
    ).withFile({ path: 'pi3.apkovl.tar.gz', size: archive.length, chunks: [archive] }, diskSignatureFor('pi3'));
    const copied = new FileDestination(join(dir, 'same-copied.img'), false);
    // The in-memory way: the same destination without the copy.
    const memory = Object.assign(new FileDestination(join(dir, 'same-memory.img'), false), { prepareCopy: undefined });
    const [fromCopy, fromMemory] = await writeCards(
      [
        { hostname: 'pi3', card, destination: copied },
        { hostname: 'pi3', card, destination: memory },
      ],
      { verify: true },
    );
    for (const result of [fromCopy, fromMemory]) assert.equal(result.ok && result.verified, true, result.error?.message);
    assert.ok(
      readFileSync(join(dir, 'same-copied.img')).equals(readFileSync(join(dir, 'same-memory.img'))),
      'byte for byte the same image',
    );
    assert.equal(fromCopy.digest, fromMemory.digest);
    if (!needTools(t, 'sfdisk', 'fsck.fat', 'mcopy')) return;
    const partition = carvePartition(join(dir, 'same-copied.img'), dir);
    const check = fsckFat(partition);
    assert.equal(check.status, 0, check.output);
    assert.ok(mtoolsFiles(partition, dir).get('pi3.apkovl.tar.gz')?.equals(archive), 'mtools reads the overlay');
  });

  it('made by flash from the cache is checked, sparse, and a sound FAT with the overlay', async (t) => {
    const cacheDir = join(dir, 'cache-flash');
    const memory = await flashTo('memory.img', { composedCache: false });
    await flashTo('first.img', { cacheDir });
    const copied = await flashTo('copied.img', { cacheDir });
    assert.ok(
      copied.details.some((d) => d.startsWith('using the card composed earlier')),
      copied.details.join('; '),
    );
    for (const { result } of [memory, copied]) assert.equal(result.ok && result.verified, true, result.error?.message);
    assert.ok(
      allocatedBytes(copied.path) < allocatedBytes(memory.path) + MiB,
      `${allocatedBytes(copied.path)} bytes on disk, ${allocatedBytes(memory.path)} from memory`,
    );
    assert.ok(copied.result.bytesWritten < memory.result.bytesWritten + MiB, `${copied.result.bytesWritten} bytes written`);
    if (!needTools(t, 'sfdisk', 'fsck.fat', 'mcopy')) return;
    const partition = carvePartition(copied.path, dir);
    const check = fsckFat(partition);
    assert.equal(check.status, 0, check.output);
    const files = mtoolsFiles(partition, dir);
    const overlay = files.get('pi0.apkovl.tar.gz');
    assert.ok(overlay, 'mtools reads the overlay');
    assert.match(gunzipSync(overlay).toString('latin1'), /etc\/hostname/);
    const fromMemory = mtoolsFiles(carvePartition(memory.path, dir), dir);
    assert.deepEqual([...files.keys()].sort(), [...fromMemory.keys()].sort());
    for (const [path, data] of fromMemory) assert.ok(files.get(path)?.equals(data), `${path} is the same as written from memory`);
  });

  it('is a copy plus a few sectors written, read back only to verify', async () => {
    const cacheDir = join(dir, 'cache-unit');
    await flashTo('unit0.img', { cacheDir });
    const card = await (await cachedCard(cacheDir)).withFile({ path: 'pi7.apkovl.tar.gz', size: 3000, chunks: [Buffer.alloc(3000, 7)] }, 7);
    for (const verify of [false, true]) {
      const calls = { copies: 0, written: 0, read: 0 };
      const destination = new (class extends FileDestination {
        override async prepareCopy(cardSize: number, source: string): Promise<number> {
          calls.copies++;
          return super.prepareCopy(cardSize, source);
        }
        override async write(offset: number, buffers: Buffer[]): Promise<void> {
          calls.written += buffers.reduce((sum, b) => sum + b.length, 0);
          return super.write(offset, buffers);
        }
        override async read(offset: number, length: number): Promise<Buffer> {
          calls.read += length;
          return super.read(offset, length);
        }
      })(join(dir, `unit-${verify}.img`), false);
      const result = await writeCard({ hostname: 'pi7', card, destination }, { verify });
      assert.equal(result.ok, true, result.error?.message);
      assert.equal(result.verified, verify);
      assert.equal(calls.copies, 1);
      assert.ok(calls.written > 0 && calls.written < 64 * 1024, `${calls.written} bytes written through the process`);
      assert.equal(calls.read, verify ? card.bytesNeeded : 0, 'every piece is read back from the target to verify it');
    }
  });

  it('fails a target that reads back wrong as VERIFY FAILED, and keeps the cache', async () => {
    const cacheDir = join(dir, 'cache-lying');
    await flashTo('lying0.img', { cacheDir });
    const card = await (await cachedCard(cacheDir)).withFile({ path: 'pi8.apkovl.tar.gz', size: 10, chunks: [Buffer.alloc(10, 8)] }, 8);
    const lying = new (class extends FileDestination {
      override async read(offset: number, length: number): Promise<Buffer> {
        const data = Buffer.from(await super.read(offset, length));
        if (length > 100_000) data[length - 1] ^= 0xff;
        return data;
      }
    })(join(dir, 'lying.img'), false);
    const result = await writeCard({ hostname: 'pi8', card, destination: lying }, { verify: true });
    assert.equal(result.ok, false);
    assert.match(result.error?.message ?? '', /lying\.img \(pi8\): VERIFY FAILED/);
    assert.ok(!(result.error?.cause instanceof CacheCorruptError));
    assert.equal(existsSync(join(dir, 'lying.img')), false);
    assert.equal(readdirSync(join(cacheDir, 'composed')).length, 2, 'the cache is kept');
  });
});

describe('a copy started before the overlays are made', () => {
  it('is removed when an overlay cannot be made, leaving nothing behind', async () => {
    const cacheDir = join(dir, 'cache-early');
    await flashTo('early0.img', { cacheDir });
    const broken = join(dir, 'overlay-broken');
    cpSync(overlayDir(), broken, { recursive: true });
    writeFileSync(join(broken, 'files', 'etc', 'hostname'), '{{ no_such_variable }}\n');
    const outputs = [join(dir, 'early1.img'), join(dir, 'early2.img')];
    await assert.rejects(
      flash({ ...base(), hostname: undefined, cacheDir, outputs, hostnames: ['pi1', 'pi2'], overlayDir: broken }),
      /overlay template etc\/hostname/,
    );
    for (const output of outputs) assert.equal(existsSync(output), false);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.includes('.partial')),
      [],
    );
  });
});

describe('a damaged composed-card cache', () => {
  for (const verify of [true, false]) {
    it(`is caught in the file data${verify ? '' : ' with --no-verify too'}, removed, and composed anew next time`, async () => {
      const cacheDir = join(dir, `cache-data-${verify}`);
      await flashTo(`data0-${verify}.img`, { cacheDir });
      damageCachedCard(cacheDir, 'data');
      const damaged = await flashTo(`data1-${verify}.img`, { cacheDir, verify });
      assert.equal(damaged.result.ok, false);
      assert.match(damaged.result.error?.message ?? '', /cached composed card is corrupt/);
      assert.ok(damaged.result.error?.cause instanceof CacheCorruptError);
      assert.equal(existsSync(damaged.path), false);
      assert.deepEqual(
        readdirSync(dir).filter((n) => n.includes('.partial')),
        [],
      );
      assert.deepEqual(readdirSync(join(cacheDir, 'composed')), [], 'the damaged card is removed');
      const healed = await flashTo(`data2-${verify}.img`, { cacheDir, verify });
      assert.ok(
        healed.details.some((d) => d.startsWith('reading')),
        'composed anew from the release',
      );
      assert.equal(healed.result.ok, true, healed.result.error?.message);
    });
  }

  it('is caught in its sectors as it is loaded, and the card composed anew', async (t) => {
    const cacheDir = join(dir, 'cache-sectors');
    const first = await flashTo('sectors0.img', { cacheDir });
    damageCachedCard(cacheDir, 'sectors');
    const again = await flashTo('sectors1.img', { cacheDir });
    assert.ok(
      again.details.some((d) => d.startsWith('reading')),
      again.details.join('; '),
    );
    assert.equal(again.result.ok, true, again.result.error?.message);
    assert.equal(readFileSync(again.path).length, readFileSync(first.path).length);
    if (needTools(t, 'sfdisk', 'fsck.fat')) assert.equal(fsckFat(carvePartition(again.path, dir)).status, 0);
  });
});
