import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import nunjucks from 'nunjucks';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../../paths.js';

/** What the templates in overlays/alpine/files/ may use. */
export interface OverlayVariables {
  hostname: string;
  domain: string;
  interface: string;
  sshPublicKeys: string[];
  alpine: { version: string; branch: string; mirror: string };
  /** Where Alpine mounts the SD card's boot partition. */
  bootMedia: string;
}

export type OverlayEntry =
  | { type: 'directory'; path: string; mode: number }
  | { type: 'file'; path: string; mode: number; data: Buffer }
  | { type: 'symlink'; path: string; mode: number; target: string };

interface OverlayManifest {
  modes?: Record<string, string>;
  runlevels?: Record<string, string[]>;
}

/** Files a desktop leaves in folders; they never go into an overlay. */
const JUNK = /(^|\/)(\._[^/]*|\.DS_Store|Thumbs\.db|desktop\.ini|\.directory|[^/]*~|\.#[^/]*)$/;

export function overlayDir(): string {
  return join(packageRoot(), 'overlays', 'alpine');
}

/**
 * Renders the overlay for one host: every template under `files/`, the folders above them, and the
 * runlevel links from overlay.yaml, sorted by path so the archive is the same bytes for the same input.
 */
export async function renderOverlay(variables: OverlayVariables, dir = overlayDir()): Promise<OverlayEntry[]> {
  const manifest = (parseYaml(await readFile(join(dir, 'overlay.yaml'), 'utf8')) ?? {}) as OverlayManifest;
  const modes = new Map(Object.entries(manifest.modes ?? {}).map(([path, mode]) => [path, parseMode(mode, path)]));
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: true, lstripBlocks: true });

  const entries = new Map<string, OverlayEntry>();
  const addParents = (path: string) => {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (!entries.has(parent)) entries.set(parent, { type: 'directory', path: parent, mode: modes.get(parent) ?? 0o755 });
    }
  };
  const filesDir = join(dir, 'files');
  for (const file of await listFiles(filesDir)) {
    const path = relative(filesDir, file).split(sep).join('/');
    if (JUNK.test(path)) continue;
    const template = await readFile(file, 'utf8');
    let text: string;
    try {
      text = env.renderString(template, variables);
    } catch (error) {
      throw new Error(`overlay template ${path}: ${(error as Error).message}`);
    }
    addParents(path);
    entries.set(path, { type: 'file', path, mode: modes.get(path) ?? 0o644, data: Buffer.from(text) });
  }
  for (const [level, services] of Object.entries(manifest.runlevels ?? {})) {
    for (const service of services) {
      const path = `etc/runlevels/${level}/${service}`;
      addParents(path);
      entries.set(path, { type: 'symlink', path, mode: 0o777, target: `/etc/init.d/${service}` });
    }
  }
  for (const [path, mode] of modes) {
    const entry = entries.get(path);
    if (!entry) throw new Error(`overlays/alpine/overlay.yaml sets a mode for ${path}, which the overlay does not have`);
    entry.mode = mode;
  }
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function parseMode(text: string, path: string): number {
  if (!/^0?[0-7]{3,4}$/.test(String(text))) throw new Error(`overlays/alpine/overlay.yaml: mode of ${path} must be octal like "0644", got ${text}`);
  return parseInt(String(text), 8);
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
