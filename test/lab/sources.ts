// Files of the lab that are data, not code (boot script, root file system recipe): they stay in
// the source tree, next to this code's TypeScript, because tsc copies only what it compiles.
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

export function labSourcePath(...parts: string[]): string {
  return join(packageRoot(), 'test', 'lab', ...parts);
}
