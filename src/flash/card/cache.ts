import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { packageVersion } from '../../paths.js';
import { crcOf } from '../write/digest.js';
import { checkData, loadableData, once, readAt, type CachedExtent } from './cache-data.js';
import { CardImage, type DataExtent } from './compose.js';
import { splitChunks } from './plan.js';
import { SECTOR, SectorMap } from './sectors.js';

/** Bump when the card layout or the boot file changes would compose a different card, or the cache's files change. */
const FORMAT = 3;
/** Composed cards kept (each about the size of the release). */
const KEEP = 2;

/**
 * Composed cards, cached beside the downloads: reading and decompressing a 100 MB release costs
 * more than writing it to a fast target, so the second flash of the same release reuses the card
 * composed the first time. Keyed by the release's expected sha256, its file's size and time, the boot
 * size and the pi-cluster version.
 *
 * A cached card is an image file (`<key>.img`: the card's bytes up to its last written sector, holes
 * left as holes) and an index (`<key>.json`) of what in it was written. An image-file target is made
 * by copying it in the kernel (see write/copy.ts); a drive is written from it through memory.
 * Every piece of file data carries the CRC-32 it had when it was composed, checked as the data is
 * read into memory to be written, or in the image while it is copied (zlib.crc32); the card's other
 * sectors carry one CRC-32, checked as they are loaded. A damaged cache cannot reach a card.
 */
export interface ComposedKeyInput {
  sha256: string;
  size: number;
  mtimeMs: number;
  bootSize: number;
}

export interface CachedCard<T> {
  /** The card, its data read from the image as it is written; `backing` is the image. */
  card: CardImage;
  /** Whatever the caller stored with the card (the release's version and name). */
  about: T;
}

interface Index<T> {
  format: number;
  size: number;
  bootSize: number;
  /** Bytes of the image file: up to the end of the card's last written sector. */
  length: number;
  metaRuns: Array<[sector: number, count: number]>;
  /** CRC-32 of the metaRuns' sectors, in order. */
  metaCrc: number;
  data: CachedExtent[];
  about: T;
}

export function composedKey(input: ComposedKeyInput): string {
  return createHash('sha256')
    .update(JSON.stringify({ ...input, format: FORMAT, version: packageVersion() }))
    .digest('hex')
    .slice(0, 32);
}

function paths(dir: string, key: string) {
  const base = join(dir, 'composed', key);
  return { index: `${base}.json`, image: `${base}.img` };
}

/**
 * Loads a cached card. Its sectors (MBR, FAT, folders, small files) are read at once and checked; the
 * file data is read only as a writer asks for it (see loadableData), and a copy of the image never
 * reads it into memory.
 */
export async function loadComposed<T>(dir: string, key: string): Promise<CachedCard<T> | undefined> {
  const files = paths(dir, key);
  let index: Index<T>;
  const meta = new SectorMap();
  try {
    index = JSON.parse(await readFile(files.index, 'utf8')) as Index<T>;
    if (index.format !== FORMAT || (await stat(files.image)).size !== index.length) throw new Error('stale');
    const head = Buffer.allocUnsafe(index.metaRuns.reduce((sum, [, count]) => sum + count * SECTOR, 0));
    const handle = await open(files.image, 'r');
    try {
      let at = 0;
      for (const [sector, count] of index.metaRuns) {
        await readAt(handle, head.subarray(at, at + count * SECTOR), sector * SECTOR);
        at += count * SECTOR;
      }
    } finally {
      await handle.close();
    }
    if (crc32(head) !== index.metaCrc) throw new Error('damaged');
    let at = 0;
    for (const [sector, count] of index.metaRuns) {
      meta.write(sector, head.subarray(at, at + count * SECTOR));
      at += count * SECTOR;
    }
  } catch {
    await dropComposed(dir, key);
    return undefined;
  }
  const data = loadableData(files.image, index.data);
  const backing = { path: files.image, length: index.length, meta, check: once(() => checkData(files.image, index.data)) };
  return { card: new CardImage(index.size, index.bootSize, meta, data, backing), about: index.about };
}

/** Stores a composed card (with no backing of its own) and returns it as loadComposed would. */
export async function storeComposed<T>(dir: string, key: string, card: CardImage, about: T): Promise<CachedCard<T>> {
  const files = paths(dir, key);
  await mkdir(join(dir, 'composed'), { recursive: true });
  const runs = card.meta.runs();
  const metaBytes = Buffer.concat(runs.flatMap((run) => run.buffers));
  const length = Math.max(
    ...runs.map((run) => (run.sector + run.buffers.length) * SECTOR),
    ...card.data.map((extent) => extent.offset + extent.length),
  );
  const index: Index<T> = {
    format: FORMAT,
    size: card.size,
    bootSize: card.bootSize,
    length,
    metaRuns: runs.map((run) => [run.sector, run.buffers.length]),
    metaCrc: crc32(metaBytes),
    data: card.data.map((extent) => {
      const groups = splitChunks(inMemory(extent), extent.length);
      return { offset: extent.offset, length: extent.length, crcs: groups.map((group) => crcOf(group)) };
    }),
    about,
  };
  const suffix = `.tmp-${process.pid}`;
  // 0644 (less if the umask says so), as FileDestination creates images: a copy of this file takes its mode.
  try {
    await writeComposedFiles(files.image + suffix, files.index + suffix, runs, metaBytes, card, length, index);
  } catch (error) {
    // The cache never keeps a temporary file: a failed store (full disk, interrupted) removes its own.
    await rm(files.image + suffix, { force: true });
    await rm(files.index + suffix, { force: true });
    throw error;
  }
  await rename(files.image + suffix, files.image);
  await rename(files.index + suffix, files.index);
  await prune(dir, key);
  const stored = await loadComposed<T>(dir, key);
  if (!stored) throw new Error('the card just cached cannot be read back');
  return stored;
}

async function writeComposedFiles(
  imagePath: string,
  indexPath: string,
  runs: Array<{ sector: number; buffers: readonly Buffer[] }>,
  metaBytes: Buffer,
  card: CardImage,
  length: number,
  index: unknown,
): Promise<void> {
  const handle = await open(imagePath, 'w', 0o644);
  try {
    let at = 0;
    for (const run of runs) {
      const bytes = run.buffers.length * SECTOR;
      await writeAt(handle, metaBytes.subarray(at, at + bytes), run.sector * SECTOR);
      at += bytes;
    }
    for (const extent of card.data) {
      let position = extent.offset;
      for (const chunk of inMemory(extent)) {
        await writeAt(handle, chunk, position);
        position += chunk.length;
      }
    }
    await handle.truncate(length);
  } finally {
    await handle.close();
  }
  await writeFile(indexPath, JSON.stringify(index));
}

function inMemory(extent: DataExtent): readonly Buffer[] {
  if (!extent.chunks) throw new Error('only a card composed in memory can be cached (internal error)');
  return extent.chunks;
}

async function writeAt(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  for (let done = 0; done < data.length;) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

export async function dropComposed(dir: string, key: string): Promise<void> {
  const files = paths(dir, key);
  await rm(files.index, { force: true });
  await rm(files.image, { force: true });
}

async function prune(dir: string, keep: string): Promise<void> {
  const folder = join(dir, 'composed');
  const entries = await Promise.all(
    (await readdir(folder))
      .filter((name) => name.endsWith('.json'))
      .map(async (name) => ({ key: name.slice(0, -5), time: (await stat(join(folder, name))).mtimeMs })),
  );
  const old = entries
    .filter((e) => e.key !== keep)
    .sort((a, b) => b.time - a.time)
    .slice(KEEP - 1);
  for (const entry of old) await dropComposed(dir, entry.key);
}
