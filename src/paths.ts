import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/** The pi-cluster package folder (holds overlays/, ansible/, terraform/), from a clone or an install. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'pi-cluster') {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('pi-cluster: cannot find the package folder (no package.json named pi-cluster above the code)');
    dir = parent;
  }
}

export function packageVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version as string;
}

/** Where a project keeps its run state, logs, kubeconfig and known hosts: `.pi-cluster/` in the working directory. */
export function stateDir(cwd = process.cwd()): string {
  return join(cwd, '.pi-cluster');
}
