import * as FatFs from 'js-fatfs';
import { SECTOR } from './sectors.js';

/** What FatFs reads and writes through: sectors of one partition (sector 0 = the partition's first). */
export interface SectorStore {
  readonly sectorCount: number;
  read(sector: number, count: number, into: Uint8Array): void;
  write(sector: number, data: Uint8Array): void;
}

/** A FatFs result code that is not FR_OK, with the operation and path that produced it. */
export class FatError extends Error {
  constructor(
    readonly code: number,
    readonly operation: string,
    readonly path = '',
  ) {
    super(`FatFs ${operation}${path ? ` ${path}` : ''} failed: ${FAT_ERRORS[code] ?? `error ${code}`}`);
    this.name = 'FatError';
  }
}

const FAT_ERRORS: Record<number, string> = {
  [FatFs.FR_DISK_ERR]: 'disk error',
  [FatFs.FR_INT_ERR]: 'internal error',
  [FatFs.FR_NO_FILE]: 'no such file',
  [FatFs.FR_NO_PATH]: 'no such folder',
  [FatFs.FR_INVALID_NAME]: 'name not allowed on FAT',
  [FatFs.FR_DENIED]: 'no room (the boot partition is full)',
  [FatFs.FR_EXIST]: 'exists already (FAT names ignore case)',
  [FatFs.FR_NO_FILESYSTEM]: 'no FAT file system',
  [FatFs.FR_MKFS_ABORTED]: 'the partition is too small for FAT32',
  [FatFs.FR_NOT_ENOUGH_CORE]: 'out of memory',
  [FatFs.FR_INVALID_PARAMETER]: 'invalid parameter',
};

const CHUNK = 4 * 2 ** 20;

function check(code: number, operation: string, path?: string): void {
  if (code !== FatFs.FR_OK) throw new FatError(code, operation, path);
}

export interface FatEntry {
  path: string;
  isDirectory: boolean;
  size: number;
}

/**
 * One FAT volume served by a SectorStore, through ChaN's FatFs compiled to WebAssembly.
 * No mount, no root, same on Linux and macOS. One instance per volume (js-fatfs `create` makes a
 * fresh WebAssembly instance each time).
 */
export class FatVolume {
  private fatfs = 0;
  /** While set, writes are also recorded here (used to learn where FatFs put a file's first sector). */
  private recorder?: Array<{ sector: number; count: number }>;

  private constructor(
    private readonly ff: FatFs.FatFs,
    private readonly store: SectorStore,
  ) {}

  static async open(store: SectorStore): Promise<FatVolume> {
    const watch: { volume?: FatVolume } = {};
    const diskio: FatFs.DiskIO = {
      initialize: () => 0,
      status: () => 0,
      read: (ff, _drive, buff, sector, count) => {
        if (sector + count > store.sectorCount) return FatFs.RES_PARERR;
        store.read(sector, count, ff.HEAPU8.subarray(buff, buff + count * SECTOR));
        return FatFs.RES_OK;
      },
      write: (ff, _drive, buff, sector, count) => {
        if (sector + count > store.sectorCount) return FatFs.RES_PARERR;
        store.write(sector, ff.HEAPU8.subarray(buff, buff + count * SECTOR));
        watch.volume?.recorder?.push({ sector, count });
        return FatFs.RES_OK;
      },
      ioctl: (ff, _drive, cmd, buff) => {
        switch (cmd) {
          case FatFs.CTRL_SYNC:
            return FatFs.RES_OK;
          case FatFs.GET_SECTOR_COUNT:
            ff.setValue(buff, store.sectorCount, 'i32');
            return FatFs.RES_OK;
          case FatFs.GET_SECTOR_SIZE:
            ff.setValue(buff, SECTOR, 'i16');
            return FatFs.RES_OK;
          case FatFs.GET_BLOCK_SIZE:
            ff.setValue(buff, 1, 'i32');
            return FatFs.RES_OK;
          default:
            return FatFs.RES_PARERR;
        }
      },
    };
    watch.volume = new FatVolume(await FatFs.create({ diskio }), store);
    return watch.volume;
  }

  /**
   * Formats the whole store as FAT32 without a partition table of its own (FM_SFD: the MBR is ours).
   * `alignSectors` aligns the data area (SD cards like 1 MiB or 4 MiB boundaries).
   */
  format(alignSectors: number): void {
    const workSize = 2 ** 20;
    const work = this.ff.malloc(workSize);
    try {
      check(
        this.ff.f_mkfs('', { fmt: FatFs.FM_FAT32 | FatFs.FM_SFD, n_fat: 2, align: alignSectors, n_root: 0, au_size: 0 }, work, workSize),
        'format',
      );
    } finally {
      this.ff.free(work);
    }
  }

  mount(): void {
    this.fatfs = this.ff.malloc(FatFs.sizeof_FATFS);
    check(this.ff.f_mount(this.fatfs, '', 1), 'mount');
  }

  unmount(): void {
    if (!this.fatfs) return;
    check(this.ff.f_unmount(''), 'unmount');
    this.ff.free(this.fatfs);
    this.fatfs = 0;
  }

  mkdir(path: string): void {
    check(this.ff.f_mkdir(`/${path}`), 'mkdir', path);
  }

  /** Writes a file through FatFs (data is copied into the WebAssembly heap). Fine for small files. */
  writeFile(path: string, chunks: readonly Uint8Array[]): void {
    this.withFile(path, FatFs.FA_WRITE | FatFs.FA_CREATE_NEW, (fil) => {
      const bw = this.ff.malloc(4);
      const heap = this.ff.malloc(CHUNK);
      try {
        for (const chunk of chunks) {
          for (let at = 0; at < chunk.length; at += CHUNK) {
            const piece = chunk.subarray(at, at + CHUNK);
            this.ff.HEAPU8.set(piece, heap);
            check(this.ff.f_write(fil, heap, piece.length, bw), 'write', path);
            if (this.ff.getValue(bw, 'i32') !== piece.length) throw new FatError(FatFs.FR_DENIED, 'write', path);
          }
        }
      } finally {
        this.ff.free(heap);
        this.ff.free(bw);
      }
    });
  }

  /**
   * Creates a file of `size` bytes and returns its first sector, writing through FatFs only its first
   * and last sector: the caller places the data itself (no copy through the WebAssembly heap, and the
   * writer sends it in large sequential writes). FatFs writes the FAT chain and the directory entry.
   * Seeking past the end in write mode grows the cluster chain without writing data; on a fresh volume
   * FatFs allocates clusters in order, and this is checked: the last sector must land exactly
   * `size` bytes after the first. Where the sectors land is learnt by watching FatFs's writes, which
   * depends on no FatFs struct layout. `head` is the first 512 bytes, `tail` the bytes of the last sector.
   */
  createContiguous(path: string, size: number, head: Uint8Array, tail: Uint8Array): { first: number; last: number } {
    const lastStart = Math.floor((size - 1) / SECTOR) * SECTOR;
    if (size <= SECTOR || head.length !== SECTOR || tail.length !== size - lastStart)
      throw new Error('createContiguous needs more than one sector');
    let first = -1;
    let last = -1;
    this.withFile(path, FatFs.FA_WRITE | FatFs.FA_CREATE_NEW, (fil) => {
      const heap = this.ff.malloc(SECTOR);
      const bw = this.ff.malloc(4);
      try {
        first = this.watchWrites(head, () => {
          this.ff.HEAPU8.set(head, heap);
          check(this.ff.f_write(fil, heap, SECTOR, bw), 'write', path);
        });
        check(this.ff.f_lseek(fil, lastStart), 'grow', path);
        if (this.ff.f_tell(fil) !== lastStart) throw new FatError(FatFs.FR_DENIED, 'grow', path);
        last = this.watchWrites(tail, () => {
          this.ff.HEAPU8.set(tail, heap);
          check(this.ff.f_write(fil, heap, tail.length, bw), 'write', path);
          if (this.ff.getValue(bw, 'i32') !== tail.length) throw new FatError(FatFs.FR_DENIED, 'write', path);
          check(this.ff.f_sync(fil), 'sync', path);
        });
      } finally {
        this.ff.free(bw);
        this.ff.free(heap);
      }
    });
    if (first < 0 || last < 0) throw new Error(`FatFs did not write ${path} where expected (internal error)`);
    if (last - first !== lastStart / SECTOR) throw new Error(`FatFs did not place ${path} on contiguous clusters (internal error)`);
    return { first, last };
  }

  /** Runs `write` and returns the sector among those it wrote that starts with `expected`. */
  private watchWrites(expected: Uint8Array, write: () => void): number {
    this.recorder = [];
    try {
      write();
      const probe = Buffer.alloc(SECTOR);
      for (const { sector, count } of this.recorder) {
        for (let i = 0; i < count; i++) {
          this.store.read(sector + i, 1, probe);
          if (probe.subarray(0, expected.length).equals(expected)) return sector + i;
        }
      }
      return -1;
    } finally {
      this.recorder = undefined;
    }
  }

  /** Every file and folder, depth first, paths relative to the root without a leading slash. */
  list(): FatEntry[] {
    const entries: FatEntry[] = [];
    const dir = this.ff.malloc(FatFs.sizeof_DIR);
    const info = this.ff.malloc(FatFs.sizeof_FILINFO);
    const walk = (path: string) => {
      check(this.ff.f_opendir(dir, `/${path}`), 'opendir', path);
      const children: FatEntry[] = [];
      for (;;) {
        check(this.ff.f_readdir(dir, info), 'readdir', path);
        const name = this.ff.FILINFO_fname(info);
        if (name === '') break;
        const isDirectory = (this.ff.FILINFO_fattrib(info) & FatFs.AM_DIR) !== 0;
        children.push({ path: path ? `${path}/${name}` : name, isDirectory, size: this.ff.FILINFO_fsize(info) });
      }
      check(this.ff.f_closedir(dir), 'closedir', path);
      for (const child of children) {
        entries.push(child);
        if (child.isDirectory) walk(child.path);
      }
    };
    try {
      walk('');
    } finally {
      this.ff.free(info);
      this.ff.free(dir);
    }
    return entries;
  }

  readFile(path: string): Buffer {
    let result = Buffer.alloc(0);
    this.withFile(path, FatFs.FA_READ, (fil) => {
      const size = this.ff.f_size(fil);
      result = Buffer.allocUnsafe(size);
      const heap = this.ff.malloc(CHUNK);
      const br = this.ff.malloc(4);
      try {
        for (let at = 0; at < size;) {
          check(this.ff.f_read(fil, heap, Math.min(CHUNK, size - at), br), 'read', path);
          const got = this.ff.getValue(br, 'i32');
          if (got <= 0) throw new FatError(FatFs.FR_INT_ERR, 'read', path);
          result.set(this.ff.HEAPU8.subarray(heap, heap + got), at);
          at += got;
        }
      } finally {
        this.ff.free(br);
        this.ff.free(heap);
      }
    });
    return result;
  }

  private withFile(path: string, mode: number, use: (fil: number) => void): void {
    const fil = this.ff.malloc(FatFs.sizeof_FIL);
    try {
      check(this.ff.f_open(fil, `/${path}`, mode), 'open', path);
      try {
        use(fil);
      } finally {
        check(this.ff.f_close(fil), 'close', path);
      }
    } finally {
      this.ff.free(fil);
    }
  }
}
