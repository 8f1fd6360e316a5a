import { open, type FileHandle } from 'node:fs/promises';
import { CacheCorruptError } from '../write/errors.js';
import type { DataExtent } from './compose.js';
import { dataHasher } from './data-hash.js';
import { MAX_PIECE } from './plan.js';

/**
 * A cached card's file data as its index records it: where it is in the image, and per MAX_PIECE its
 * CRC-32 (what the writer computes and the digest is made of) and its data hash (see data-hash.ts).
 */
export interface CachedExtent {
  offset: number;
  length: number;
  crcs: number[];
  hashes: string[];
}

/**
 * The data extents of a cached card, for a writer that needs them in memory: each `load` reads the
 * bytes asked for from the image (the writer asks a piece at a time, a little ahead of writing).
 */
export function loadableData(image: string, extents: readonly CachedExtent[]): DataExtent[] {
  return extents.map((extent) => ({
    offset: extent.offset,
    length: extent.length,
    crcs: extent.crcs,
    load: async (at: number, length: number) => {
      const handle = await open(image, 'r');
      try {
        const data = Buffer.allocUnsafe(length);
        await readAt(handle, data, extent.offset + at);
        return data;
      } finally {
        await handle.close();
      }
    },
  }));
}

/**
 * Checks a cached card's file data in its image against the recorded data hashes, for a writer that
 * copies the image instead of reading it: read in disk order, in pieces of MAX_PIECE, the next read in
 * flight while one is hashed. Rejects with CacheCorruptError.
 */
export async function checkData(image: string, extents: readonly CachedExtent[]): Promise<void> {
  const pieces = extents.flatMap((extent) => extent.hashes.map((hash, index) => ({ offset: extent.offset + index * MAX_PIECE, length: Math.min(MAX_PIECE, extent.length - index * MAX_PIECE), hash })));
  const hasher = dataHasher(MAX_PIECE, 2);
  const handle = await open(image, 'r');
  const read = (index: number) => handle.read(hasher.buffers[index % 2], 0, pieces[index].length, pieces[index].offset);
  let next: ReturnType<typeof read> | undefined = pieces.length ? read(0) : undefined;
  try {
    for (const [index, piece] of pieces.entries()) {
      const { bytesRead } = await (next as NonNullable<typeof next>);
      next = index + 1 < pieces.length ? read(index + 1) : undefined;
      if (bytesRead !== piece.length || hasher.hash(index % 2, piece.length) !== piece.hash) throw new CacheCorruptError(piece.offset);
    }
  } finally {
    await next?.catch(() => {});
    await handle.close();
  }
}

/** Data hash of each MAX_PIECE of a file's chunks (as splitChunks groups them), for the index. */
export function hashPieces(groups: readonly Buffer[][]): string[] {
  const hasher = dataHasher(MAX_PIECE, 1);
  return groups.map((group) => {
    let at = 0;
    for (const buffer of group) at += buffer.copy(hasher.buffers[0], at);
    return hasher.hash(0, at);
  });
}

export async function readAt(handle: FileHandle, into: Buffer, position: number): Promise<void> {
  for (let done = 0; done < into.length; ) {
    const { bytesRead } = await handle.read(into, done, Math.min(into.length - done, 2 ** 23), position + done);
    if (bytesRead <= 0) throw new Error('the cached card is shorter than its index says');
    done += bytesRead;
  }
}

/** `run` on the first call; every call gets that call's promise. */
export function once<T>(run: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= run());
}
