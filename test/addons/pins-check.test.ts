import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { checkPins, formatReport, type PinResult } from '../../src/addons/pins/check.js';
import { chartEntries } from '../../src/addons/pins/chart-repo.js';
import { addonsCheckCommand } from '../../src/commands/addons/check.js';
import { parseImageRef } from '../../src/addons/pins/image-ref.js';
import { parsePins, readPins } from '../../src/addons/pins/pins.js';
import { UserError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { chartRepository, listen, registry, terraformRegistry, type LocalServer, type RegistryImage } from './pin-servers.js';
import { TERRAFORM_DIR } from './terraform.js';

const DIGEST = 'a'.repeat(64);
const TOKEN = 'anonymous-pull';
const linux = (architecture: string, variant?: string) => ({ os: 'linux', architecture, ...(variant ? { variant } : {}) });

let charts: LocalServer;
let images: LocalServer;
let cdn: LocalServer;
let providers: LocalServer;
let overrides: Record<string, string>;

before(async () => {
  charts = await listen(
    chartRepository(
      {
        '/stable': {
          demo: [{ version: '1.3.0-rc.1' }, { version: '1.2.0', digest: DIGEST }, { version: '1.1.0', digest: 'b'.repeat(64) }],
        },
      },
      {
        // Moved for good: Helm follows the redirect, but the pin should name the new place.
        '/old/index.yaml': (res) => void res.writeHead(301, { location: 'https://charts.example.test/stable/index.yaml' }).end(),
        '/slow/index.yaml': (res) => void setTimeout(() => res.writeHead(200).end('apiVersion: v1\nentries: {}\n'), 5000),
        // A large index that keeps arriving, 150 ms a piece, for longer than the stall timeout.
        '/trickle/index.yaml': (res) => {
          const lines = [
            'apiVersion: v1\n',
            'entries:\n',
            '  demo:\n',
            '  - name: demo\n',
            '    version: 1.2.0\n',
            '  - name: demo\n',
            '    version: 1.1.0\n',
            'generated: "2026-11-30"\n',
          ];
          res.writeHead(200, { 'content-type': 'application/x-yaml' });
          const send = () => (lines.length ? (res.write(lines.shift()), setTimeout(send, 150)) : res.end());
          send();
        },
        '/garbage/index.yaml': (res) =>
          void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in to the hotel Wi-Fi</body></html>'),
      },
    ),
  );
  cdn = await listen(() => undefined);
  const served: Record<string, RegistryImage> = {
    'lab/multi:1.0': { kind: 'oci-index', platforms: [linux('amd64'), linux('arm64', 'v8'), linux('arm', 'v7')] },
    'lab/dockerlist:2.0': { kind: 'docker-list', platforms: [linux('amd64'), linux('arm64')] },
    'lab/amd64only:1.0': { kind: 'docker-list', platforms: [linux('amd64'), { os: 'unknown', architecture: 'unknown' }] },
    'lab/single-arm64:1.0': { kind: 'single', platform: linux('arm64') },
    'lab/garbage:1.0': { kind: 'garbage' },
    'library/busybox:1.37': { kind: 'oci-index', platforms: [linux('arm64')] },
  };
  images = await listen(
    registry(served, {
      realm: 'https://auth.example.test/token',
      service: 'registry.example.test',
      token: TOKEN,
      blobBase: 'https://cdn.example.test',
    }),
  );
  // The CDN is its own server: blobs are served there, and it refuses requests that carry an Authorization header.
  await cdn.close();
  cdn = await listen(registry(served, { realm: 'https://auth.example.test/token', service: 'registry.example.test', token: TOKEN }));
  providers = await listen(terraformRegistry({ 'hashicorp/helm': ['3.0.2', '3.1.1', '3.1.2'] }));
  overrides = {
    'https://charts.example.test': charts.base,
    'https://registry.example.test': images.base,
    'https://auth.example.test': images.base,
    'https://cdn.example.test': cdn.base,
    'registry-1.docker.io': images.base,
    'https://registry.terraform.io': providers.base,
  };
});

after(async () => {
  await Promise.all([charts, images, cdn, providers].map((s) => s?.close()));
});

function pinsYaml(doc: Record<string, unknown>): string {
  return stringify({ providers: {}, charts: {}, images: {}, ...doc });
}

const sample = pinsYaml({
  providers: { 'hashicorp/helm': { version: '3.1.2' }, 'hashicorp/kubernetes': { version: '2.38.0' } },
  charts: {
    found: { repository: 'https://charts.example.test/stable', chart: 'demo', version: '1.2.0', digest: DIGEST },
    missing_version: { repository: 'https://charts.example.test/stable/', chart: 'demo', version: '9.9.9' },
    wrong_digest: { repository: 'https://charts.example.test/stable', chart: 'demo', version: '1.1.0', digest: DIGEST },
    gone: { repository: 'https://charts.example.test/gone', chart: 'dashboard', version: '7.13.0' },
    moved: { repository: 'https://charts.example.test/old', chart: 'demo', version: '1.2.0' },
    garbage: { repository: 'https://charts.example.test/garbage', chart: 'demo', version: '1.2.0' },
    no_chart: { repository: 'https://charts.example.test/stable', chart: 'other', version: '1.2.0' },
  },
  images: {
    multi: { image: 'registry.example.test/lab/multi:1.0' },
    dockerlist: { image: 'registry.example.test/lab/dockerlist:2.0' },
    amd64only: { image: 'registry.example.test/lab/amd64only:1.0' },
    single: { image: 'registry.example.test/lab/single-arm64:1.0' },
    missing: { image: 'registry.example.test/lab/multi:9.9' },
    garbage: { image: 'registry.example.test/lab/garbage:1.0' },
    hub: { image: 'busybox:1.37' },
  },
});

const byPin = (results: PinResult[]) => Object.fromEntries(results.map((r) => [r.pinnedAt, r]));

test('image references resolve as Kubernetes pulls them (Docker Hub, library/, tags, digests)', () => {
  assert.deepEqual(parseImageRef('busybox:1.37'), { registry: 'registry-1.docker.io', repository: 'library/busybox', reference: '1.37' });
  assert.deepEqual(parseImageRef('adguard/adguardhome:v0.107.62'), {
    registry: 'registry-1.docker.io',
    repository: 'adguard/adguardhome',
    reference: 'v0.107.62',
  });
  assert.deepEqual(parseImageRef('docker.io/library/traefik:v3.6.13'), {
    registry: 'registry-1.docker.io',
    repository: 'library/traefik',
    reference: 'v3.6.13',
  });
  assert.deepEqual(parseImageRef('registry.k8s.io/etcd:3.6.4-0'), {
    registry: 'registry.k8s.io',
    repository: 'etcd',
    reference: '3.6.4-0',
  });
  assert.deepEqual(parseImageRef('localhost:5000/a/b@sha256:' + 'c'.repeat(64)), {
    registry: 'localhost:5000',
    repository: 'a/b',
    reference: 'sha256:' + 'c'.repeat(64),
  });
  assert.equal(parseImageRef('quay.io/metallb/speaker').reference, 'latest');
  assert.throws(() => parseImageRef('Not An Image'), /not an image reference/);
});

test("a large index: only the pinned chart's block is parsed when the file has helm's layout", () => {
  const demo = 'entries:\n  demo:\n  - apiVersion: v2\n    name: demo\n    version: 1.2.0\n  - name: demo\n    version: 1.1.0\n';
  // The rest of this file would not parse: only the block of the chart asked for may be read.
  const text = `apiVersion: v1\n${demo}  other:\n  - version: [unclosed\ngenerated: "2026-11-30"\n`;
  assert.deepEqual(
    (chartEntries(text, 'demo')?.demo as Array<{ version: string }>).map((v) => v.version),
    ['1.2.0', '1.1.0'],
  );
  // A chart the index does not list, or no index at all: the whole text is parsed (and fails here).
  assert.equal(chartEntries(text, 'absent'), undefined);
  assert.deepEqual(Object.keys(chartEntries(`apiVersion: v1\n${demo}`, 'absent') ?? {}), ['demo']);
  assert.equal(chartEntries('<html>Sign in</html>', 'demo'), undefined);
});

test('every chart, image and provider case is reported at once, one line each with its fix', async () => {
  const pins = parsePins(sample, 'pins.yaml');
  const report = await checkPins(pins, { timeoutMs: 3000, overrides });
  const r = byPin(report.results);
  assert.equal(report.offline, false);

  assert.equal(r['charts.found'].status, 'ok');
  assert.match(r['charts.found'].detail, /digest matches/);
  assert.equal(r['charts.missing_version'].status, 'problem');
  // Pre-releases are not offered as the fix.
  assert.match(
    r['charts.missing_version'].detail,
    /version 9\.9\.9 is not in https:\/\/charts\.example\.test\/stable\/index\.yaml \(newest: 1\.2\.0, 1\.1\.0\)/,
  );
  assert.match(r['charts.missing_version'].fix ?? '', /set charts\.missing_version\.version in pins\.yaml/);
  assert.equal(r['charts.wrong_digest'].status, 'problem');
  assert.match(r['charts.wrong_digest'].detail, /digest .* is b{64}, pinned a{64}/);
  assert.equal(r['charts.gone'].status, 'problem');
  assert.match(r['charts.gone'].detail, /chart repository gone: https:\/\/charts\.example\.test\/gone\/index\.yaml answers HTTP 404/);
  assert.equal(r['charts.moved'].status, 'warning');
  assert.match(r['charts.moved'].detail, /has moved to https:\/\/charts\.example\.test\/stable\//);
  assert.match(r['charts.moved'].fix ?? '', /set charts\.moved\.repository in pins\.yaml to https:\/\/charts\.example\.test\/stable\//);
  assert.equal(r['charts.garbage'].status, 'problem');
  assert.match(r['charts.garbage'].detail, /not a chart repository index/);
  assert.equal(r['charts.no_chart'].status, 'problem');
  assert.match(r['charts.no_chart'].detail, /no chart named other/);

  assert.equal(r['images.multi'].status, 'ok');
  assert.match(r['images.multi'].detail, /linux\/arm64 among 3 platforms/);
  assert.equal(r['images.dockerlist'].status, 'ok');
  assert.equal(r['images.single'].status, 'ok', r['images.single'].detail);
  assert.equal(r['images.hub'].status, 'ok', 'busybox:1.37 is asked for as library/busybox on Docker Hub');
  assert.equal(r['images.amd64only'].status, 'problem');
  assert.match(r['images.amd64only'].detail, /no linux\/arm64 image \(only linux\/amd64\): it cannot run on a Pi/);
  assert.equal(r['images.missing'].status, 'problem');
  assert.match(r['images.missing'].detail, /has no lab\/multi:9\.9/);
  assert.equal(r['images.garbage'].status, 'problem');
  assert.match(r['images.garbage'].detail, /not a manifest/);

  assert.equal(r['providers.hashicorp/helm'].status, 'ok');
  assert.equal(r['providers.hashicorp/kubernetes'].status, 'problem');
  assert.match(r['providers.hashicorp/kubernetes'].detail, /no provider hashicorp\/kubernetes/);

  assert.equal(report.problems, 9);
  const lines = formatReport(report);
  const problemLines = lines.filter((l) => l.startsWith('✗'));
  assert.equal(problemLines.length, 9);
  for (const line of problemLines) assert.match(line, /^✗ (chart|image|provider) \S+ \([^)]+\): .+ → fix: .+$/);
  assert.match(lines.at(-1) ?? '', /^9 of 16 pins failed: 7 charts, 7 images, 2 providers$/);

  // The registry was asked the way real ones are: anonymous, challenged, then with a scoped token.
  assert.ok(
    images.seen.some((s) => s.startsWith('GET /token?') && s.includes('scope=repository%3Alab%2Fmulti%3Apull')),
    images.seen.join('\n'),
  );
  // The single-platform image's config came from the CDN, without the registry's token.
  assert.ok(
    cdn.seen.some((s) => s.startsWith('GET /cdn/v2/lab/single-arm64/blobs/sha256:')),
    cdn.seen.join('\n'),
  );
});

test('a slow server costs one bounded timeout and is named; the rest is still checked', async () => {
  const pins = parsePins(
    pinsYaml({
      charts: {
        slow: { repository: 'https://charts.example.test/slow', chart: 'demo', version: '1.2.0' },
        found: { repository: 'https://charts.example.test/stable', chart: 'demo', version: '1.2.0' },
        trickle: { repository: 'https://charts.example.test/trickle', chart: 'demo', version: '1.1.0' },
      },
    }),
    'pins.yaml',
  );
  const started = Date.now();
  const report = await checkPins(pins, { timeoutMs: 400, overrides });
  const elapsed = Date.now() - started;
  const r = byPin(report.results);
  assert.equal(r['charts.slow'].status, 'unreachable');
  assert.match(r['charts.slow'].detail, /no answer from charts\.example\.test within 0\.4 s/);
  assert.equal(r['charts.found'].status, 'ok');
  // 1.2 s in all, but never 400 ms without a byte: an answer still arriving is not cut off.
  assert.equal(r['charts.trickle'].status, 'ok', r['charts.trickle'].detail);
  assert.equal(report.offline, false);
  assert.equal(report.problems, 1);
  // The server would answer after 5 s: the check gave up long before.
  assert.ok(elapsed < 4000, `the check waited ${elapsed} ms for a server that answers after 5000`);
});

test('offline: nothing answers, and the command says so plainly and fails', async () => {
  const pins = readFileSync(join(TERRAFORM_DIR, 'pins.yaml'), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-pins-'));
  writeFileSync(join(dir, 'pins.yaml'), pins);
  // Every origin the real pins name, sent to a port where nothing listens.
  const closed = await listen(() => undefined);
  await closed.close();
  const parsed = await readPins(join(dir, 'pins.yaml'));
  const origins = new Set<string>(['https://registry.terraform.io']);
  for (const c of parsed.charts) origins.add(new URL(c.repository).origin);
  for (const i of parsed.images) origins.add(parseImageRef(i.image).registry);
  const everywhere = [...origins].map((o) => `${o}=${closed.base}`);
  let out = '';
  await assert.rejects(
    addonsCheckCommand({
      terraformDir: dir,
      json: false,
      timeoutSeconds: 2,
      overrides: everywhere,
      env: {},
      cwd: dir,
      write: (t) => (out += t),
    }),
    (error: unknown) =>
      error instanceof UserError && /^offline: the pins could not be checked/.test(error.message) && /SKIP_CHECK=1/.test(error.hint ?? ''),
  );
  assert.match(
    out,
    /^offline: no chart repository, image registry or the Terraform registry answered \(cannot reach .+ \(ECONNREFUSED\)\)\n$/,
  );
});

test('the real terraform/pins.yaml, served by local stand-ins of its repositories and registries, passes', async () => {
  const pins = await readPins(join(TERRAFORM_DIR, 'pins.yaml'));
  // A repository that lists exactly the pinned chart versions (with the pinned digests) under every path,
  // and a registry with every pinned image as a multi-arch index.
  const repoCharts: Record<string, Record<string, Array<{ version: string; digest?: string }>>> = {};
  for (const c of pins.charts) {
    const path = new URL(c.repository).pathname.replace(/\/+$/, '');
    repoCharts[path] = { ...(repoCharts[path] ?? {}), [c.chart]: [{ version: c.version, digest: c.digest }] };
  }
  const hubImages: Record<string, RegistryImage> = {};
  for (const i of pins.images) {
    const ref = parseImageRef(i.image);
    hubImages[`${ref.repository}:${ref.reference}`] = { kind: 'oci-index', platforms: [linux('amd64'), linux('arm64')] };
  }
  const repo = await listen(chartRepository(repoCharts));
  const reg = await listen(registry(hubImages, { realm: 'https://auth.example.test/token', service: 'any', token: 't' }));
  const tf = await listen(terraformRegistry(Object.fromEntries(pins.providers.map((p) => [p.source, [p.version]]))));
  try {
    const map: Record<string, string> = { 'https://auth.example.test': reg.base, 'https://registry.terraform.io': tf.base };
    for (const c of pins.charts) map[new URL(c.repository).origin] = repo.base;
    for (const i of pins.images) map[parseImageRef(i.image).registry] = reg.base;
    let out = '';
    const report = await addonsCheckCommand({
      terraformDir: TERRAFORM_DIR,
      json: true,
      timeoutSeconds: 5,
      overrides: Object.entries(map).map(([from, to]) => `${from}=${to}`),
      env: {},
      write: (t) => (out += t),
    });
    assert.equal(report?.problems, 0, out);
    const json = JSON.parse(out) as { problems: number; offline: boolean; results: PinResult[] };
    assert.equal(json.offline, false);
    const kinds = json.results.map((r) => r.kind);
    assert.deepEqual([kinds.filter((k) => k === 'chart').length, kinds.filter((k) => k === 'provider').length], [5, 2]);
    assert.ok(kinds.filter((k) => k === 'image').length >= 10);
    assert.ok(json.results.some((r) => r.pin === 'headlamp@0.45.0' && r.status === 'ok'));
    assert.ok(json.results.some((r) => r.pin === 'ghcr.io/headlamp-k8s/headlamp:v0.45.0' && r.status === 'ok'));
    assert.ok(!json.results.some((r) => /kubernetes-dashboard/.test(r.pin)));
  } finally {
    await Promise.all([repo.close(), reg.close(), tf.close()]);
  }
});

test('the CLI: --json and a non-zero exit on a problem, SKIP_CHECK=1 skips, a broken pins file is one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-pins-'));
  const pinsFile = join(dir, 'pins.yaml');
  writeFileSync(
    pinsFile,
    pinsYaml({
      charts: { gone: { repository: 'https://charts.example.test/gone', chart: 'dashboard', version: '7.13.0' } },
      images: { ok: { image: 'registry.example.test/lab/multi:1.0' } },
    }),
  );
  const env = {
    PI_CLUSTER_PIN_OVERRIDES: Object.entries(overrides)
      .map(([f, t]) => `${f}=${t}`)
      .join(','),
  };
  const failed = await runCli(['addons', 'check', '--pins', pinsFile, '--json'], { cwd: dir, env });
  assert.equal(failed.code, 1, failed.stderr);
  const json = JSON.parse(failed.stdout) as { problems: number; results: PinResult[] };
  assert.equal(json.problems, 1);
  assert.deepEqual(
    json.results.map((r) => `${r.pinnedAt}:${r.status}`),
    ['charts.gone:problem', 'images.ok:ok'],
  );
  assert.match(
    failed.stderr,
    /^pi-cluster: 1 pin failed the check: fix .*pins\.yaml as the lines above say\nhint: to run Terraform anyway: make apply SKIP_CHECK=1/,
  );

  const skipped = await runCli(['addons', 'check', '--pins', pinsFile], { cwd: dir, env: { ...env, SKIP_CHECK: '1' } });
  assert.equal(skipped.code, 0);
  assert.match(skipped.stdout, /^skipped: the pin check/);

  writeFileSync(
    pinsFile,
    stringify({ ...(parse(pinsYaml({})) as object), charts: { x: { repository: 'not a url', chart: 'x', version: '1' } } }),
  );
  const broken = await runCli(['addons', 'check', '--pins', pinsFile], { cwd: dir, env });
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /^pi-cluster: .*pins\.yaml: charts\.x\.repository: /);
});
