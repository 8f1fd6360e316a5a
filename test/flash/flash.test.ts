import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CancelledError, UserError } from '../../src/errors.js';
import type { StageEvent } from '../../src/events.js';
import { composeCard } from '../../src/flash/card/compose.js';
import { outputFor, resolveHostnames } from '../../src/flash/hostnames.js';
import { flash } from '../../src/flash/flash.js';
import { loadPublicKeys } from '../../src/flash/ssh-key.js';
import { FileDestination, type Destination } from '../../src/flash/write/destination.js';
import { writeCards } from '../../src/flash/write/write.js';
import { carvePartition, config, damageCachedCard, fsckFat, MiB, needTools, TEST_BOOT, workspace } from './helpers.js';

const space = workspace();
const { dir } = space;
const base = () => ({
  stateDir: join(dir, 'state'),
  config: config(),
  image: space.image,
  sshKey: space.key,
  bootSize: TEST_BOOT,
  cacheDir: join(dir, 'cache'),
});

describe('several cards at once', () => {
  it('writes one image per hostname in parallel from one --output template', async () => {
    const out = join(dir, 'many');
    mkdirSync(out);
    const events: StageEvent[] = [];
    const { results } = await flash({
      ...base(),
      outputs: [join(out, '{hostname}.img')],
      hostnames: ['pi0', 'pi1', 'pi2'],
      report: (e) => events.push(e),
    });
    assert.deepEqual(
      results.map((r) => [r.target.split('/').pop(), r.hostname, r.ok, r.verified]),
      [
        ['pi0.img', 'pi0', true, true],
        ['pi1.img', 'pi1', true, true],
        ['pi2.img', 'pi2', true, true],
      ],
    );
    assert.equal(new Set(results.map((r) => r.digest)).size, 3, 'each card has its own overlay, so its own digest');
    for (const step of ['compose', 'write', 'verify'])
      assert.ok(
        events.some((e) => e.kind === 'progress' && e.step === step),
        `progress for ${step}`,
      );
  });

  it('an output folder that takes no new file is found before any compose, and nothing is written (issue 12, item 8)', async () => {
    const events: StageEvent[] = [];
    await assert.rejects(
      flash({
        ...base(),
        outputs: [join(dir, 'ok.img'), '/proc/pi-cluster-cannot-write-here.img'],
        hostnames: ['pi0', 'pi1'],
        report: (e) => events.push(e),
      }),
      (error: unknown) =>
        error instanceof UserError &&
        /^cannot write \/proc\/pi-cluster-cannot-write-here\.img: its folder does not take new files$/.test(error.message),
    );
    assert.deepEqual(
      events.filter((e) => e.kind === 'progress' || e.kind === 'step').map((e) => ('step' in e ? e.step : '')),
      [],
      'no download, compose or write began',
    );
    assert.equal(existsSync(join(dir, 'ok.img')), false);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.includes('.partial') || n.includes('.probe')),
      [],
    );
  });

  it('keeps going when one target fails while writing, and leaves no partial file', async () => {
    const card = await composeCard([{ path: 'boot/x', size: 300_000, chunks: [Buffer.alloc(300_000, 2)] }], { bootSize: 64 * MiB });
    const full = new (class extends FileDestination {
      override async write(): Promise<void> {
        throw new UserError('cannot write full.img: the disk is full');
      }
    })(join(dir, 'full.img'), false);
    const [bad, fine] = await writeCards(
      [
        { hostname: 'pi0', card, destination: full as Destination },
        { hostname: 'pi1', card, destination: new FileDestination(join(dir, 'ok.img'), false) },
      ],
      { verify: true },
    );
    assert.equal(bad.ok, false);
    assert.match(bad.error?.message ?? '', /cannot write full\.img: the disk is full/);
    assert.equal(fine.ok, true, fine.error?.message);
    assert.equal(existsSync(join(dir, 'ok.img')), true);
    assert.equal(existsSync(join(dir, 'full.img')), false);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.includes('.partial')),
      [],
    );
  });

  it('fails a card loudly when what is read back differs, naming the card', async () => {
    const card = await composeCard([{ path: 'boot/x', size: 300_000, chunks: [Buffer.alloc(300_000, 1)] }], { bootSize: 64 * MiB });
    const lying = new (class extends FileDestination {
      override async read(offset: number, length: number): Promise<Buffer> {
        const data = Buffer.from(await super.read(offset, length));
        if (length > 100_000) data[length - 1] ^= 0xff;
        return data;
      }
    })(join(dir, 'faulty.img'), false);
    const good = new FileDestination(join(dir, 'fine.img'), false);
    const [bad, fine] = await writeCards(
      [
        { hostname: 'pi9', card, destination: lying as Destination },
        { hostname: 'pi8', card, destination: good },
      ],
      { verify: true },
    );
    assert.equal(bad.ok, false);
    assert.match(bad.error?.message ?? '', /faulty\.img \(pi9\): VERIFY FAILED/);
    assert.equal(existsSync(join(dir, 'faulty.img')), false, 'a card that failed verification is not left as an image');
    assert.equal(fine.ok, true);
    assert.equal(fine.verified, true);
  });

  it('stops cleanly when interrupted, before or during the write', async () => {
    const early = new AbortController();
    early.abort();
    await assert.rejects(flash({ ...base(), outputs: [join(dir, 'early.img')], hostname: 'pi0', signal: early.signal }), CancelledError);
    assert.equal(existsSync(join(dir, 'early.img')), false);

    const during = new AbortController();
    const { results } = await flash({
      ...base(),
      outputs: [join(dir, 'during.img')],
      hostname: 'pi0',
      signal: during.signal,
      report: (e) => e.kind === 'progress' && e.step === 'write' && during.abort(),
    });
    assert.ok(results[0].error instanceof CancelledError, String(results[0].error));
    assert.equal(existsSync(join(dir, 'during.img')), false);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.includes('.partial')),
      [],
    );
  });
});

describe('the composed-card cache', () => {
  it('reuses the card composed before, and recomposes when the cache is damaged', async (t) => {
    const cacheDir = join(dir, 'cache-reuse');
    const steps = async (name: string) => {
      const details: string[] = [];
      const { results } = await flash({
        ...base(),
        cacheDir,
        outputs: [join(dir, name)],
        hostname: 'pi0',
        report: (e) => e.kind === 'step' && details.push(e.detail ?? ''),
      });
      return { result: results[0], details };
    };
    const first = await steps('c0.img');
    assert.ok(first.details.some((d) => d.startsWith('reading')));
    const second = await steps('c1.img');
    assert.ok(
      second.details.some((d) => d.startsWith('using the card composed earlier')),
      second.details.join('; '),
    );
    assert.equal(second.result.ok, true);
    if (needTools(t, 'sfdisk', 'fsck.fat')) assert.equal(fsckFat(carvePartition(join(dir, 'c1.img'), dir)).status, 0);

    damageCachedCard(cacheDir, 'data');
    const damaged = await steps('c2.img');
    assert.equal(damaged.result.ok, false);
    assert.match(damaged.result.error?.message ?? '', /cached composed card is corrupt/);
    assert.equal(existsSync(join(dir, 'c2.img')), false);
    const healed = await steps('c3.img');
    assert.ok(
      healed.details.some((d) => d.startsWith('reading')),
      'composed anew from the release',
    );
    assert.equal(healed.result.ok, true);
  });
});

describe('bad input writes nothing', () => {
  const attempt = async (options: Record<string, unknown>, pattern: RegExp, hint?: RegExp) => {
    const output = join(dir, `bad-${Math.random().toString(36).slice(2)}.img`);
    await assert.rejects(flash({ ...base(), outputs: [output], hostname: 'pi0', ...options }), (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.match(error.message, pattern);
      if (hint) assert.match(error.hint ?? '', hint);
      return true;
    });
    assert.equal(existsSync(output), false);
  };

  it('a missing key points at init --generate-key', () =>
    attempt({ sshKey: join(dir, 'nope.pub') }, /does not exist/, /pi-cluster init --generate-key/));
  it('no key at all points at init --generate-key', () =>
    attempt({ sshKey: undefined, home: join(dir, 'empty-home') }, /no SSH public key/, /--generate-key/));
  it('a private key is refused', () => attempt({ sshKey: space.key.replace(/\.pub$/, '') }, /that is a private key, pass the \.pub/));
  it('a bad hostname', () => attempt({ hostname: 'Pi_0' }, /not a valid hostname/));
  it('a boot partition too small for FAT32', () => attempt({ bootSize: '16MiB' }, /too small/));
  it('an image that does not exist', () => attempt({ image: join(dir, 'missing.tar.gz') }, /does not exist/));
  it('--device together with --output', () => attempt({ devices: ['/dev/sdb'] }, /either --device or --output/));

  it('an existing --output needs --force', async () => {
    const existing = join(dir, 'existing.img');
    writeFileSync(existing, 'keep me');
    await assert.rejects(flash({ ...base(), outputs: [existing], hostname: 'pi0' }), /exists already/);
    assert.equal(readFileSync(existing, 'utf8'), 'keep me');
    const { results } = await flash({ ...base(), outputs: [existing], hostname: 'pi0', force: true });
    assert.equal(results[0].ok, true);
  });

  it('no target and no terminal', async () => {
    await assert.rejects(
      flash({ ...base(), hostname: 'pi0', scanDrives: async () => ({ platform: 'linux', drivelist: [] }) }),
      /no target: pass --device PATH/,
    );
  });
});

describe('hostnames and keys', () => {
  it('derives hostnames from the flags or the config', () => {
    const cfg = config({ hosts: { prefix: 'node', start: 3, count: 2 } });
    assert.deepEqual(resolveHostnames({ hostname: 'pi7' }, cfg, 1), ['pi7']);
    assert.deepEqual(resolveHostnames({ hostnames: ['a', ' b'] }, cfg, 1), ['a', 'b']);
    assert.deepEqual(resolveHostnames({ count: 3 }, cfg, 1), ['node3', 'node4', 'node5']);
    assert.deepEqual(resolveHostnames({ count: true }, cfg, 1), ['node3', 'node4']);
    assert.deepEqual(resolveHostnames({}, cfg, 2), ['node3', 'node4']);
    assert.throws(() => resolveHostnames({ hostnames: ['a', 'a'] }, cfg, 1), /given twice/);
    assert.throws(() => resolveHostnames({ hostname: 'a', count: 2 }, cfg, 1), /one of --hostname/);
    assert.equal(outputFor('cards/{hostname}.img', 'pi1', true), 'cards/pi1.img');
    assert.equal(outputFor('out/pi.img', 'pi1', true), 'out/pi-pi1.img');
    assert.equal(outputFor('out/pi.img', 'pi1', false), 'out/pi.img');
  });

  it('accepts a key file or the key text, and refuses what is not a public key', async () => {
    const text = readFileSync(space.key, 'utf8').trim();
    assert.deepEqual(await loadPublicKeys(space.key, 'test'), [text]);
    assert.deepEqual(await loadPublicKeys(text, 'test'), [text]);
    const garbage = join(dir, 'garbage.pub');
    writeFileSync(garbage, 'ssh-ed25519 not-base64!!\n');
    await assert.rejects(loadPublicKeys(garbage, 'test'), /not an SSH public key/);
    const mismatched = join(dir, 'mismatch.pub');
    writeFileSync(mismatched, text.replace(/^ssh-ed25519/, 'ssh-rsa'));
    await assert.rejects(loadPublicKeys(mismatched, 'test'), /does not match its type/);
  });
});
