import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { CancelledError, UserError } from '../../errors.js';
import type { Reporter } from '../../events.js';
import type { CardImage } from '../card/compose.js';
import { batches, planWrites, totalBytes, type Piece } from '../card/plan.js';
import { canCopy, copyCard } from './copy.js';
import type { Destination } from './destination.js';
import { streamCard, type WriteSteps } from './stream.js';

export interface WriteJob {
  hostname: string;
  card: CardImage;
  destination: Destination;
}

export interface WriteResult {
  target: string;
  hostname: string;
  ok: boolean;
  bytesWritten: number;
  /** Seconds from the first write (or the copy) to the end of the flush. */
  writeSeconds: number;
  verifySeconds?: number;
  /** Digest of what was written (see cardDigest); set when the write completed. */
  digest?: string;
  verified: boolean;
  note?: string;
  error?: Error;
}

export interface WriteOptions {
  verify: boolean;
  report?: Reporter;
  signal?: AbortSignal;
  /** Write every byte of the card, holes included (only the benchmark's "naive" case uses this). */
  full?: boolean;
}

/**
 * Writes each job's card to its destination, all at once, and returns one result per job: a failing
 * target does not stop the others. Progress is reported per target (steps "write" and "verify").
 */
export async function writeCards(jobs: readonly WriteJob[], options: WriteOptions): Promise<WriteResult[]> {
  return Promise.all(jobs.map((job) => writeCard(job, options)));
}

/**
 * One target: plan the pieces, write them (as a copy of the card's backing file when the target is an
 * image file, else from memory), flush, then read every piece back and compare. The digest printed for
 * a card is the sha256 of the (offset, length, CRC-32) list of its pieces: equal digests mean equal
 * bytes written.
 */
export async function writeCard(job: WriteJob, options: WriteOptions): Promise<WriteResult> {
  const { destination, card, hostname } = job;
  const report = options.report ?? (() => {});
  const target = destination.label;
  const result: WriteResult = { target, hostname, ok: false, bytesWritten: 0, writeSeconds: 0, verified: false };
  const checkCancel = () => {
    if (options.signal?.aborted) throw new CancelledError('flash interrupted');
  };
  const steps: WriteSteps = {
    progress: (done, total) => {
      result.bytesWritten = done;
      report({ kind: 'progress', step: 'write', target, done, total, unit: 'bytes' });
    },
    checkCancel,
  };
  try {
    report({ kind: 'step', step: 'write', host: hostname, detail: target });
    const pieces = planWrites(card, { targetSize: destination.size || card.size, full: options.full });
    const groups = batches(pieces);
    const written = canCopy(card, destination, options.full)
      ? await copyCard(card, destination, groups, steps)
      : await streamCard(card, destination, groups, steps);
    result.writeSeconds = written.seconds;
    result.digest = cardDigest(pieces, written.crcs);

    if (options.verify) {
      checkCancel();
      report({ kind: 'step', step: 'verify', host: hostname, detail: target });
      const verifyStarted = performance.now();
      await destination.startVerify();
      const total = totalBytes(pieces);
      let done = 0;
      report({ kind: 'progress', step: 'verify', target, done, total, unit: 'bytes' });
      let index = 0;
      for (const group of groups) {
        checkCancel();
        const length = totalBytes(group);
        const back = await destination.read(group[0].offset, length);
        let at = 0;
        for (const piece of group) {
          if (crc32(back.subarray(at, at + piece.length)) !== written.crcs[index]) {
            throw new UserError(
              `${target} (${hostname}): VERIFY FAILED: what was read back differs from what was written, at ${(piece.offset / 2 ** 20).toFixed(1)} MiB`,
              {
                hint: 'the card or reader is faulty (or the card is fake and smaller than it claims): do not use this card; try another card or reader',
              },
            );
          }
          at += piece.length;
          index++;
        }
        done += length;
        report({ kind: 'progress', step: 'verify', target, done, total, unit: 'bytes' });
      }
      result.verifySeconds = (performance.now() - verifyStarted) / 1000;
      result.verified = true;
    }
    result.note = await destination.finish();
    result.ok = true;
  } catch (error) {
    await destination.abort().catch(() => {});
    result.error = failure(error, destination, result.bytesWritten);
  }
  return result;
}

function failure(error: unknown, destination: Destination, written: number): Error {
  const note = written > 0 ? destination.failureNote : 'nothing was written';
  if (error instanceof CancelledError) return new CancelledError(`flash interrupted: ${destination.label}: ${note}`);
  if (error instanceof UserError)
    return new UserError(`${error.message}${error.message.includes('VERIFY FAILED') || written === 0 ? '' : ` (${note})`}`, {
      hint: error.hint,
      cause: error.cause ?? error,
    });
  const message = (error as Error)?.message ?? String(error);
  return new UserError(`${message} (${note})`, { hint: 'the card or reader may be faulty: try again, or another card', cause: error });
}

/** sha256 over (offset u64, length u32, CRC-32 u32) of each piece, in order, as hex. */
export function cardDigest(pieces: readonly Piece[], crcs: readonly number[]): string {
  const record = Buffer.alloc(16);
  const hash = createHash('sha256');
  pieces.forEach((piece, index) => {
    record.writeBigUInt64BE(BigInt(piece.offset), 0);
    record.writeUInt32BE(piece.length, 8);
    record.writeUInt32BE(crcs[index] >>> 0, 12);
    hash.update(record);
  });
  return hash.digest('hex');
}
