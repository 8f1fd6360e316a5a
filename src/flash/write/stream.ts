import type { CardImage } from '../card/compose.js';
import { totalBytes, type Piece } from '../card/plan.js';
import type { Destination } from './destination.js';
import { crcOf } from './digest.js';
import { CacheCorruptError } from './errors.js';

/** What a way of writing a card tells the writer as it goes. */
export interface WriteSteps {
  progress(done: number, total: number): void;
  /** Throws when the user interrupted. */
  checkCancel(): void;
}

export interface Written {
  /** CRC-32 of each piece, in order. */
  crcs: number[];
  /** From the first write to the end of the flush. */
  seconds: number;
}

/**
 * Writes the card's pieces from memory, in order and in large batches, computing each piece's CRC-32
 * while its write is in flight (the write runs on libuv's thread pool), then flushes. File data of
 * a cached card is checked against the CRC-32 recorded when the card was composed. Returns the CRC-32s
 * of what was written.
 */
export async function streamCard(
  card: CardImage,
  destination: Destination,
  groups: readonly Piece[][],
  steps: WriteSteps,
): Promise<Written> {
  await destination.prepare(card.size);
  const total = groups.reduce((sum, group) => sum + totalBytes(group), 0);
  const crcs: number[] = [];
  let done = 0;
  steps.progress(done, total);
  const started = performance.now();
  // Data not in memory is read a group ahead of writing.
  const fetch = (index: number) => {
    const fetching = Promise.all(groups[index].map(async (piece) => piece.buffers ?? [await piece.load()]));
    fetching.catch(() => {}); // awaited below; never an unhandled rejection
    return fetching;
  };
  let next = groups.length ? fetch(0) : undefined;
  for (const [at, group] of groups.entries()) {
    steps.checkCancel();
    const buffers = await (next as NonNullable<typeof next>);
    next = at + 1 < groups.length ? fetch(at + 1) : undefined;
    const writing = destination.write(group[0].offset, buffers.flat());
    for (const [index, piece] of group.entries()) {
      const crc = crcOf(buffers[index]);
      if (piece.expectedCrc !== undefined && piece.expectedCrc !== crc) {
        await writing.catch(() => {});
        throw new CacheCorruptError(piece.offset);
      }
      crcs.push(crc);
    }
    await writing;
    done += totalBytes(group);
    steps.progress(done, total);
  }
  await destination.flush();
  return { crcs, seconds: (performance.now() - started) / 1000 };
}
