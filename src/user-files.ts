import { statSync } from 'node:fs';

/**
 * Why a file the user named (a key, a config, an image, a snapshot) cannot be read as a file, as the
 * end of a sentence that starts with the path: "does not exist", "is a folder, not a file", ...
 * undefined when it is a readable regular file. Read errors of user-named paths are user errors.
 */
export function userFileProblem(path: string): string | undefined {
  let info;
  try {
    info = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist';
    if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
    return `cannot be read (${code ?? (error as Error).message})`;
  }
  if (info.isDirectory()) return 'is a folder, not a file';
  if (!info.isFile()) return 'is not a regular file';
  return undefined;
}
