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
  runs(): Array<{ sector: number; buffers: Buffer[] }> {
    const keys = [...this.sectors.keys()].sort((a, b) => a - b);
    const runs: Array<{ sector: number; buffers: Buffer[] }> = [];
    let current: { sector: number; buffers: Buffer[] } | undefined;
    for (const key of keys) {
      const data = this.sectors.get(key) as Buffer;
      if (current && current.sector + current.buffers.length === key) current.buffers.push(data);
      else runs.push((current = { sector: key, buffers: [data] }));
    }
    return runs;
  }
}
