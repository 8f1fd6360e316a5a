import { constants } from 'node:fs';
import { copyFile, lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { MAX_BATCH } from '../card/plan.js';
import { ejectDrive, runTool, unmountDrive, type RunTool } from '../drives/platform.js';
import type { Drive } from '../drives/scan.js';

/**
 * Where a card goes: an image file or a drive. The writer calls prepare, write..., flush,
 * startVerify, read..., then finish; abort on any failure.
 */
export interface Destination {
  /** What the user called it: the file name or the device path. */
  readonly label: string;
  /** Size of the target in bytes when it has one of its own (a drive); image files are sized to the card. */
  readonly size?: number;
  /** Said after a failure: what state the target is left in. */
  readonly failureNote: string;
  prepare(cardSize: number): Promise<void>;
  /**
   * Instead of prepare, when the target can be made as a copy of a file (an image file): the target
   * then holds `source`, and zeros up to `cardSize`, before the first write. Resolves to the time
   * (performance.now()) the copy began. Done once: later calls get the first call's promise.
   */
  prepareCopy?(cardSize: number, source: string): Promise<number>;
  /** Writes `buffers` (at most MAX_BATCH bytes) at `offset`. */
  write(offset: number, buffers: Buffer[]): Promise<void>;
  flush(): Promise<void>;
  startVerify(): Promise<void>;
  /** Reads `length` bytes (at most MAX_BATCH) back; the buffer is only valid until the next call. */
  read(offset: number, length: number): Promise<Buffer>;
  /** Returns a note for the user (e.g. "ejected"). */
  finish(): Promise<string | undefined>;
  abort(): Promise<void>;
}

/** Writes all of `buffers` at `position`, however many calls it takes. */
async function writeFully(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers;
  let at = position;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending, at);
    if (bytesWritten <= 0) throw Object.assign(new Error('the target accepted no more data'), { code: 'ENOSPC' });
    at += bytesWritten;
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const buffer of pending) {
      if (skip >= buffer.length) skip -= buffer.length;
      else {
        rest.push(skip ? buffer.subarray(skip) : buffer);
        skip = 0;
      }
    }
    pending = rest;
  }
}

async function readFully(handle: FileHandle, into: Buffer, length: number, position: number): Promise<void> {
  for (let done = 0; done < length;) {
    const { bytesRead } = await handle.read(into, done, length - done, position + done);
    if (bytesRead <= 0) throw new Error(`read back ended early at byte ${position + done}`);
    done += bytesRead;
  }
}

/**
 * An image file. Written to a hidden temporary file beside it (sparse: only the card's pieces
 * are written, or copied) and renamed into place only once written and verified, so a failure leaves
 * no partial image behind. An existing file is replaced only with --force.
 */
export class FileDestination implements Destination {
  readonly label: string;
  readonly failureNote = 'nothing was written (the temporary file was removed)';
  private readonly path: string;
  private temporary = '';
  private handle?: FileHandle;
  private buffer?: Buffer;
  private copying?: Promise<number>;

  constructor(
    path: string,
    private readonly force: boolean,
  ) {
    this.path = resolve(path);
    this.label = path;
  }

  /**
   * Cheap checks, run for every target before any download or compose: they write nothing but a probe
   * file beside the output, removed at once (a folder can refuse new files although it exists: /proc).
   */
  async check(): Promise<void> {
    const existing = await lstat(this.path).catch(() => undefined);
    if (existing?.isBlockDevice() || existing?.isCharacterDevice()) {
      throw new UserError(`--output ${this.label} is a device, not a file`, { hint: `to write a drive, use --device ${this.label}` });
    }
    if (existing?.isDirectory())
      throw new UserError(`--output ${this.label} is a folder`, { hint: 'give a file name, e.g. --output pi0.img' });
    if (existing && !existing.isFile())
      throw new UserError(`--output ${this.label} exists and is not a regular file`, { hint: 'give another file name' });
    if (existing && !this.force)
      throw new UserError(`--output ${this.label} exists already`, { hint: 'pass --force to replace it, or give another file name' });
    const parent = await lstat(dirname(this.path)).catch(() => undefined);
    if (!parent?.isDirectory())
      throw new UserError(`cannot write ${this.label}: the folder ${dirname(this.path)} does not exist`, {
        hint: 'create the folder first, or give another path',
      });
    const probe = join(dirname(this.path), `.${basename(this.path)}.probe-${process.pid}`);
    try {
      await (await open(probe, 'wx')).close();
    } catch (error) {
      throw unwritable(this.label, error);
    } finally {
      await rm(probe, { force: true });
    }
  }

  async prepare(cardSize: number): Promise<void> {
    await this.create(cardSize, () => open(this.temporary, 'wx+', 0o644));
  }

  /**
   * The copy is made in the kernel: a clone sharing the source's blocks where the file system can
   * (Btrfs, XFS, APFS), else copy_file_range (Linux) or its like, never through this process.
   */
  prepareCopy(cardSize: number, source: string): Promise<number> {
    this.copying ??= (async () => {
      const started = performance.now();
      await this.create(cardSize, async () => {
        await copyFile(source, this.temporary, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
        return open(this.temporary, 'r+');
      });
      return started;
    })();
    return this.copying;
  }

  private async create(cardSize: number, make: () => Promise<FileHandle>): Promise<void> {
    await this.check();
    this.temporary = join(dirname(this.path), `.${basename(this.path)}.partial-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    try {
      this.handle = await make();
      await this.handle.truncate(cardSize);
    } catch (error) {
      await this.remove();
      throw unwritable(this.label, error);
    }
  }

  async write(offset: number, buffers: Buffer[]): Promise<void> {
    try {
      await writeFully(this.handle as FileHandle, buffers, offset);
    } catch (error) {
      throw unwritable(this.label, error);
    }
  }

  async flush(): Promise<void> {
    await (this.handle as FileHandle).sync();
  }

  async startVerify(): Promise<void> {}

  async read(offset: number, length: number): Promise<Buffer> {
    this.buffer ??= Buffer.allocUnsafe(MAX_BATCH); // only when verifying
    await readFully(this.handle as FileHandle, this.buffer, length, offset);
    return this.buffer.subarray(0, length);
  }

  async finish(): Promise<string | undefined> {
    await this.handle?.close();
    this.handle = undefined;
    await rename(this.temporary, this.path);
    return undefined;
  }

  async abort(): Promise<void> {
    await this.copying?.catch(() => {}); // a copy started early may still be running
    await this.remove();
  }

  private async remove(): Promise<void> {
    await this.handle?.close().catch(() => {});
    this.handle = undefined;
    if (this.temporary) await rm(this.temporary, { force: true });
  }
}

/**
 * A drive. Its file systems are unmounted first and it is opened exclusively (Linux: O_EXCL on a
 * block device fails while anything has it mounted or open exclusively). Flushed at the end, then
 * read back through a fresh, unbuffered handle (O_DIRECT on Linux) so the verify reads the card, not
 * the page cache; finally ejected when removable.
 */
export class DeviceDestination implements Destination {
  readonly label: string;
  readonly size: number;
  readonly failureNote: string;
  private handle?: FileHandle;
  private readBuffer: Buffer;

  constructor(
    private readonly drive: Drive,
    private readonly run: RunTool = runTool,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.label = drive.device;
    this.size = drive.size ?? 0;
    this.failureNote = `${drive.device} is now half-written and will not boot: flash it again before using it`;
    this.readBuffer = alignedBuffer(MAX_BATCH);
  }

  async prepare(): Promise<void> {
    await unmountDrive(this.drive, this.run, this.platform);
    const exclusive = this.platform === 'linux' ? constants.O_EXCL : 0;
    try {
      this.handle = await open(this.drive.raw, constants.O_RDWR | exclusive);
    } catch (error) {
      throw deviceOpenError(this.drive.device, error);
    }
  }

  async write(offset: number, buffers: Buffer[]): Promise<void> {
    await writeFully(this.handle as FileHandle, buffers, offset);
  }

  async flush(): Promise<void> {
    await (this.handle as FileHandle).sync();
  }

  async startVerify(): Promise<void> {
    // Closing the last handle drops the drive's cached pages on Linux; O_DIRECT then bypasses the cache.
    await this.handle?.close();
    this.handle = undefined;
    const direct = this.platform === 'linux' ? (constants.O_DIRECT ?? 0) : 0;
    try {
      this.handle = await open(this.drive.raw, constants.O_RDONLY | direct);
      await this.handle.read(this.readBuffer, 0, 4096, 0);
    } catch {
      await this.handle?.close().catch(() => {});
      this.handle = await open(this.drive.raw, constants.O_RDONLY);
    }
  }

  async read(offset: number, length: number): Promise<Buffer> {
    try {
      await readFully(this.handle as FileHandle, this.readBuffer, length, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      // A drive with larger logical sectors refuses this O_DIRECT read: read through the (dropped) cache.
      await this.handle?.close().catch(() => {});
      this.handle = await open(this.drive.raw, constants.O_RDONLY);
      await readFully(this.handle, this.readBuffer, length, offset);
    }
    return this.readBuffer.subarray(0, length);
  }

  async finish(): Promise<string | undefined> {
    await this.handle?.close();
    this.handle = undefined;
    return ejectDrive(this.drive, this.run, this.platform);
  }

  async abort(): Promise<void> {
    await this.handle?.close().catch(() => {});
    this.handle = undefined;
  }
}

/**
 * A buffer whose memory starts on a 64 KiB boundary, as O_DIRECT needs. WebAssembly memories are
 * page-aligned allocations, which Node's own buffers are not guaranteed to be.
 */
function alignedBuffer(size: number): Buffer {
  const pages = Math.ceil(size / 65536);
  return Buffer.from(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer, 0, size);
}

function deviceOpenError(device: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EBUSY')
    return new UserError(`${device} is busy: something still has it mounted or open`, {
      hint: 'close programs using the card, unmount it, and try again',
      cause: error,
    });
  if (code === 'EACCES' || code === 'EPERM')
    return new UserError(`no permission to write ${device}`, {
      hint: 'run pi-cluster flash with sudo (writing a drive needs root), or write an image file with --output',
      cause: error,
    });
  if (code === 'ENOENT' || code === 'ENXIO')
    return new UserError(`${device} is gone (was the card removed?)`, { hint: 'insert the card and run again', cause: error });
  if (code === 'EROFS')
    return new UserError(`${device} is read-only`, { hint: "slide the card's lock switch to unlocked and insert it again", cause: error });
  return new UserError(`cannot open ${device}: ${(error as Error).message}`, {
    hint: 'check that the card is inserted and the drive is not in use',
    cause: error,
  });
}

function unwritable(label: string, error: unknown): UserError {
  if (error instanceof UserError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOSPC'
      ? 'the disk is full'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EROFS'
          ? 'the file system is read-only'
          : code === 'ENOENT'
            ? 'its folder does not take new files'
            : (error as Error).message;
  return new UserError(`cannot write ${label}: ${why}`, {
    hint: code === 'ENOSPC' ? 'free some space or write elsewhere' : 'check the folder and its permissions, or give another --output path',
    cause: error,
  });
}
