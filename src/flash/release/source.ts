import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { userFileProblem } from '../../user-files.js';
import type { Reporter } from '../../events.js';
import { hasCached, imageCacheDir, readManifest, releaseUrl } from './cache.js';
import { parseSha256File } from './checksum.js';
import { downloadFile, fetchText } from './download.js';

export interface ReleaseRequest {
  /** --image: a local file or an http(s) URL of a .tar.gz or .img.gz. */
  image?: string;
  /** --alpine, else alpine.version from the config. */
  version: string;
  mirror: string;
  arch: string;
  cacheDir?: string;
}

/** Where the release will come from, known before anything is downloaded (for the drive safety check). */
export interface ReleaseLocation {
  /** The local file that will be read (in the cache for downloads). */
  path: string;
  url?: string;
  label: string;
}

export interface ObtainedRelease extends ReleaseLocation {
  /** The sha256 the file must have; undefined when nothing was published beside it. */
  expectedSha256?: string;
  checksumFrom?: string;
}

export function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

export function locateRelease(request: ReleaseRequest): ReleaseLocation {
  if (request.image && !isUrl(request.image)) {
    const path = resolve(request.image);
    return { path, label: basename(path) };
  }
  const url = request.image ?? releaseUrl(request.mirror, request.version, request.arch);
  const name = decodeURIComponent(basename(new URL(url).pathname));
  if (!/\.(tar\.gz|tgz|img\.gz)$/.test(name)) {
    throw new UserError(`${url} does not name a .tar.gz or .img.gz file`, {
      hint: 'pass the URL of an Alpine Raspberry Pi release (alpine-rpi-<version>-aarch64.tar.gz)',
    });
  }
  return { path: join(imageCacheDir(request.cacheDir), name), url, label: name };
}

/**
 * Makes the release available as a local file and says which sha256 it must have:
 * a local --image with its `.sha256` beside it when there is one; a download (default or --image URL)
 * into the cache, checked against the `.sha256` published beside it, and reused from the cache next time.
 */
export async function obtainRelease(request: ReleaseRequest, report: Reporter, signal?: AbortSignal): Promise<ObtainedRelease> {
  const location = locateRelease(request);
  if (!location.url) {
    const problem = userFileProblem(location.path);
    if (problem)
      throw new UserError(`--image ${request.image} ${problem}`, {
        hint:
          problem === 'is a folder, not a file'
            ? 'pass the release file itself, e.g. --image ./alpine-rpi-3.24.2-aarch64.tar.gz'
            : 'check the --image path, or leave --image out to download the release',
      });
    const sidecar = `${location.path}.sha256`;
    if (!existsSync(sidecar)) {
      report({ kind: 'info', message: `no ${basename(sidecar)} beside ${location.label}: checking its layout only, not its checksum` });
      return location;
    }
    return {
      ...location,
      expectedSha256: parseSha256File(await readFile(sidecar, 'utf8'), location.label, sidecar),
      checksumFrom: sidecar,
    };
  }

  const url = location.url;
  const cachedSidecar = `${location.path}.sha256`;
  const sourceFile = `${location.path}.source`;
  const sameSource = existsSync(sourceFile) && (await readFile(sourceFile, 'utf8')).trim() === url;
  if (hasCached(location.path) && sameSource) {
    report({ kind: 'info', message: `using the cached ${location.label} (${location.path})` });
    const text = await readFile(cachedSidecar, 'utf8');
    return {
      ...location,
      expectedSha256: text.trim() ? parseSha256File(text, location.label, cachedSidecar) : undefined,
      checksumFrom: cachedSidecar,
    };
  }
  await rm(location.path, { force: true });

  report({ kind: 'step', step: 'download', detail: url });
  const sidecarText = await fetchText(`${url}.sha256`, signal);
  if (sidecarText === undefined) {
    if (!request.image) {
      throw new UserError(`no checksum is published beside ${url}`, {
        hint: `check the version; known releases: ${readManifest().releases.join(', ')}`,
      });
    }
    report({
      kind: 'warn',
      message: `no ${location.label}.sha256 beside ${url}: checking the archive's layout only`,
      hint: 'prefer a URL with a published .sha256',
    });
  }
  const expectedSha256 = sidecarText === undefined ? undefined : parseSha256File(sidecarText, location.label, `${url}.sha256`);
  await downloadFile(url, location.path, { report, signal, expectedSha256 });
  await writeFile(cachedSidecar, sidecarText ?? '');
  await writeFile(sourceFile, `${url}\n`);
  return { ...location, expectedSha256, checksumFrom: `${url}.sha256` };
}

/** Removes a cached download found corrupt, so the next run downloads it again. */
export async function forgetCached(location: ReleaseLocation): Promise<void> {
  if (!location.url) return;
  for (const path of [location.path, `${location.path}.sha256`, `${location.path}.source`]) await rm(path, { force: true });
}
