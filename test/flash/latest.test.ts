// alpine.version as a branch: resolved from latest-releases.yaml served by a local HTTP server.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import type { StageEvent } from '../../src/events.js';
import { resolveAlpineVersion } from '../../src/flash/release/latest.js';
import { tempDir } from './helpers.js';

// The shape of Alpine's latest-releases.yaml: one entry per flavor of the release folder.
const LATEST = `---
-
  title: "Generic ARM"
  branch: v3.24
  arch: aarch64
  version: 3.24.2
  flavor: alpine-uboot
  file: alpine-uboot-3.24.2-aarch64.tar.gz
-
  title: "Raspberry Pi"
  desc: "Raspberry Pi"
  branch: v3.24
  arch: aarch64
  version: 3.24.2
  flavor: alpine-rpi
  file: alpine-rpi-3.24.2-aarch64.tar.gz
  sha256: 0000000000000000000000000000000000000000000000000000000000000000
`;

describe("alpine.version 3.24 resolves to the branch's latest release", () => {
  const files = new Map<string, string>([
    ['/alpine/v3.24/releases/aarch64/latest-releases.yaml', LATEST],
    ['/alpine/v3.25/releases/aarch64/latest-releases.yaml', 'not: [a list'],
  ]);
  let server: Server;
  let mirror = '';
  let requests = 0;
  before(async () => {
    server = createServer((req, res) => {
      requests++;
      const body = files.get(req.url ?? '');
      res.writeHead(body === undefined ? 404 : 200).end(body ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alpine`;
  });
  after(() => server.close());

  const events: StageEvent[] = [];
  const report = (event: StageEvent) => events.push(event);

  it('reads the Raspberry Pi entry (flavor alpine-rpi) and caches the answer', async () => {
    const cacheDir = tempDir();
    assert.equal(await resolveAlpineVersion('3.24', { mirror, arch: 'aarch64', cacheDir, report }), '3.24.2');
    // Offline next time: the cached answer, said as such.
    const offline = 'http://127.0.0.1:1/alpine';
    events.length = 0;
    assert.equal(await resolveAlpineVersion('3.24', { mirror: offline, arch: 'aarch64', cacheDir, report }), '3.24.2');
    assert.ok(events.some((e) => e.kind === 'warn' && /offline: Alpine 3\.24 taken as 3\.24\.2/.test(e.message)));
  });

  it('a full version is used as given, with no request', async () => {
    const before = requests;
    assert.equal(await resolveAlpineVersion('3.22.0', { mirror, arch: 'aarch64', cacheDir: tempDir(), report }), '3.22.0');
    assert.equal(requests, before);
  });

  it('offline with nothing cached: one clear error', async () => {
    await assert.rejects(
      resolveAlpineVersion('3.24', { mirror: 'http://127.0.0.1:1/alpine', arch: 'aarch64', cacheDir: tempDir(), report }),
      (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.match(error.message, /cannot find Alpine 3\.24's latest release: .* and nothing is cached/);
        return true;
      },
    );
  });

  it('a branch with no release folder, and a garbage answer, are refused by name', async () => {
    await assert.rejects(
      resolveAlpineVersion('3.99', { mirror, arch: 'aarch64', cacheDir: tempDir(), report }),
      /Alpine 3\.99 has no release folder/,
    );
    await assert.rejects(
      resolveAlpineVersion('3.25', { mirror, arch: 'aarch64', cacheDir: tempDir(), report }),
      /is not a list of releases/,
    );
  });
});
