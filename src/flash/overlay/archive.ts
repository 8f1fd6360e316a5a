import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { OverlayEntry } from './render.js';

/** Every entry gets this time: the same input makes the same bytes (2024-01-01T00:00:00Z). */
export const OVERLAY_MTIME = new Date('2024-01-01T00:00:00Z');

/**
 * Packs overlay entries as Alpine's `lbu` does (a gzip'd ustar, paths without a leading slash),
 * owned by root:root with the given modes. Deterministic: fixed times, sorted entries, and the gzip
 * header's OS byte fixed to Unix (zlib writes another value on macOS).
 */
export async function packOverlay(entries: readonly OverlayEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const entry of entries) {
    const common = { mode: entry.mode, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: OVERLAY_MTIME };
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (entry.type === 'directory') pack.entry({ ...common, name: `${entry.path}/`, type: 'directory' }, done);
      else if (entry.type === 'symlink') pack.entry({ ...common, name: entry.path, type: 'symlink', linkname: entry.target }, done);
      else pack.entry({ ...common, name: entry.path, type: 'file', size: entry.data.length }, entry.data, done);
    });
  }
  pack.finalize();
  await collected;
  const gz = gzipSync(Buffer.concat(chunks), { level: 9 });
  gz[9] = 3; // OS = Unix
  return gz;
}
