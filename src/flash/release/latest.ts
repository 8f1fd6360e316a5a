/**
 * `alpine.version: 3.24` (a branch) resolves to that branch's newest point release, read from the
 * `latest-releases.yaml` Alpine publishes in each release folder (v3.24/releases/aarch64/). The answer
 * is cached beside the images, so a later run offline uses the last one seen; a full version
 * (3.24.2) is used as given and never looked up.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../../errors.js';
import type { Reporter } from '../../events.js';
import { fetchText } from './download.js';

export const BRANCH = /^\d+\.\d+$/;
export const FULL_VERSION = /^\d+\.\d+\.\d+$/;

/** `--alpine` (or alpine.version) as asked: a branch (3.24) or a release (3.24.2), else one line saying so. */
export function checkAlpineVersion(asked: string): string {
  if (!FULL_VERSION.test(asked) && !BRANCH.test(asked))
    throw new UserError(`--alpine ${asked} is not an Alpine version`, {
      hint: 'e.g. --alpine 3.24 (its latest release) or --alpine 3.24.2',
    });
  return asked;
}

export function latestReleasesUrl(mirror: string, branch: string, arch: string): string {
  return `${mirror.replace(/\/+$/, '')}/v${branch}/releases/${arch}/latest-releases.yaml`;
}

/** The Raspberry Pi release (flavor alpine-rpi) of a latest-releases.yaml; throws when there is none. */
export function rpiReleaseOf(text: string, branch: string, source: string): string {
  let entries: unknown;
  try {
    entries = parseYaml(text);
  } catch {
    entries = undefined;
  }
  if (!Array.isArray(entries))
    throw new UserError(`${source} is not a list of releases`, { hint: 'check alpine.mirror, or name a full version (e.g. 3.24.2)' });
  const rpi = entries.find(
    (e): e is { version: unknown } => typeof e === 'object' && e !== null && (e as { flavor?: unknown }).flavor === 'alpine-rpi',
  );
  const version = typeof rpi?.version === 'string' ? rpi.version : String(rpi?.version ?? '');
  if (!rpi || !FULL_VERSION.test(version))
    throw new UserError(`${source} lists no Raspberry Pi release (flavor alpine-rpi)`, {
      hint: 'name a full version (e.g. 3.24.2) or another branch',
    });
  if (!version.startsWith(`${branch}.`))
    throw new UserError(`${source} says the latest release is ${version}, not a ${branch} release`, { hint: 'check alpine.mirror' });
  return version;
}

/** A full version as given; a branch resolved to its latest point release (online, else the cached answer). */
export async function resolveAlpineVersion(
  version: string,
  options: { mirror: string; arch: string; cacheDir: string; report: Reporter; signal?: AbortSignal },
): Promise<string> {
  if (FULL_VERSION.test(version)) return version;
  if (!BRANCH.test(version))
    throw new UserError(`${version} is not an Alpine version or branch`, { hint: 'e.g. 3.24 (its latest point release) or 3.24.2' });
  const url = latestReleasesUrl(options.mirror, version, options.arch);
  const cached = join(options.cacheDir, `latest-releases-v${version}-${options.arch}.yaml`);
  let text: string | undefined;
  let offline: string | undefined;
  try {
    text = await fetchText(url, options.signal);
    if (text === undefined)
      throw new UserError(`Alpine ${version} has no release folder at ${url}`, { hint: 'check the branch (e.g. 3.24) and alpine.mirror' });
  } catch (error) {
    if (!(error instanceof UserError) || !/^cannot download/.test(error.message)) throw error;
    offline = error.message;
  }
  if (text !== undefined) {
    const resolved = rpiReleaseOf(text, version, url);
    await mkdir(options.cacheDir, { recursive: true });
    await writeFile(`${cached}.tmp`, text);
    await rename(`${cached}.tmp`, cached);
    options.report({ kind: 'info', message: `Alpine ${version}: latest release is ${resolved} (${url})` });
    return resolved;
  }
  if (!existsSync(cached)) {
    throw new UserError(`cannot find Alpine ${version}'s latest release: ${offline} and nothing is cached`, {
      hint: `go online once, or name a full version (e.g. --alpine ${version}.0) with its release in images/cache/`,
    });
  }
  const resolved = rpiReleaseOf(await readFile(cached, 'utf8'), version, cached);
  options.report({
    kind: 'warn',
    message: `offline: Alpine ${version} taken as ${resolved}, the latest release seen before`,
    hint: 'a newer point release may exist',
  });
  return resolved;
}
