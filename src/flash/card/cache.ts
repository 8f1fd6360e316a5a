import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { packageVersion } from '../../paths.js';
import { zlibCrc32 } from '../write/digest.js';
import { CardImage, type DataExtent } from './compose.js';
import { splitChunks } from './plan.js';
import { SECTOR, SectorMap } from './sectors.js';

/** Bump when the card layout or the boot file changes would compose a different card. */
const FORMAT = 1;
/** Composed cards kept (each about the size of the release). */
const KEEP = 2;

/**
 * Composed cards, cached beside the downloads: reading and decompressing a 100 MB release costs
 * more than writing it to a fast target, so the second flash of the same release reuses the card
 * composed the first time. Keyed by the release's expected sha256, its file's size and time, the boot
 * size and the pi-cluster version. Every piece of cached file data carries the CRC-32 it had when it
 * was composed; the writer checks it as it writes, so a damaged cache cannot reach a card.
 */
export interface ComposedKeyInput {
  sha256: string;
  size: number;
  mtimeMs: number;
  bootSize: number;
}

export interface CachedCard<T> {
  card: CardImage;
  /** Whatever the caller stored with the card (the release's version and name). */
  about: T;
}

interface Index<T> {
  format: number;
  size: number;
  bootSize: number;
  metaRuns: Array<[sector: number, count: number]>;
  data: Array<{ offset: number; length: number; crcs: number[] }>;
  about: T;
}

export function composedKey(input: ComposedKeyInput): string {
  return createHash('sha256').update(JSON.stringify({ ...input, format: FORMAT, version: packageVersion() })).digest('hex').slice(0, 32);
}

function paths(dir: string, key: string) {
  const base = join(dir, 'composed', key);
  return { index: `${base}.json`, data: `${base}.bin` };
}

/**
 * Loads a cached card. The small part (MBR, FAT, folders) is read at once; the file data is read in
 * the background, in disk order, once the writer asks for it, so writing overlaps the loading
 * (each extent's `ready` settles when its bytes are in).
 */
export async function loadComposed<T>(dir: string, key: string): Promise<CachedCard<T> | undefined> {
  const files = paths(dir, key);
  let index: Index<T>;
  let handle: FileHandle | undefined;
  const meta = new SectorMap();
  let metaBytes = 0;
  try {
    index = JSON.parse(await readFile(files.index, 'utf8')) as Index<T>;
    metaBytes = index.metaRuns.reduce((sum, [, count]) => sum + count * SECTOR, 0);
    const expected = metaBytes + index.data.reduce((sum, extent) => sum + extent.length, 0);
    if (index.format !== FORMAT || (await stat(files.data)).size !== expected) throw new Error('stale');
    handle = await open(files.data, 'r');
    const head = Buffer.allocUnsafe(metaBytes);
    await readAt(handle, head, 0);
    let at = 0;
    for (const [sector, count] of index.metaRuns) {
      meta.write(sector, head.subarray(at, at + count * SECTOR));
      at += count * SECTOR;
    }
  } catch {
    await handle?.close().catch(() => {});
    await dropComposed(dir, key);
    return undefined;
  }
  const body = Buffer.allocUnsafe(index.data.reduce((sum, extent) => sum + extent.length, 0));
  const file = handle as FileHandle;
  const settle: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  let started = false;
  // Reads the file data in disk order. Starts when the writer first waits for data, so loading
  // overlaps writing and does not compete with composing the hosts' overlays.
  const start = () => {
    if (started) return;
    started = true;
    void (async () => {
      let position = 0;
      try {
        for (const [i, extent] of index.data.entries()) {
          await readAt(file, body.subarray(position, position + extent.length), metaBytes + position);
          position += extent.length;
          settle[i].resolve();
        }
      } catch (error) {
        for (const s of settle) s.reject(error as Error);
      } finally {
        await file.close().catch(() => {});
      }
    })();
  };
  let at = 0;
  const data: DataExtent[] = index.data.map((extent) => {
    const chunk = body.subarray(at, at + extent.length);
    at += extent.length;
    const loaded = new Promise<void>((resolve, reject) => settle.push({ resolve, reject }));
    loaded.catch(() => {}); // awaited by the writer; never an unhandled rejection
    const ready: PromiseLike<void> = {
      then: (onLoaded, onFailed) => {
        start();
        return loaded.then(onLoaded, onFailed);
      },
    };
    return { offset: extent.offset, length: extent.length, chunks: [chunk], crcs: extent.crcs, ready };
  });
  if (data.length === 0) await file.close();
  return { card: new CardImage(index.size, index.bootSize, meta, data), about: index.about };
}

async function readAt(handle: FileHandle, into: Buffer, position: number): Promise<void> {
  for (let done = 0; done < into.length; ) {
    const { bytesRead } = await handle.read(into, done, Math.min(into.length - done, 2 ** 23), position + done);
    if (bytesRead <= 0) throw new Error('the cached card is shorter than its index says');
    done += bytesRead;
  }
}

export async function storeComposed<T>(dir: string, key: string, card: CardImage, about: T): Promise<void> {
  const files = paths(dir, key);
  await mkdir(join(dir, 'composed'), { recursive: true });
  const runs = card.meta.runs();
  const index: Index<T> = {
    format: FORMAT,
    size: card.size,
    bootSize: card.bootSize,
    metaRuns: runs.map((run) => [run.sector, run.buffers.length]),
    data: card.data.map((extent) => ({
      offset: extent.offset,
      length: extent.length,
      crcs: splitChunks(extent.chunks, extent.length).map((group) => group.reduce((crc, buffer) => zlibCrc32(buffer, crc), 0)),
    })),
    about,
  };
  const suffix = `.tmp-${process.pid}`;
  const handle = await open(files.data + suffix, 'w');
  try {
    await handle.write(Buffer.concat(runs.flatMap((run) => run.buffers)));
    for (const extent of card.data) for (const chunk of extent.chunks) await handle.write(chunk);
  } finally {
    await handle.close();
  }
  await writeFile(files.index + suffix, JSON.stringify(index));
  await rename(files.data + suffix, files.data);
  await rename(files.index + suffix, files.index);
  await prune(dir, key);
}

export async function dropComposed(dir: string, key: string): Promise<void> {
  const files = paths(dir, key);
  await rm(files.index, { force: true });
  await rm(files.data, { force: true });
}

async function prune(dir: string, keep: string): Promise<void> {
  const folder = join(dir, 'composed');
  const entries = await Promise.all(
    (await readdir(folder)).filter((name) => name.endsWith('.json')).map(async (name) => ({ key: name.slice(0, -5), time: (await stat(join(folder, name))).mtimeMs })),
  );
  const old = entries.filter((e) => e.key !== keep).sort((a, b) => b.time - a.time).slice(KEEP - 1);
  for (const entry of old) await dropComposed(dir, entry.key);
}
