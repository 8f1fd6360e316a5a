// The Debian root file system every virtual Pi boots from: built once per machine with mmdebstrap,
// cached under a key of everything that shapes it, and shared read-only by all hosts (overlayfs).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { labSourcePath } from './sources.js';

const SUITE = 'bookworm';

/**
 * What a Pi of the cluster runs, plus what Ansible needs on a host (python3, sudo, kmod, procps) and
 * mount(8), which 30-node's boot script uses (`mount --make-rshared /`) and the apt variant leaves out.
 */
export const ROOTFS_PACKAGES = [
  'openrc',
  'openssh-server',
  'avahi-daemon',
  'chrony',
  'python3',
  'sudo',
  'iproute2',
  'kmod',
  'procps',
  'netbase',
  'mount',
] as const;

export function defaultRootfsCacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pi-cluster', 'lab');
}

export interface RootfsOptions {
  cacheRoot?: string;
  log?: (line: string) => void;
}

/** Returns the directory of the cached root file system, building it first if this machine has none. */
export async function ensureRootfs(options: RootfsOptions = {}): Promise<string> {
  const cacheRoot = options.cacheRoot ?? defaultRootfsCacheRoot();
  const target = join(cacheRoot, `rootfs-${await rootfsKey()}`);
  if (existsSync(target)) return target;

  await mkdir(cacheRoot, { recursive: true });
  const building = `${target}.building-${process.pid}`;
  // dpkg on this kind of VM disk is slow; in memory the build takes about half the time.
  const scratch = existsSync('/dev/shm') ? await mkdtemp('/dev/shm/pi-cluster-lab-rootfs-') : building;
  options.log?.(`lab: building the hosts' root file system (once per machine) into ${target}`);
  const started = Date.now();
  try {
    await execa('mmdebstrap', mmdebstrapArguments(scratch));
    if (scratch !== building) await execa('cp', ['-a', scratch, building]);
    // The rename is what marks a build complete; a parallel builder that lost the race drops its copy.
    await rename(building, target).catch(async (error: NodeJS.ErrnoException) => {
      if (!existsSync(target)) throw error;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await rm(building, { recursive: true, force: true });
  }
  options.log?.(`lab: root file system built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return target;
}

function mmdebstrapArguments(directory: string): string[] {
  const customize = labSourcePath('rootfs', 'customize.sh');
  return ['--variant=apt', `--include=${ROOTFS_PACKAGES.join(',')}`, `--customize-hook=sh ${shellQuote(customize)} "$1"`, SUITE, directory];
}

/** Changes to the package list or to any file under rootfs/ give a new key, so a stale cache is never used. */
async function rootfsKey(): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify({ SUITE, ROOTFS_PACKAGES }));
  const root = labSourcePath('rootfs');
  for (const file of await listFiles(root)) {
    const mode = (await stat(file)).mode & 0o111;
    hash.update(`\0${relative(root, file)}\0${mode}\0`).update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 16);
}

async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
