/**
 * Alpine's own code, for tests that run it against what pi-cluster produces. Each artifact is taken
 * from its real upstream with a pinned SHA-512 when this machine can reach it, and otherwise from the
 * unmodified copies in ../shared/alpine (checked against the same pin). Which one was used is
 * reported, so a test log always says where the Alpine code came from.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';

export interface UpstreamArtifact {
  file: string;
  url: string;
  sha512: string;
}

/**
 * The pins. The minirootfs checksum is upstream's own (docker-alpine's v3.20 checksum list); the
 * source archives are pinned to the bytes of the copies in ../shared/alpine (GitLab's tag archives).
 */
export const ARTIFACTS = {
  minirootfs: {
    file: 'alpine-minirootfs-3.20.3-x86_64.tar.gz',
    url: 'https://dl-cdn.alpinelinux.org/alpine/v3.20/releases/x86_64/alpine-minirootfs-3.20.3-x86_64.tar.gz',
    sha512:
      '9d5405f61f8a6ebc02461ba75346fbf1a63a4eab8510a0158dd321cee0c4dafe28c2a3d2cb7c3d75e2a8130dae0c3c92382f5b6adeea309eafc97621c5bf6400',
  },
  'alpine-conf-3.20.0': {
    file: 'alpine-conf-3.20.0.tar.gz',
    url: 'https://gitlab.alpinelinux.org/alpine/alpine-conf/-/archive/3.20.0/alpine-conf-3.20.0.tar.gz',
    sha512:
      '9a03c0f0fdad1da28874ec12307f40b3f03de6626575b8fae1b65a7055b2f4aaba1b315fa90b7228d918af0b5646ddf9acfea45d7a9342439819b98cdb44c322',
  },
  'alpine-conf-3.22.0': {
    file: 'alpine-conf-3.22.0.tar.gz',
    url: 'https://gitlab.alpinelinux.org/alpine/alpine-conf/-/archive/3.22.0/alpine-conf-3.22.0.tar.gz',
    sha512:
      '33f28692f2508d776cca5b77f782359aa07d717866ec68b57d988666e60ec7870a271f09adaf42cc509cff55d7af58031675d51c3fed920fa2b2b98eb2f4b382',
  },
  mkinitfs: {
    file: 'mkinitfs-cc4954b.tar.gz',
    url: 'https://gitlab.alpinelinux.org/alpine/mkinitfs/-/archive/cc4954b/mkinitfs-cc4954b.tar.gz',
    sha512:
      'f219988f6e949f42f294996659b07e999a029844694e621287e81404e48601d6e50380f3e3502e9a1023ff2ba75aec6c84cabd7b2d574078d249dea9d6f1579d',
  },
} satisfies Record<string, UpstreamArtifact>;

export type ArtifactName = keyof typeof ARTIFACTS;

export interface ResolvedArtifact {
  path: string;
  /** "upstream <url>" or "../shared/alpine (offline: <why>)". */
  source: string;
}

const sha512 = (data: Buffer) => createHash('sha512').update(data).digest('hex');

function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pi-cluster', 'alpine-upstream');
}

export function sharedAlpineDir(): string {
  return resolve(packageRoot(), '..', 'shared', 'alpine');
}

const resolved = new Map<ArtifactName, Promise<ResolvedArtifact>>();

/** The artifact's local path, verified against its pin; downloads once per machine when it can. */
export function artifact(name: ArtifactName): Promise<ResolvedArtifact> {
  let pending = resolved.get(name);
  if (!pending) {
    pending = resolveArtifact(ARTIFACTS[name]);
    resolved.set(name, pending);
  }
  return pending;
}

async function resolveArtifact(pin: UpstreamArtifact): Promise<ResolvedArtifact> {
  const cached = join(cacheDir(), pin.file);
  if (existsSync(cached) && sha512(readFileSync(cached)) === pin.sha512) return { path: cached, source: `upstream ${pin.url} (cached)` };
  let why: string;
  try {
    const response = await fetch(pin.url, { signal: AbortSignal.timeout(8_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const data = Buffer.from(await response.arrayBuffer());
    const sum = sha512(data);
    if (sum !== pin.sha512) throw new Error(`SHA-512 ${sum.slice(0, 16)}… is not the pinned ${pin.sha512.slice(0, 16)}…`);
    mkdirSync(cacheDir(), { recursive: true });
    writeFileSync(`${cached}.tmp`, data);
    renameSync(`${cached}.tmp`, cached);
    return { path: cached, source: `upstream ${pin.url}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    why = cause ?? (error as Error).message;
  }
  const local = join(sharedAlpineDir(), pin.file);
  if (!existsSync(local)) throw new Error(`${pin.file}: upstream unreachable (${why}) and not in ${sharedAlpineDir()}`);
  const sum = sha512(readFileSync(local));
  if (sum !== pin.sha512) throw new Error(`${local}: SHA-512 does not match the pin; the shared copy is not upstream's`);
  return { path: local, source: `../shared/alpine/${pin.file} (upstream unreachable: ${why})` };
}
