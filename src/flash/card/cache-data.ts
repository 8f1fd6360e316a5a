import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { CacheCorruptError } from '../write/errors.js';
import type { DataExtent } from './compose.js';
import { MAX_PIECE } from './plan.js';

/**
 * A cached card's file data as its index records it: where it is in the image, and per MAX_PIECE its
 * CRC-32 (what the writer computes and the digest is made of, and what checkData checks).
 */
export interface CachedExtent {
  offset: number;
  length: number;
  crcs: number[];
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
 * Checks a cached card's file data in its image against the recorded CRC-32s, for a writer that
 * copies the image instead of reading it: read in disk order, in pieces of MAX_PIECE, the next read in
 * flight while one is checked. Rejects with CacheCorruptError.
 */
export async function checkData(image: string, extents: readonly CachedExtent[]): Promise<void> {
  const pieces = extents.flatMap((extent) =>
    extent.crcs.map((crc, index) => ({
      offset: extent.offset + index * MAX_PIECE,
      length: Math.min(MAX_PIECE, extent.length - index * MAX_PIECE),
      crc,
    })),
  );
  const buffers = [Buffer.allocUnsafe(MAX_PIECE), Buffer.allocUnsafe(MAX_PIECE)];
  const handle = await open(image, 'r');
  const read = (index: number) => handle.read(buffers[index % 2], 0, pieces[index].length, pieces[index].offset);
  let next: ReturnType<typeof read> | undefined = pieces.length ? read(0) : undefined;
  try {
    for (const [index, piece] of pieces.entries()) {
      const { bytesRead } = await (next as NonNullable<typeof next>);
      next = index + 1 < pieces.length ? read(index + 1) : undefined;
      if (bytesRead !== piece.length || crc32(buffers[index % 2].subarray(0, piece.length)) !== piece.crc)
        throw new CacheCorruptError(piece.offset);
    }
  } finally {
    await next?.catch(() => {});
    await handle.close();
  }
}

export async function readAt(handle: FileHandle, into: Buffer, position: number): Promise<void> {
  for (let done = 0; done < into.length;) {
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
