/**
 * Benchmark of `pi-cluster flash` (issue 3), on a ~100 MB synthetic Alpine release, all in one run:
 *   (a) flash to an image file (the composed card of this release is cached, as on a second flash)
 *   (b) `cp` of an already-composed image of the same content, then `sync` of it (flash flushes too)
 *   (c) flash writing the whole 1 GiB partition instead of only what the card needs
 * plus the first flash of a release (nothing cached: read, decompress, compose), and the read-back
 * verify against the write. Targets from the issue: a/b <= 1.2, a/c <= 0.25, verify <= write.
 * Prints figures only; no assertions (times depend on the machine). Run: npm run bench, or
 * node dist/bench/flash.js [rounds].
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../src/config/schema.js';
import { flash, type FlashOptions } from '../src/flash/flash.js';
import { buildSyntheticRelease, writeSha256File } from '../test/fixtures/flash/synthetic-release.js';

const rounds = Number(process.argv[2] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-bench-flash-'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs: number[]) => Math.min(...xs);
const s = (x: number) => `${x.toFixed(3)} s`;
const line = (text: string) => process.stdout.write(`flash: ${text}\n`);

async function main(): Promise<void> {
  const built = await buildSyntheticRelease(dir, { size: 107_000_000 });
  await writeSha256File(built.path, built.sha256);
  const releaseBytes = [...built.files.values()].reduce((sum, data) => sum + data.length, 0);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
  const common: FlashOptions = {
    config: configSchema.parse({}),
    image: built.path,
    hostname: 'pi0',
    sshKey: join(dir, 'key.pub'),
    bootSize: '1GiB',
    cacheDir: join(dir, 'cache'),
    yes: true,
  };

  const timed = async (options: Partial<FlashOptions>, output: string) => {
    rmSync(output, { force: true });
    const started = performance.now();
    const { results } = await flash({ ...common, ...options, outputs: [output] });
    const seconds = (performance.now() - started) / 1000;
    if (!results[0].ok) throw results[0].error;
    return { seconds, result: results[0] };
  };

  // First flash of this release: nothing composed yet (read + decompress + compose + write); fills the cache.
  const cold: number[] = [];
  for (let i = 0; i < Math.max(1, Math.floor(rounds / 2)); i++)
    cold.push((await timed({ verify: false, composedCache: false }, join(dir, 'cold.img'))).seconds);
  await timed({ verify: false }, join(dir, 'warmup.img'));

  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  const verify: number[] = [];
  const withVerify: number[] = [];
  const write: number[] = [];
  let written = 0;
  let onDisk = 0;
  for (let i = 0; i < rounds; i++) {
    const run = await timed({ verify: false }, join(dir, 'a.img'));
    a.push(run.seconds);
    written = run.result.bytesWritten;
    onDisk = statSync(join(dir, 'a.img')).blocks * 512;

    rmSync(join(dir, 'b.img'), { force: true });
    const started = performance.now();
    if (spawnSync('cp', [join(dir, 'a.img'), join(dir, 'b.img')]).status !== 0) throw new Error('cp failed');
    if (spawnSync('sync', [join(dir, 'b.img')]).status !== 0) throw new Error('sync failed');
    b.push((performance.now() - started) / 1000);

    c.push((await timed({ verify: false, writeAll: true }, join(dir, 'c.img'))).seconds);

    const checked = await timed({ verify: true }, join(dir, 'v.img'));
    verify.push(checked.result.verifySeconds ?? NaN);
    withVerify.push(checked.seconds);
    write.push(checked.result.writeSeconds);
  }

  line(
    `synthetic release ${(releaseBytes / 1e6).toFixed(1)} MB (${built.files.size} files, ${(statSync(built.path).size / 1e6).toFixed(1)} MB gzip'd), boot partition 1024 MiB, ${rounds} rounds, medians (min)`,
  );
  line(
    `(a) flash to an image file:            ${s(median(a))} (${s(min(a))}), ${(written / 1e6).toFixed(1)} MB written (${(onDisk / 1e6).toFixed(1)} MB on disk); with read-back verify ${s(median(withVerify))}`,
  );
  line(`(b) cp + sync of the composed image:   ${s(median(b))} (${s(min(b))})`);
  line(`(c) flash writing the whole partition: ${s(median(c))} (${s(min(c))}), ${((2 ** 20 + 2 ** 30) / 1e6).toFixed(1)} MB written`);
  line(`first flash of the release (cold):    ${s(median(cold))} (${s(min(cold))})`);
  line(`write ${s(median(write))}, read-back verify ${s(median(verify))}`);
  line(`a/b = ${(median(a) / median(b)).toFixed(2)} (target <= 1.2; min/min ${(min(a) / min(b)).toFixed(2)})`);
  line(`a/c = ${(median(a) / median(c)).toFixed(2)} (target <= 0.25)`);
  line(`verify/write = ${(median(verify) / median(write)).toFixed(2)} (target <= 1)`);
  line(`cold a/b = ${(median(cold) / median(b)).toFixed(2)} (no target: decompressing the release once)`);
}

main()
  .catch((error) => {
    process.stderr.write(`flash bench failed: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
