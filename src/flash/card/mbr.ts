import { SECTOR } from './sectors.js';

/** FAT32 with LBA addressing: what the Raspberry Pi firmware reads its boot files from. */
export const PARTITION_TYPE_FAT32_LBA = 0x0c;

export interface PartitionEntry {
  index: number;
  type: string;
  start: number;
  size: number;
}

export interface PartitionTable {
  scheme: 'mbr' | 'gpt' | 'none';
  partitions: PartitionEntry[];
}

/**
 * The MBR of a card: one primary partition, FAT32 (LBA), from `startSector` for `sectorCount`.
 * The disk signature comes from the caller so the same card is the same bytes.
 */
export function buildMbr(startSector: number, sectorCount: number, diskSignature: number): Buffer {
  const mbr = Buffer.alloc(SECTOR);
  mbr.writeUInt32LE(diskSignature >>> 0, 440);
  const entry = 446;
  mbr[entry] = 0x00; // not "active": the Pi firmware does not look at it
  // CHS fields are meaningless on cards this size; 0xFE/0xFFFF is the conventional "use LBA" marker.
  mbr.set([0xfe, 0xff, 0xff], entry + 1);
  mbr[entry + 4] = PARTITION_TYPE_FAT32_LBA;
  mbr.set([0xfe, 0xff, 0xff], entry + 5);
  mbr.writeUInt32LE(startSector, entry + 8);
  mbr.writeUInt32LE(sectorCount, entry + 12);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  return mbr;
}

/**
 * Reads the partition table from the first sectors of a disk (MBR, or GPT behind a protective MBR).
 * `head` must hold at least the first 34 sectors for GPT entries to be seen.
 */
export function parsePartitionTable(head: Buffer): PartitionTable {
  if (head.length < SECTOR || head[510] !== 0x55 || head[511] !== 0xaa) return { scheme: 'none', partitions: [] };
  const mbrEntries: PartitionEntry[] = [];
  for (let i = 0; i < 4; i++) {
    const at = 446 + i * 16;
    const type = head[at + 4];
    const start = head.readUInt32LE(at + 8);
    const size = head.readUInt32LE(at + 12);
    if (type !== 0 && size > 0) mbrEntries.push({ index: i + 1, type: `0x${type.toString(16).padStart(2, '0')}`, start, size });
  }
  if (mbrEntries.length === 1 && mbrEntries[0].type === '0xee') return { scheme: 'gpt', partitions: parseGptEntries(head) };
  // A FAT boot sector also ends in 55AA; a "partition table" made of its code bytes has no sane entries.
  if (mbrEntries.some((p) => p.start === 0)) return { scheme: 'none', partitions: [] };
  return { scheme: 'mbr', partitions: mbrEntries };
}

function parseGptEntries(head: Buffer): PartitionEntry[] {
  const header = head.subarray(SECTOR, 2 * SECTOR);
  if (header.length < 92 || header.toString('latin1', 0, 8) !== 'EFI PART') return [];
  const entriesLba = Number(header.readBigUInt64LE(72));
  const count = header.readUInt32LE(80);
  const entrySize = header.readUInt32LE(84);
  const partitions: PartitionEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = entriesLba * SECTOR + i * entrySize;
    if (at + 128 > head.length) break;
    const typeGuid = head.subarray(at, at + 16);
    if (typeGuid.every((b) => b === 0)) continue;
    const first = Number(head.readBigUInt64LE(at + 32));
    const last = Number(head.readBigUInt64LE(at + 40));
    partitions.push({ index: i + 1, type: formatGuid(typeGuid), start: first, size: last - first + 1 });
  }
  return partitions;
}

function formatGuid(bytes: Buffer): string {
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = [...bytes.subarray(from, to)];
    return (reverse ? part.reverse() : part).map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}
