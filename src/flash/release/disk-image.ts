import { UserError } from '../../errors.js';
import { FatVolume, type SectorStore } from '../card/fat.js';
import { parsePartitionTable } from '../card/mbr.js';
import { SECTOR } from '../card/sectors.js';
import type { ReleaseFile } from './archive.js';

/** Partition types that hold FAT: 0x01/0x04/0x06 (FAT12/16), 0x0b/0x0c (FAT32), 0x0e (FAT16 LBA). */
const FAT_TYPES = new Set(['0x01', '0x04', '0x06', '0x0b', '0x0c', '0x0e']);

/** Random access over the chunks of a decompressed image, without joining them into one buffer. */
class ChunkedImage {
  private readonly starts: number[] = [];
  readonly length: number;

  constructor(private readonly chunks: Buffer[]) {
    let at = 0;
    for (const chunk of chunks) {
      this.starts.push(at);
      at += chunk.length;
    }
    this.length = at;
  }

  read(offset: number, into: Uint8Array): void {
    into.fill(0);
    let index = this.find(offset);
    let done = 0;
    while (done < into.length && index < this.chunks.length) {
      const chunk = this.chunks[index];
      const from = offset + done - this.starts[index];
      const n = Math.min(chunk.length - from, into.length - done);
      into.set(chunk.subarray(from, from + n), done);
      done += n;
      index++;
    }
  }

  private find(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}

/**
 * Reads every file out of the FAT partition of an Alpine `.img.gz` disk image (already decompressed,
 * as chunks). Alpine's image is an MBR with one FAT partition; a bare FAT volume is accepted too.
 * The files are then composed onto the card like those of the tarball, so both forms give the same
 * layout (our boot size, FAT32, type 0x0c) and the same checks.
 */
export async function readDiskImageFiles(chunks: Buffer[], name: string): Promise<{ files: ReleaseFile[]; directories: string[] }> {
  const image = new ChunkedImage(chunks);
  const head = Buffer.alloc(Math.min(image.length, 34 * SECTOR));
  image.read(0, head);
  const table = parsePartitionTable(head);
  let start = 0;
  let sectors = Math.floor(image.length / SECTOR);
  if (table.scheme !== 'none') {
    const fat = table.partitions.find((p) => FAT_TYPES.has(p.type)) ?? (table.scheme === 'gpt' ? table.partitions[0] : undefined);
    if (!fat) throw new UserError(`${name} has no FAT partition`, { hint: 'pass an Alpine Raspberry Pi release (.tar.gz or .img.gz)' });
    start = fat.start;
    sectors = fat.size;
  }
  if ((start + sectors) * SECTOR > image.length) {
    throw new UserError(`${name} is truncated (its partition ends past the end of the image)`, {
      hint: 'download it again, or pass another --image',
    });
  }
  const store: SectorStore = {
    sectorCount: sectors,
    read: (sector, count, into) => image.read((start + sector) * SECTOR, into.subarray(0, count * SECTOR)),
    write: () => {
      throw new Error('the source image is read only');
    },
  };
  const volume = await FatVolume.open(store);
  try {
    volume.mount();
  } catch {
    throw new UserError(`${name} holds no readable FAT file system`, { hint: 'pass an Alpine Raspberry Pi release (.tar.gz or .img.gz)' });
  }
  const files: ReleaseFile[] = [];
  const directories: string[] = [];
  for (const entry of volume.list()) {
    if (entry.isDirectory) directories.push(entry.path);
    else {
      const data = volume.readFile(entry.path);
      files.push({ path: entry.path, size: data.length, chunks: [data] });
    }
  }
  volume.unmount();
  return { files, directories };
}
