import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CancelledError, UserError } from '../../errors.js';
import type { Reporter } from '../../events.js';
import { checksumMismatch } from './checksum.js';

export interface DownloadOptions {
  report?: Reporter;
  signal?: AbortSignal;
  /** When given, the finished file must have this sha256, or it is deleted and an error thrown. */
  expectedSha256?: string;
  /** Seconds without a byte before giving up (the partial file is kept for resuming). */
  stallSeconds?: number;
}

interface PartInfo {
  url: string;
  etag?: string;
  lastModified?: string;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * Downloads `url` to `destination` through `destination.part`. An interrupted download leaves the
 * part file (and what server version it came from) so the next run asks for the rest with an HTTP
 * range; a server that ignores ranges, or a file that changed on the server, restarts from zero.
 * The sha256 is computed while writing; a mismatch deletes the part file, so the next run starts clean.
 */
export async function downloadFile(
  url: string,
  destination: string,
  options: DownloadOptions = {},
): Promise<{ sha256: string; bytes: number }> {
  const report = options.report ?? (() => {});
  const part = `${destination}.part`;
  const infoPath = `${part}.json`;
  await mkdir(dirname(destination), { recursive: true });

  let offset = 0;
  let info: PartInfo | undefined;
  try {
    info = JSON.parse(await readFile(infoPath, 'utf8')) as PartInfo;
    offset = info.url === url ? (await stat(part)).size : 0;
  } catch {
    offset = 0;
  }
  if (offset === 0) await rm(part, { force: true });

  const headers: Record<string, string> = { 'user-agent': 'pi-cluster' };
  if (offset > 0) {
    headers.range = `bytes=${offset}-`;
    if (info?.etag || info?.lastModified) headers['if-range'] = (info.etag ?? info.lastModified) as string;
  }
  const stall = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stall.signal]) : stall.signal;
  let stallTimer = setTimeout(() => stall.abort(), (options.stallSeconds ?? 30) * 1000);
  const touch = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => stall.abort(), (options.stallSeconds ?? 30) * 1000);
  };

  let response: Response;
  try {
    response = await fetch(url, { headers, signal, redirect: 'follow' });
  } catch (error) {
    clearTimeout(stallTimer);
    if (options.signal?.aborted) throw new CancelledError('download interrupted');
    throw new UserError(`cannot download ${url}: ${describeFetchError(error, url)}`, {
      hint: 'check the network and alpine.mirror in pi-cluster.yaml, or pass --image with a local file',
      cause: error,
    });
  }

  if (response.status === 416 && offset > 0) {
    // Asked for bytes past the end: the part file is complete or stale; start over cleanly.
    clearTimeout(stallTimer);
    await response.body?.cancel();
    await rm(part, { force: true });
    await rm(infoPath, { force: true });
    return downloadFile(url, destination, options);
  }
  if (response.status !== 200 && response.status !== 206) {
    clearTimeout(stallTimer);
    await response.body?.cancel();
    throw new UserError(`cannot download ${url}: HTTP ${response.status} ${response.statusText}`.trim(), {
      hint:
        response.status === 404
          ? 'check the Alpine version (--alpine or alpine.version) and alpine.mirror'
          : 'try again later, or set another alpine.mirror',
    });
  }
  const resumed = response.status === 206 && offset > 0 && contentRangeStart(response) === offset;
  if (!resumed) offset = 0;
  const length = Number(response.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? offset + length : undefined;

  const hash = createHash('sha256');
  if (offset > 0) await hashFile(part, hash);
  await writeFile(
    infoPath,
    JSON.stringify({
      url,
      etag: response.headers.get('etag') ?? undefined,
      lastModified: response.headers.get('last-modified') ?? undefined,
    } satisfies PartInfo),
  );
  if (resumed) report({ kind: 'info', message: `resuming the download of ${url} at ${mb(offset)}` });

  const file = await open(part, offset > 0 ? 'a' : 'w');
  let done = offset;
  try {
    if (!response.body) throw new Error('empty response');
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      touch();
      hash.update(chunk);
      await file.write(chunk);
      done += chunk.length;
      report({ kind: 'progress', step: 'download', done, total, unit: 'bytes' });
    }
    if (total !== undefined && done !== total) throw new Error(`connection closed after ${mb(done)} of ${mb(total)}`);
  } catch (error) {
    await file.close();
    clearTimeout(stallTimer);
    if (options.signal?.aborted) throw new CancelledError(`download interrupted at ${mb(done)}; run the same command again to resume it`);
    throw new UserError(
      `download of ${url} interrupted at ${mb(done)}${total ? ` of ${mb(total)}` : ''}: ${stall.signal.aborted ? 'no data for too long' : describeFetchError(error, url)}`,
      {
        hint: 'run the same command again: the download resumes where it stopped',
        cause: error,
      },
    );
  }
  clearTimeout(stallTimer);
  await file.sync();
  await file.close();
  const sha256 = hash.digest('hex');
  if (options.expectedSha256 && options.expectedSha256 !== sha256) {
    await rm(part, { force: true });
    await rm(infoPath, { force: true });
    throw checksumMismatch(
      url,
      options.expectedSha256,
      sha256,
      'the download was deleted; run again to download it anew (if it keeps failing, the mirror is broken: set another alpine.mirror)',
    );
  }
  await rename(part, destination);
  await rm(infoPath, { force: true });
  return { sha256, bytes: done };
}

/** Fetches a small text file (a .sha256); undefined on 404. */
export async function fetchText(url: string, signal?: AbortSignal): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch(url, {
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(30_000)]) : AbortSignal.timeout(30_000),
      headers: { 'user-agent': 'pi-cluster' },
    });
  } catch (error) {
    if (signal?.aborted) throw new CancelledError('download interrupted');
    throw new UserError(`cannot download ${url}: ${describeFetchError(error, url)}`, {
      hint: 'check the network and alpine.mirror in pi-cluster.yaml, or pass --image with a local file',
      cause: error,
    });
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new UserError(`cannot download ${url}: HTTP ${response.status}`, { hint: 'try again later, or set another alpine.mirror' });
  }
  return response.text();
}

function contentRangeStart(response: Response): number | undefined {
  const match = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
  return match ? Number(match[1]) : undefined;
}

async function hashFile(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 2 ** 20 })) hash.update(chunk as Buffer);
}

function describeFetchError(error: unknown, url: string): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const where = URL.canParse(url) ? new URL(url) : undefined;
  // The Fetch standard's "bad ports" (1, 7, 9, 21, 22, 25, ...): Node's fetch refuses them before connecting.
  if (cause?.message === 'bad port')
    return `port ${where?.port} is one that fetch refuses to connect to (a "bad port" of the Fetch standard); serve the file on another port, e.g. 8080`;
  if (cause?.code === 'ECONNREFUSED') return `connection refused (nothing listens at ${where?.host ?? url})`;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}
