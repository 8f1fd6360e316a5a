import type { CardImage } from './compose.js';
import { MiB, SECTOR } from './sectors.js';

/**
 * One unit of writing and verifying: `length` bytes (a whole number of sectors) at `offset`,
 * gathered from `buffers`, or read by `load` (file data of a cached card). A piece never spans two
 * files, so a file's pieces are the same on every host's card and a cached card can carry their
 * CRC-32 (`expectedCrc`).
 */
export type Piece = {
  offset: number;
  length: number;
  expectedCrc?: number;
} & ({ buffers: Buffer[]; load?: undefined } | { buffers?: undefined; load: () => Promise<Buffer> });

/** Largest piece; the writer joins neighbouring pieces into writes of up to MAX_BATCH. */
export const MAX_PIECE = 4 * MiB;
export const MAX_BATCH = 8 * MiB;
/** How much of the free area after partition 1, and of the end of the drive, is zeroed. */
export const WIPE_TAIL = 1 * MiB;

const ZEROS = Buffer.alloc(MAX_PIECE);

export interface PlanOptions {
  /** Size of the target in bytes (a drive); defaults to the card's own size (an image file). */
  targetSize?: number;
  /** Write every byte up to the end of partition 1, holes as zeros (what a plain image copy does). */
  full?: boolean;
}

/**
 * Turns a composed card into the pieces a target needs, in ascending order: the card's sectors,
 * file data, and on a target larger than the card, zeros over the first MiB after partition 1 and
 * the last MiB of the drive, so file systems and a backup GPT from the card's past life do not
 * reappear. Nothing else is written: a 1 GiB partition holding 100 MB costs about 100 MB of writes.
 */
export function planWrites(card: CardImage, options: PlanOptions = {}): Piece[] {
  const targetSize = options.targetSize ?? card.size;
  if (targetSize < card.size) throw new Error(`target of ${targetSize} bytes is smaller than the card (${card.size} bytes)`);
  const pieces: Piece[] = [];
  for (const run of card.meta.runs()) {
    const bytes = Buffer.concat(run.buffers);
    for (let at = 0; at < bytes.length; at += MAX_PIECE) {
      const buffer = bytes.subarray(at, at + MAX_PIECE);
      pieces.push({ offset: run.sector * SECTOR + at, length: buffer.length, buffers: [buffer] });
    }
  }
  for (const extent of card.data) {
    const { load } = extent;
    if (load) {
      for (let at = 0, index = 0; at < extent.length; at += MAX_PIECE, index++) {
        const length = Math.min(MAX_PIECE, extent.length - at);
        pieces.push({ offset: extent.offset + at, length, expectedCrc: extent.crcs?.[index], load: () => load(at, length) });
      }
      continue;
    }
    splitChunks(extent.chunks, extent.length).forEach((buffers, index) => {
      const length = buffers.reduce((sum, b) => sum + b.length, 0);
      pieces.push({ offset: extent.offset + index * MAX_PIECE, length, buffers, expectedCrc: extent.crcs?.[index] });
    });
  }
  if (targetSize > card.size) {
    const afterEnd = Math.min(card.size + WIPE_TAIL, targetSize);
    pieces.push(...zeros(card.size, afterEnd));
    const tailStart = Math.max(afterEnd, Math.floor((targetSize - WIPE_TAIL) / SECTOR) * SECTOR);
    if (tailStart < targetSize) pieces.push(...zeros(tailStart, targetSize));
  }
  pieces.sort((a, b) => a.offset - b.offset);
  let end = 0;
  for (const piece of pieces) {
    if (piece.offset < end) throw new Error(`card layout overlaps at byte ${piece.offset} (internal error)`);
    end = piece.offset + piece.length;
  }
  if (options.full) return fillGaps(pieces, card.size);
  return pieces;
}

/** Splits a file's chunks into consecutive groups of MAX_PIECE bytes (the last one shorter). */
export function splitChunks(chunks: readonly Buffer[], length: number): Buffer[][] {
  const groups: Buffer[][] = [];
  let group: Buffer[] = [];
  let size = 0;
  let left = length;
  for (let chunk of chunks) {
    chunk = chunk.subarray(0, Math.min(chunk.length, left));
    left -= chunk.length;
    while (chunk.length > 0) {
      const take = Math.min(chunk.length, MAX_PIECE - size);
      group.push(take === chunk.length ? chunk : chunk.subarray(0, take));
      size += take;
      chunk = chunk.subarray(take);
      if (size === MAX_PIECE) {
        groups.push(group);
        group = [];
        size = 0;
      }
    }
  }
  if (size > 0) groups.push(group);
  return groups;
}

function zeros(start: number, end: number): Piece[] {
  const pieces: Piece[] = [];
  for (let at = start; at < end; at += MAX_PIECE) {
    const length = Math.min(MAX_PIECE, end - at);
    pieces.push({ offset: at, length, buffers: [ZEROS.subarray(0, length)] });
  }
  return pieces;
}

function fillGaps(pieces: Piece[], end: number): Piece[] {
  const out: Piece[] = [];
  let at = 0;
  for (const piece of pieces) {
    if (piece.offset > at) out.push(...zeros(at, piece.offset));
    out.push(piece);
    at = piece.offset + piece.length;
  }
  if (at < end) out.push(...zeros(at, end));
  return out;
}

/**
 * Groups neighbouring pieces into single writes of up to MAX_BATCH bytes (and a bounded number of
 * buffers): large sequential writes, whatever the file sizes.
 */
export function batches(pieces: readonly Piece[]): Piece[][] {
  const out: Piece[][] = [];
  let current: Piece[] = [];
  let bytes = 0;
  let buffers = 0;
  for (const piece of pieces) {
    const last = current[current.length - 1];
    const count = piece.buffers?.length ?? 1;
    const joins = last && last.offset + last.length === piece.offset && bytes + piece.length <= MAX_BATCH && buffers + count <= 512;
    if (!joins && current.length) {
      out.push(current);
      current = [];
      bytes = 0;
      buffers = 0;
    }
    current.push(piece);
    bytes += piece.length;
    buffers += count;
  }
  if (current.length) out.push(current);
  return out;
}

export function totalBytes(pieces: readonly Piece[]): number {
  return pieces.reduce((sum, piece) => sum + piece.length, 0);
}
