import type { CardBacking, CardImage } from '../card/compose.js';
import type { Piece } from '../card/plan.js';
import { SECTOR } from '../card/sectors.js';
import type { Destination } from './destination.js';
import { crcOf } from './digest.js';
import type { WriteSteps, Written } from './stream.js';

/** Changed sectors per write (one buffer each; writev takes at most 1024). */
const SECTORS_PER_WRITE = 512;

/** Whether `card` can be written to `destination` as a copy of its backing file (`full`: write every byte instead). */
export function canCopy(card: CardImage, destination: Destination, full = false): boolean {
  return card.backing !== undefined && destination.prepareCopy !== undefined && !full;
}

/**
 * Starts what copyCard does first for a card made from `base`, before that card is made (a host's
 * overlay added): the copy of the backing file to the destination, which runs in the kernel meanwhile.
 * (The check of the file data is left to copyCard: it takes this process's time, which the overlays need first.)
 */
export function startCopy(base: CardImage, destination: Destination, full = false): void {
  if (!canCopy(base, destination, full)) return;
  destination.prepareCopy?.(base.size, (base.backing as CardBacking).path).catch(() => {}); // copyCard awaits the outcome
}

/**
 * Writes a card that has a backing file (the composed-card cache) to a target that can be made as a
 * copy of a file (an image file): the file is copied in the kernel (what follows it stays a hole),
 * the sectors this card changed (the host's overlay, the FAT, the root folder, the MBR) are written
 * over it, and all is flushed. While it is flushed, the file data in the backing file is checked
 * against what was recorded when the card was composed (its other sectors were checked when it was
 * loaded), as the writer from memory checks what it writes, so a damaged cache cannot make a card.
 * Returns the pieces' CRC-32s.
 */
export async function copyCard(card: CardImage, destination: Destination, groups: readonly Piece[][], steps: WriteSteps): Promise<Written> {
  const backing = card.backing as CardBacking;
  const prepareCopy = destination.prepareCopy?.bind(destination);
  if (!prepareCopy) throw new Error(`${destination.label} cannot be made as a copy (internal error)`);
  const changed = card.meta.changedFrom(backing.meta);
  const crcs = groups.flat().map(expectedCrc);
  const total = backing.length + changed.reduce((sum, run) => sum + run.buffers.length * SECTOR, 0);
  steps.progress(0, total);
  const started = await prepareCopy(card.size, backing.path);
  steps.checkCancel();
  const writes: Array<Promise<void>> = [];
  for (const run of changed) {
    for (let i = 0; i < run.buffers.length; i += SECTORS_PER_WRITE)
      writes.push(destination.write((run.sector + i) * SECTOR, run.buffers.slice(i, i + SECTORS_PER_WRITE)));
  }
  const flushed = (async () => {
    await Promise.all(writes);
    steps.progress(total, total);
    await destination.flush();
  })();
  // Checking takes this process's time, and reads memory as the copy does: it runs once the copy is made, while the disk works.
  const checked = backing.check();
  const [check, flush] = await Promise.allSettled([checked, flushed]);
  if (check.status === 'rejected') throw check.reason;
  if (flush.status === 'rejected') throw flush.reason;
  return { crcs, seconds: (performance.now() - started) / 1000 };
}

function expectedCrc(piece: Piece): number {
  if (piece.expectedCrc !== undefined) return piece.expectedCrc;
  if (!piece.buffers) throw new Error('cached file data without its CRC-32 (internal error)');
  return crcOf(piece.buffers);
}
