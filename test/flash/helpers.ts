import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, type TestContext } from 'node:test';
import { configSchema, type ClusterConfig } from '../../src/config/schema.js';
import type { DriveSnapshot } from '../../src/flash/drives/scan.js';
import { packageRoot } from '../../src/paths.js';
import {
  buildSyntheticRelease,
  writeSha256File,
  type SyntheticRelease,
  type SyntheticReleaseOptions,
} from '../fixtures/flash/synthetic-release.js';

export const MiB = 2 ** 20;
/** Small boot partitions keep the tests fast; FAT32 still (FatFs picks 512-byte clusters). */
export const TEST_BOOT = '64MiB';

/** A temporary folder removed when the test file ends. */
export function tempDir(prefix = 'pi-cluster-flash-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function config(overrides: Record<string, unknown> = {}): ClusterConfig {
  return configSchema.parse(overrides);
}

/** A synthetic release with its .sha256 beside it. */
export async function release(dir: string, options: SyntheticReleaseOptions = {}): Promise<SyntheticRelease> {
  const built = await buildSyntheticRelease(dir, options);
  await writeSha256File(built.path, built.sha256);
  return built;
}

/** A temporary folder with a small synthetic release and a key pair, made before the tests of the file run. */
export function workspace(options: SyntheticReleaseOptions = {}): { dir: string; image: string; key: string } {
  const space = { dir: tempDir(), image: '', key: '' };
  before(async () => {
    space.image = (await release(join(space.dir, 'release'), options)).path;
    space.key = sshKeyPair(space.dir).publicKey;
  });
  return space;
}

export function sshKeyPair(dir: string, name = 'id_ed25519'): { privateKey: string; publicKey: string } {
  const privateKey = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pi-cluster-test', '-f', privateKey]);
  return { privateKey, publicKey: `${privateKey}.pub` };
}

/** Skips (or, under CI, fails) a test that needs a tool this machine lacks. */
export function needTools(t: TestContext, ...tools: string[]): boolean {
  const missing = tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length === 0) return true;
  const message = `needs ${missing.join(', ')} (apt-get install ${[...new Set(missing.map(aptPackage))].join(' ')})`;
  if (process.env.CI) throw new Error(message);
  t.skip(message);
  return false;
}

export function needRoot(t: TestContext): boolean {
  if (process.getuid?.() === 0) return true;
  if (process.env.CI) throw new Error('needs root (loop devices)');
  t.skip('needs root (loop devices)');
  return false;
}

function aptPackage(tool: string): string {
  return (
    {
      'fsck.fat': 'dosfstools',
      sfdisk: 'fdisk',
      mcopy: 'mtools',
      mdir: 'mtools',
      sshd: 'openssh-server',
      'ssh-keygen': 'openssh-client',
      python3: 'python3',
      losetup: 'mount',
      ifquery: 'ifupdown',
      wpa_supplicant: 'wpasupplicant',
      wpa_passphrase: 'wpasupplicant',
    }[tool] ?? tool
  );
}

export interface SfdiskTable {
  partitiontable: {
    label: string;
    id?: string;
    unit: string;
    sectorsize?: number;
    partitions?: Array<{ node: string; start: number; size: number; type: string }>;
  };
}

export function sfdiskJson(image: string): SfdiskTable {
  return JSON.parse(execFileSync('sfdisk', ['-J', image]).toString()) as SfdiskTable;
}

/** Copies partition 1 out of a card image (sparse) so fsck.fat and mtools see exactly the FAT. */
export function carvePartition(image: string, dir: string): string {
  const table = sfdiskJson(image).partitiontable.partitions?.[0];
  if (!table) throw new Error(`${image} has no partition`);
  const out = join(dir, `part-${Math.random().toString(36).slice(2)}.img`);
  execFileSync('dd', [
    `if=${image}`,
    `of=${out}`,
    'bs=1M',
    'iflag=skip_bytes,count_bytes',
    `skip=${table.start * 512}`,
    `count=${table.size * 512}`,
    'conv=sparse',
    'status=none',
  ]);
  return out;
}

export function fsckFat(partition: string): { status: number; output: string } {
  const run = spawnSync('fsck.fat', ['-n', partition]);
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

/** Every file of a FAT partition, read with mtools (an independent FAT implementation). */
export function mtoolsFiles(partition: string, dir: string): Map<string, Buffer> {
  const out = join(dir, `files-${Math.random().toString(36).slice(2)}`);
  execFileSync('mkdir', ['-p', out]);
  execFileSync('mcopy', ['-s', '-n', '-m', '-i', partition, '::/', out], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
  const files = new Map<string, Buffer>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(relative(out, full), readFileSync(full));
    }
  };
  walk(out);
  return files;
}

/**
 * Flips one byte of the (only) card in a composed-card cache: inside the last file's data, or in the
 * card's first sector (the MBR, one of the sectors loaded with the index). Returns the image's path.
 */
export function damageCachedCard(cacheDir: string, where: 'data' | 'sectors'): string {
  const folder = join(cacheDir, 'composed');
  const [index] = readdirSync(folder).filter((name) => name.endsWith('.json'));
  const { data } = JSON.parse(readFileSync(join(folder, index), 'utf8')) as { data: Array<{ offset: number; length: number }> };
  const image = join(folder, index.replace(/\.json$/, '.img'));
  const last = data[data.length - 1];
  const offset = where === 'data' ? last.offset + Math.floor(last.length / 2) : 446;
  const fd = openSync(image, 'r+');
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, offset);
  byte[0] ^= 0xff;
  writeSync(fd, byte, 0, 1, offset);
  closeSync(fd);
  return image;
}

/** Bytes a file really occupies on disk (a sparse image occupies only what was written). */
export function allocatedBytes(path: string): number {
  return statSync(path).blocks * 512;
}

export function driveFixture(name: string): DriveSnapshot {
  return JSON.parse(readFileSync(join(packageRoot(), 'test', 'fixtures', 'flash', 'drives', `${name}.json`), 'utf8')) as DriveSnapshot;
}

export const cli = join(packageRoot(), 'bin', 'pi-cluster.js');
