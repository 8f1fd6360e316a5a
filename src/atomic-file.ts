import { randomBytes } from 'node:crypto';
import { mkdir, open, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** The file's mode, exactly (no umask). Default: the mode of the file it replaces, else 0644. */
  mode?: number;
}

/**
 * Writes a file of this machine so that readers see the old content or the new, never half, and a crash
 * right after keeps the new: a temporary file in the same folder, written and fsync'd, renamed over the
 * target, then the folder fsync'd (the rename itself is on disk). The temporary file is removed on failure.
 * A symbolic link is followed: the file it points at is replaced and the link stays (a `~/.kube/config`
 * or `pi-hosts` kept in a dotfiles repository and linked into place must not become a plain copy).
 */
export async function writeFileAtomic(target: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const path = await realpath(target).catch(() => target);
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const mode =
    options.mode ??
    (await stat(path).then(
      (info) => info.mode & 0o7777,
      () => 0o644,
    ));
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx', mode);
    await handle.chmod(mode);
    await handle.writeFile(content);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, path);
  } catch (error) {
    await handle?.close().catch(() => {});
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(folder);
}

/** fsync of a folder, so a rename in it survives a crash; where folders cannot be opened (Windows) it is skipped. */
async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(folder, 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}
