/** The unit every layer of a card agrees on. SD cards and image files both use 512-byte sectors. */
export const SECTOR = 512;
export const MiB = 2 ** 20;

const ZERO_SECTOR = Buffer.alloc(SECTOR);

/**
 * A sparse set of 512-byte sectors: only what was written exists, the rest reads as zeros.
 * Sector buffers are never mutated after they are stored (a write replaces them), so `clone()`
 * can share them: cloning the base card for each host costs a Map copy, not a data copy.
 */
export class SectorMap {
  private readonly sectors: Map<number, Buffer>;

  constructor(from?: SectorMap) {
    this.sectors = new Map(from?.sectors);
  }

  clone(): SectorMap {
    return new SectorMap(this);
  }

  get size(): number {
    return this.sectors.size;
  }

  has(sector: number): boolean {
    return this.sectors.has(sector);
  }

  /** Stores a copy of `data` (a whole number of sectors) from `sector` on. */
  write(sector: number, data: Uint8Array): void {
    if (data.length % SECTOR !== 0) throw new Error(`sector write of ${data.length} bytes is not a whole number of sectors`);
    const copy = Buffer.from(data); // one allocation for the whole run; sectors are views into it
    for (let i = 0; i * SECTOR < copy.length; i++) this.sectors.set(sector + i, copy.subarray(i * SECTOR, (i + 1) * SECTOR));
  }

  /** Marks `count` sectors as written with zeros (used to wipe stale signatures). */
  zero(sector: number, count: number): void {
    for (let i = 0; i < count; i++) this.sectors.set(sector + i, ZERO_SECTOR);
  }

  delete(sector: number): void {
    this.sectors.delete(sector);
  }

  /** Copies `count` sectors from `sector` on into `into` (zeros where nothing was written). */
  read(sector: number, count: number, into: Uint8Array): void {
    for (let i = 0; i < count; i++) {
      const data = this.sectors.get(sector + i);
      if (data) into.set(data, i * SECTOR);
      else into.fill(0, i * SECTOR, (i + 1) * SECTOR);
    }
  }

  /** Runs of consecutive written sectors, in order: [first sector, buffers]. */
  runs(): SectorRun[] {
    return toRuns([...this.sectors.keys()], this.sectors);
  }

  /**
   * Runs of the sectors written since this map was cloned from `base` (a write replaces the buffer,
   * so a changed sector is one whose buffer is not the base's). Throws if a sector of `base` was deleted:
   * the change could not be laid over a copy of the base.
   */
  changedFrom(base: SectorMap): SectorRun[] {
    const changed: number[] = [];
    let fromBase = 0;
    for (const [sector, data] of this.sectors) {
      if (base.sectors.has(sector)) fromBase++;
      if (base.sectors.get(sector) !== data) changed.push(sector);
    }
    if (fromBase !== base.size) throw new Error('sectors of the base card were removed (internal error)');
    return toRuns(changed, this.sectors);
  }
}

export interface SectorRun {
  sector: number;
  buffers: Buffer[];
}

function toRuns(sectors: number[], data: Map<number, Buffer>): SectorRun[] {
  const runs: SectorRun[] = [];
  let current: SectorRun | undefined;
  for (const sector of sectors.sort((a, b) => a - b)) {
    const buffer = data.get(sector) as Buffer;
    if (current && current.sector + current.buffers.length === sector) current.buffers.push(buffer);
    else runs.push((current = { sector, buffers: [buffer] }));
  }
  return runs;
}
