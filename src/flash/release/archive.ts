import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { UserError } from '../../errors.js';
import type { Reporter } from '../../events.js';
import { readDiskImageFiles } from './disk-image.js';

/** One file of a release, as chunks (kept as read: no copy until it is written to a card). */
export interface ReleaseFile {
  path: string;
  size: number;
  chunks: Buffer[];
}

export interface ReleaseContents {
  files: ReleaseFile[];
  /** Every folder, including empty ones. */
  directories: string[];
  /** sha256 of the archive file as read (hex). */
  sha256: string;
  form: 'tar.gz' | 'img.gz';
}

const READ_CHUNK = 2 ** 20;

/**
 * Reads a release archive in one pass: the file is hashed while it is decompressed (the hash on the
 * main thread, inflate on libuv's pool), and nothing is written anywhere. Takes the Alpine
 * `alpine-rpi-*.tar.gz` tarball or the `*.img.gz` disk image (MBR + one FAT partition).
 * Truncated or corrupt archives end in a UserError naming the file.
 */
export async function readReleaseArchive(path: string, report: Reporter = () => {}): Promise<ReleaseContents> {
  const total = (await stat(path)).size;
  const hash = createHash('sha256');
  let done = 0;
  let lastReport = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      done += chunk.length;
      if (done - lastReport >= 8 * READ_CHUNK || done === total) {
        lastReport = done;
        report({ kind: 'progress', step: 'compose', done, total, unit: 'bytes' });
      }
      callback(null, chunk);
    },
  });
  report({ kind: 'progress', step: 'compose', done: 0, total, unit: 'bytes' });
  const gunzip = createGunzip({ chunkSize: READ_CHUNK });
  const name = basename(path);
  const sniff = new FormSniffer(name);
  try {
    const sink = sniff.sink();
    await pipeline(createReadStream(path, { highWaterMark: READ_CHUNK }), tap, gunzip, sink);
  } catch (error) {
    throw archiveError(name, error);
  }
  const sha256 = hash.digest('hex');
  if (sniff.form === 'img.gz') {
    try {
      const { files, directories } = await readDiskImageFiles(sniff.imageChunks, name);
      return { files, directories, sha256, form: 'img.gz' };
    } catch (error) {
      throw archiveError(name, error);
    }
  }
  return { files: sniff.files, directories: [...sniff.directories].sort(), sha256, form: 'tar.gz' };
}

/**
 * Decides from the first decompressed bytes whether this is a tarball ("ustar" at offset 257) or a
 * disk image (anything else ending its first sector in 55 AA), then collects accordingly.
 */
class FormSniffer {
  form: 'tar.gz' | 'img.gz' | undefined;
  readonly files: ReleaseFile[] = [];
  readonly directories = new Set<string>();
  readonly imageChunks: Buffer[] = [];

  constructor(private readonly name: string) {}

  sink(): Transform {
    let head = Buffer.alloc(0);
    let extract: tar.Extract | undefined;
    let extractDone: Promise<void> | undefined;
    const forward = (chunk: Buffer, callback: (error?: Error | null) => void) => {
      if (this.form === 'img.gz') {
        this.imageChunks.push(chunk);
        callback();
      } else if (extract) {
        if (extract.write(chunk)) callback();
        else extract.once('drain', () => callback());
      }
    };
    const transform: Transform = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        if (this.form) return forward(chunk, callback);
        head = Buffer.concat([head, chunk]);
        if (head.length < 512) return callback();
        if (head.toString('latin1', 257, 262) === 'ustar') {
          this.form = 'tar.gz';
          extract = tar.extract();
          extractDone = this.collect(extract);
          // A bad header ends the reader; stop the writer too instead of waiting for a 'drain' that never comes.
          extractDone.catch((error: Error) => transform.destroy(error));
        } else if (head[510] === 0x55 && head[511] === 0xaa) {
          this.form = 'img.gz';
        } else {
          return callback(
            new UserError(`${this.name} is neither a tar archive nor a disk image inside its gzip`, {
              hint: 'pass an Alpine Raspberry Pi release (alpine-rpi-<version>-aarch64.tar.gz or .img.gz)',
            }),
          );
        }
        forward(head, callback);
      },
      flush: (callback) => {
        if (!this.form)
          return callback(
            new UserError(`${this.name} is empty or truncated (${head.length} bytes after decompression)`, {
              hint: 'download it again, or pass another --image',
            }),
          );
        if (!extract) return callback();
        extract.end(Buffer.alloc(0));
        (extractDone as Promise<void>).then(
          () => callback(),
          (error: Error) => callback(error),
        );
      },
    });
    return transform;
  }

  private async collect(extract: tar.Extract): Promise<void> {
    const links: Array<{ path: string; target: string }> = [];
    const byPath = new Map<string, ReleaseFile>();
    for await (const entry of extract) {
      const path = normalizeEntryPath(entry.header.name, this.name);
      const type = entry.header.type ?? 'file';
      if (type === 'directory') {
        if (path) this.directories.add(path);
        entry.resume();
        continue;
      }
      if (type === 'file' || type === 'contiguous-file') {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of entry) {
          chunks.push(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
        if (size !== (entry.header.size ?? size))
          throw new UserError(`${this.name} is truncated (${path} is cut short)`, { hint: 'download it again, or pass another --image' });
        const file = { path, size, chunks };
        byPath.set(path, file);
        this.files.push(file);
        continue;
      }
      entry.resume();
      if ((type === 'symlink' || type === 'link') && entry.header.linkname) {
        links.push({
          path,
          target: type === 'link' ? normalizeEntryPath(entry.header.linkname, this.name) : resolveSymlink(path, entry.header.linkname),
        });
        continue;
      }
      throw new UserError(`${this.name} holds ${path}, a ${type}: a FAT boot partition cannot hold that`, {
        hint: 'pass an Alpine Raspberry Pi release (alpine-rpi-<version>-aarch64.tar.gz)',
      });
    }
    // FAT has no links: a link becomes a copy of the file it points to.
    for (const link of links) {
      const target = byPath.get(link.target);
      if (!target)
        throw new UserError(`${this.name} holds a link ${link.path} -> ${link.target} that points outside the release`, {
          hint: 'pass an Alpine Raspberry Pi release (alpine-rpi-<version>-aarch64.tar.gz)',
        });
      this.files.push({ path: link.path, size: target.size, chunks: target.chunks });
    }
    for (const file of this.files)
      for (let at = file.path.indexOf('/'); at > 0; at = file.path.indexOf('/', at + 1)) this.directories.add(file.path.slice(0, at));
  }
}

/** `./boot/x` -> `boot/x`; refuses absolute paths and `..` so nothing lands outside the card. */
export function normalizeEntryPath(name: string, archive: string): string {
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (name.startsWith('/') || parts.includes('..'))
    throw new UserError(`${archive} holds an unsafe path ${JSON.stringify(name)}`, {
      hint: 'pass an Alpine Raspberry Pi release (alpine-rpi-<version>-aarch64.tar.gz)',
    });
  return parts.join('/');
}

function resolveSymlink(path: string, target: string): string {
  if (target.startsWith('/')) return normalizeEntryPath(target.slice(1), '');
  const dir = path.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '..') dir.pop();
    else if (part !== '.' && part !== '') dir.push(part);
  }
  return dir.join('/');
}

function archiveError(name: string, error: unknown): Error {
  if (error instanceof UserError) return error;
  const err = error as NodeJS.ErrnoException;
  const message = String(err?.message ?? error);
  const hint = 'download it again (the cached copy is checked against its .sha256), or pass another --image';
  if (err?.code === 'ENOENT') return new UserError(`${name} does not exist`, { hint: 'check the --image path', cause: error });
  if (err?.code === 'Z_BUF_ERROR' || /unexpected end|end of data|truncated/i.test(message)) {
    return new UserError(`${name} is truncated (the archive ends early)`, { hint, cause: error });
  }
  if (err?.code?.startsWith?.('Z_') || /incorrect header|invalid|checksum|data check/i.test(message)) {
    return new UserError(`${name} is corrupt (${message.split('\n')[0]})`, { hint, cause: error });
  }
  return error instanceof Error ? error : new Error(message);
}
