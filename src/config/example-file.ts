/** pi-cluster.yaml as `pi-cluster init` writes it: the commented example shipped with the package. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { UserError } from '../errors.js';
import { packageRoot } from '../paths.js';

export function exampleConfigText(): Promise<string> {
  return readFile(join(packageRoot(), 'src', 'config', 'pi-cluster.example.yaml'), 'utf8');
}

/**
 * Writes the commented starting config to `target` (an absolute path); never replaces an existing file
 * unless `force`, and then keeps the old one as `<target>.bak`.
 */
export async function writeExampleConfig(target: string, force: boolean): Promise<void> {
  const text = await exampleConfigText();
  if (existsSync(target) && !force) {
    throw new UserError(`${target} already exists; not overwriting it`, {
      hint: 'edit it, or pass --force to replace it (the old one is kept as .bak)',
    });
  }
  await mkdir(dirname(target), { recursive: true });
  if (existsSync(target)) await rename(target, `${target}.bak`);
  await writeFileAtomic(target, text, { mode: 0o644 });
}
