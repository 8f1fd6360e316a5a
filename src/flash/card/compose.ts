import { crc32 } from 'node:zlib';
import { FatVolume, type SectorStore } from './fat.js';
import { buildMbr } from './mbr.js';
import { MiB, SECTOR, SectorMap } from './sectors.js';

/** Partition 1 starts at 1 MiB: the usual alignment for SD cards, and what `bootstrap` expects. */
export const PARTITION_START = 1 * MiB;
/** Files from this size on are placed directly (zero copy); smaller ones go through FatFs. */
const DIRECT_MIN = 64 * 1024;
/** The data area of the FAT is aligned to 1 MiB so file data meets the card's erase blocks. */
const DATA_ALIGN_SECTORS = MiB / SECTOR;
/** Bytes zeroed at the start of the card: the MBR gap and the start of partition 1, where old signatures live. */
const WIPE_HEAD = 2 * MiB;

export interface CardFile {
  /** Path inside the FAT, no leading slash. */
  path: string;
  size: number;
  chunks: readonly Buffer[];
}

/**
 * File data placed at `offset` of the card; `length` is the data padded with zeros to whole sectors.
 * Its bytes are either in memory (`chunks`: a card composed now) or read when needed (`load`: bytes
 * [at, at + length) of the data, from a card in the cache, which a copy never needs in memory).
 */
export type DataExtent = {
  offset: number;
  length: number;
  /** CRC-32 of each MAX_PIECE of the data, when known (a card loaded from the cache): checked as it is written. */
  crcs?: readonly number[];
} & ({ chunks: readonly Buffer[]; load?: undefined } | { chunks?: undefined; load: (at: number, length: number) => Promise<Buffer> });

/**
 * A file holding a card's bytes (the composed-card cache): bytes [0, length) of `path` are the card
 * whose sectors are `meta`, and zeros after. A card made from it by adding sectors can be written as
 * a copy of the file plus the sectors that differ from `meta` (SectorMap.changedFrom).
 */
export interface CardBacking {
  path: string;
  length: number;
  meta: SectorMap;
  /** Checks the file data in the file against what was recorded when it was composed (once; rejects when damaged). */
  check(): Promise<void>;
}

/**
 * A composed card, in memory and sparse: the sectors FatFs wrote (MBR, FAT, directories, small files)
 * plus the data of large files where the FAT says they live. Nothing else needs writing.
 */
export class CardImage {
  constructor(
    /** Bytes from the start of the card to the end of partition 1. */
    readonly size: number,
    readonly bootSize: number,
    readonly meta: SectorMap,
    readonly data: readonly DataExtent[],
    readonly backing?: CardBacking,
  ) {}

  /** Bytes the card needs written (not counting the wipe of a larger target's free area). */
  get bytesNeeded(): number {
    return this.meta.size * SECTOR + this.data.reduce((sum, extent) => sum + extent.length, 0);
  }

  /**
   * A copy of this card with one more file at the top level (the host's apkovl, written through FatFs:
   * it is small) and a disk signature of its own. Only sectors change, so the copy keeps this card's
   * backing file; the base is not changed, so one composed release serves every host.
   */
  async withFile(file: CardFile, diskSignature: number): Promise<CardImage> {
    const meta = this.meta.clone();
    const volume = await FatVolume.open(partitionStore(meta, this.bootSize));
    volume.mount();
    volume.writeFile(file.path, file.chunks);
    volume.unmount();
    meta.write(0, buildMbr(PARTITION_START / SECTOR, this.bootSize / SECTOR, diskSignature));
    return new CardImage(this.size, this.bootSize, meta, this.data, this.backing);
  }
}

export interface ComposeOptions {
  bootSize: number;
  /** Folders to create even when empty (e.g. `overlays`); parents of files are created anyway. */
  directories?: readonly string[];
}

/**
 * Lays out a card: MBR with one FAT32 partition (type 0x0c) at 1 MiB of `bootSize` bytes, formatted
 * by FatFs, holding `files`. Throws FatError (FR_DENIED) when the files do not fit.
 */
export async function composeCard(files: readonly CardFile[], options: ComposeOptions): Promise<CardImage> {
  const { bootSize } = options;
  if (bootSize % MiB !== 0) throw new Error('the boot partition size must be a whole number of MiB');
  const meta = new SectorMap();
  meta.zero(0, WIPE_HEAD / SECTOR);
  meta.write(0, buildMbr(PARTITION_START / SECTOR, bootSize / SECTOR, 0));
  const volume = await FatVolume.open(partitionStore(meta, bootSize));
  volume.format(DATA_ALIGN_SECTORS);
  volume.mount();
  const data: DataExtent[] = [];
  const folders = new Set<string>(options.directories ?? []);
  for (const file of files)
    for (let at = file.path.indexOf('/'); at > 0; at = file.path.indexOf('/', at + 1)) folders.add(file.path.slice(0, at));
  for (const folder of [...folders].sort()) volume.mkdir(folder);
  for (const file of files) placeFile(volume, meta, data, file);
  volume.unmount();
  return new CardImage(PARTITION_START + bootSize, bootSize, meta, data);
}

function partitionStore(meta: SectorMap, bootSize: number): SectorStore {
  const first = PARTITION_START / SECTOR;
  return {
    sectorCount: bootSize / SECTOR,
    read: (sector, count, into) => meta.read(first + sector, count, into),
    write: (sector, bytes) => meta.write(first + sector, bytes),
  };
}

function placeFile(volume: FatVolume, meta: SectorMap, data: DataExtent[], file: CardFile): void {
  if (file.size < DIRECT_MIN) {
    volume.writeFile(file.path, file.chunks);
    return;
  }
  const lastStart = Math.floor((file.size - 1) / SECTOR) * SECTOR;
  const { first, last } = volume.createContiguous(
    file.path,
    file.size,
    sliceOf(file.chunks, 0, SECTOR),
    sliceOf(file.chunks, lastStart, file.size),
  );
  const base = PARTITION_START / SECTOR;
  // The two sectors FatFs wrote to find the place: the extent below carries the same bytes.
  meta.delete(base + first);
  meta.delete(base + last);
  const padding = (SECTOR - (file.size % SECTOR)) % SECTOR;
  const chunks = padding ? [...file.chunks, Buffer.alloc(padding)] : file.chunks;
  data.push({ offset: (base + first) * SECTOR, length: file.size + padding, chunks });
}

/** Bytes [from, to) of a file given as chunks, copied into one buffer. */
function sliceOf(chunks: readonly Buffer[], from: number, to: number): Buffer {
  const out = Buffer.alloc(to - from);
  let position = 0;
  for (const chunk of chunks) {
    const end = position + chunk.length;
    if (end > from && position < to) {
      const start = Math.max(from, position);
      chunk.copy(out, start - from, start - position, Math.min(to, end) - position);
    }
    position = end;
    if (position >= to) break;
  }
  return out;
}

/** A stable disk signature for a host's card (the MBR's 32-bit id; Linux shows it in PARTUUID). */
export function diskSignatureFor(hostname: string): number {
  return crc32(Buffer.from(`pi-cluster:${hostname}`)) || 1;
}
