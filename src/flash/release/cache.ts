import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../paths.js';

export interface ImageManifest {
  defaultVersion: string;
  releasePath: string;
  mirrors: string[];
  releases: string[];
}

export function readManifest(): ImageManifest {
  return JSON.parse(readFileSync(join(packageRoot(), 'images', 'manifest.json'), 'utf8')) as ImageManifest;
}

/**
 * Where downloads are kept: $PI_CLUSTER_IMAGE_CACHE, else images/cache/ in the pi-cluster folder
 * (git-ignored), else ~/.cache/pi-cluster/images when that folder is not writable (a global install).
 */
export function imageCacheDir(explicit?: string): string {
  const chosen = explicit ?? process.env.PI_CLUSTER_IMAGE_CACHE;
  if (chosen) return chosen;
  const inPackage = join(packageRoot(), 'images', 'cache');
  try {
    mkdirSync(inPackage, { recursive: true });
    accessSync(inPackage, constants.W_OK);
    return inPackage;
  } catch {
    return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pi-cluster', 'images');
  }
}

/** The URL of the aarch64 Raspberry Pi tarball of `version` on `mirror`. */
export function releaseUrl(mirror: string, version: string, arch = 'aarch64', manifest = readManifest()): string {
  const [major, minor] = version.split('.');
  const path = manifest.releasePath.replaceAll('{branch}', `${major}.${minor}`).replaceAll('{arch}', arch).replaceAll('{version}', version);
  return `${mirror.replace(/\/+$/, '')}/${path}`;
}

export function hasCached(path: string): boolean {
  return existsSync(path) && existsSync(`${path}.sha256`);
}
