import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { flash } from '../../src/flash/flash.js';
import { downloadFile } from '../../src/flash/release/download.js';
import { obtainRelease } from '../../src/flash/release/source.js';
import { config, release, sshKeyPair, tempDir, TEST_BOOT } from './helpers.js';

/** A mirror on 127.0.0.1 laid out like Alpine's, with knobs to misbehave. */
class Mirror {
  server!: Server;
  files = new Map<string, Buffer>();
  requests: Array<{ url: string; range?: string }> = [];
  /** Close the connection after this many body bytes (once). */
  cutAfter?: number;
  ignoreRanges = false;

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/alpine`;
  }

  private handle(req: IncomingMessage, res: import('node:http').ServerResponse): void {
    this.requests.push({ url: req.url ?? '', range: req.headers.range });
    const body = this.files.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && !this.ignoreRanges) {
      start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'content-length': body.length - start,
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
        etag: '"v1"',
      });
    } else {
      res.writeHead(200, { 'content-length': body.length, etag: '"v1"', 'accept-ranges': 'bytes' });
    }
    const slice = body.subarray(start);
    if (this.cutAfter !== undefined) {
      const cut = this.cutAfter;
      this.cutAfter = undefined;
      res.write(slice.subarray(0, cut), () => res.socket?.destroy());
      return;
    }
    res.end(slice);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('downloading the release', () => {
  const dir = tempDir();
  const mirror = new Mirror();
  let base: string;
  let tarball: Buffer;
  const name = 'alpine-rpi-3.23.0-aarch64.tar.gz';
  const path = `/alpine/v3.23/releases/aarch64/${name}`;
  const key = sshKeyPair(dir).publicKey;

  before(async () => {
    const built = await release(join(dir, 'src'), { size: 3_000_000 });
    tarball = readFileSync(built.path);
    mirror.files.set(path, tarball);
    mirror.files.set(`${path}.sha256`, Buffer.from(`${built.sha256}  ${name}\n`));
    base = await mirror.start();
  });
  after(() => mirror.stop());

  it('downloads into the cache, checks the .sha256, flashes, and reuses the cache next time', async () => {
    const cacheDir = join(dir, 'cache-a');
    const steps: string[] = [];
    const first = await flash({
      stateDir: join(dir, 'state'),
      config: config({ alpine: { mirror: base, version: '3.23.0' } }),
      outputs: [join(dir, 'a0.img')],
      hostname: 'pi0',
      sshKey: key,
      bootSize: TEST_BOOT,
      cacheDir,
      report: (e) => e.kind === 'progress' && steps.push(e.step),
    });
    assert.equal(first.results[0].ok, true, first.results[0].error?.message);
    assert.ok(steps.includes('download'), 'download progress is reported');
    assert.ok(readFileSync(join(cacheDir, name)).equals(tarball));
    const fetched = mirror.requests.filter((r) => r.url === path).length;
    const second = await flash({
      stateDir: join(dir, 'state'),
      config: config({ alpine: { mirror: base, version: '3.23.0' } }),
      outputs: [join(dir, 'a1.img')],
      hostname: 'pi1',
      sshKey: key,
      bootSize: TEST_BOOT,
      cacheDir,
    });
    assert.equal(second.results[0].ok, true);
    assert.equal(mirror.requests.filter((r) => r.url === path).length, fetched, 'the cached tarball is reused, not downloaded again');
  });

  it('resumes an interrupted download with a range request', async () => {
    const destination = join(dir, 'resume', name);
    mirror.cutAfter = 1_000_000;
    await assert.rejects(
      downloadFile(`${base}/v3.23/releases/aarch64/${name}`, destination),
      (error: unknown) => error instanceof UserError && /interrupted/.test(error.message) && /resumes/.test(error.hint ?? ''),
    );
    assert.ok(existsSync(`${destination}.part`), 'the partial download is kept');
    const before = mirror.requests.length;
    const { sha256 } = await downloadFile(`${base}/v3.23/releases/aarch64/${name}`, destination, {
      expectedSha256: createHash('sha256').update(tarball).digest('hex'),
    });
    const request = mirror.requests[before];
    assert.match(request.range ?? '', /^bytes=\d{6,}-$/, 'asked for the rest only');
    assert.equal(sha256, createHash('sha256').update(tarball).digest('hex'));
    assert.ok(readFileSync(destination).equals(tarball));
    assert.equal(existsSync(`${destination}.part`), false);
  });

  it('restarts cleanly when the server ignores the range', async () => {
    const destination = join(dir, 'restart', name);
    mirror.cutAfter = 500_000;
    await assert.rejects(downloadFile(`${base}/v3.23/releases/aarch64/${name}`, destination));
    mirror.ignoreRanges = true;
    try {
      await downloadFile(`${base}/v3.23/releases/aarch64/${name}`, destination);
    } finally {
      mirror.ignoreRanges = false;
    }
    assert.ok(readFileSync(destination).equals(tarball));
  });

  it('deletes a download whose checksum does not match and writes nothing', async () => {
    const cacheDir = join(dir, 'cache-bad');
    mirror.files.set(`/alpine/v3.24/releases/aarch64/alpine-rpi-3.24.0-aarch64.tar.gz`, tarball);
    mirror.files.set(
      `/alpine/v3.24/releases/aarch64/alpine-rpi-3.24.0-aarch64.tar.gz.sha256`,
      Buffer.from(`${'f'.repeat(64)}  alpine-rpi-3.24.0-aarch64.tar.gz\n`),
    );
    const output = join(dir, 'bad.img');
    await assert.rejects(
      flash({
        stateDir: join(dir, 'state'),
        config: config({ alpine: { mirror: base } }),
        alpine: '3.24.0',
        outputs: [output],
        hostname: 'pi0',
        sshKey: key,
        bootSize: TEST_BOOT,
        cacheDir,
      }),
      (error: unknown) => error instanceof UserError && /checksum mismatch/.test(error.message),
    );
    assert.equal(existsSync(output), false);
    assert.deepEqual(
      readdirSync(cacheDir).filter((n) => n.includes('3.24.0')),
      [],
      'nothing of the bad download is kept',
    );
  });

  it('refuses a version without a published checksum, and says so for a missing file', async () => {
    const cacheDir = join(dir, 'cache-missing');
    await assert.rejects(
      obtainRelease({ version: '3.99.0', mirror: base, arch: 'aarch64', cacheDir }, () => {}),
      (error: unknown) => error instanceof UserError && /no checksum is published/.test(error.message),
    );
    await assert.rejects(
      downloadFile(`${base}/nothing.tar.gz`, join(cacheDir, 'nothing.tar.gz')),
      (error: unknown) => error instanceof UserError && /HTTP 404/.test(error.message),
    );
  });

  it('takes --image URL too, and flashes from it', async () => {
    const cacheDir = join(dir, 'cache-url');
    const outcome = await flash({
      stateDir: join(dir, 'state'),
      config: config(),
      image: `${base}/v3.23/releases/aarch64/${name}`,
      outputs: [join(dir, 'url.img')],
      hostname: 'pi5',
      sshKey: key,
      bootSize: TEST_BOOT,
      cacheDir,
    });
    assert.equal(outcome.results[0].ok, true, outcome.results[0].error?.message);
    assert.ok(existsSync(join(cacheDir, name)));
  });
});
