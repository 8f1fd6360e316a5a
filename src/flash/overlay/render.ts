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
  /** The Pi's own SSH host key pair (OpenSSH formats), made by flash (host-keys.ts). */
  hostKey: { private: string; public: string };
  alpine: { version: string; branch: string; mirror: string };
  /** Where Alpine mounts the SD card's boot partition. */
  bootMedia: string;
  /** Root's field of /etc/shadow: a crypt hash, or "*" (locked). */
  consolePasswordHash: string;
  /** chrony's servers (etc/chrony/chrony.conf); absent: Alpine's default pool.ntp.org. */
  ntp?: string[];
  /** Wi-Fi on wlan0 (etc/wpa_supplicant/wpa_supplicant.conf holds the PSK, never the passphrase). */
  wifi?: { ssid: string; country: string; psk: string };
  /** A fixed IPv4 address for `interface`; absent: DHCP. */
  address?: { cidr: string; ip: string; netmask: string; gateway: string; dns: string[] };
  /** The console keymap (etc/conf.d/loadkmap, kbd-bkeymaps in the world); absent: the kernel's US map. */
  keymap?: { layout: string; name: string };
}

export type OverlayEntry =
  | { type: 'directory'; path: string; mode: number }
  | { type: 'file'; path: string; mode: number; data: Buffer }
  | { type: 'symlink'; path: string; mode: number; target: string };

interface OverlayManifest {
  modes?: Record<string, string>;
  /** Files rendered only when the named variable is set (e.g. etc/resolv.conf: address). */
  when?: Record<string, string>;
  runlevels?: Record<string, string[]>;
}

/** Files a desktop leaves in folders; they never go into an overlay. */
const JUNK = /(^|\/)(\._[^/]*|\.DS_Store|Thumbs\.db|desktop\.ini|\.directory|[^/]*~|\.#[^/]*)$/;

export function overlayDir(): string {
  return join(packageRoot(), 'overlays', 'alpine');
}

/** An overlay folder read and compiled once; renders the overlay of any number of hosts. */
export interface Overlay {
  /** `extra`: files and links made by code rather than templates (e.g. a time zone's binary TZif file). */
  render(variables: OverlayVariables, extra?: OverlayEntry[]): OverlayEntry[];
}

interface Template {
  path: string;
  mode: number;
  template: nunjucks.Template;
}

const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: true, lstripBlocks: true });
/** Compiled templates by path and text: a template read again unchanged is not compiled again. */
const compiled = new Map<string, nunjucks.Template>();

function compile(path: string, source: string): nunjucks.Template {
  const key = `${path}\0${source}`;
  let template = compiled.get(key);
  if (!template) {
    template = new nunjucks.Template(source, env, path, true);
    compiled.set(key, template);
  }
  return template;
}

/**
 * Reads an overlay folder: every template under `files/` (compiled now, so a broken one fails before
 * anything is written), and the modes and runlevel links of overlay.yaml.
 */
export async function loadOverlay(dir = overlayDir()): Promise<Overlay> {
  const manifest = (parseYaml(await readFile(join(dir, 'overlay.yaml'), 'utf8')) ?? {}) as OverlayManifest;
  const modes = new Map(Object.entries(manifest.modes ?? {}).map(([path, mode]) => [path, parseMode(mode, path)]));
  const filesDir = join(dir, 'files');
  const files = (await listFiles(filesDir))
    .map((file) => ({ file, path: relative(filesDir, file).split(sep).join('/') }))
    .filter(({ path }) => !JUNK.test(path));
  const sources = await Promise.all(files.map(({ file }) => readFile(file, 'utf8')));
  const templates: Template[] = [];
  for (const [index, { path }] of files.entries()) {
    const source = sources[index];
    try {
      templates.push({ path, mode: modes.get(path) ?? 0o644, template: compile(path, source) });
    } catch (error) {
      throw new Error(`overlay template ${path}: ${(error as Error).message}`);
    }
  }
  return { render: (variables, extra = []) => renderEntries(templates, manifest, modes, variables, extra) };
}

/**
 * The overlay for one host: every template rendered, the folders above them, and the runlevel links,
 * sorted by path so the archive is the same bytes for the same input.
 */
function renderEntries(
  templates: readonly Template[],
  manifest: OverlayManifest,
  modes: Map<string, number>,
  variables: OverlayVariables,
  extra: readonly OverlayEntry[],
): OverlayEntry[] {
  const entries = new Map<string, OverlayEntry>();
  const addParents = (path: string) => {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (!entries.has(parent)) entries.set(parent, { type: 'directory', path: parent, mode: modes.get(parent) ?? 0o755 });
    }
  };
  for (const { path, mode, template } of templates) {
    const condition = manifest.when?.[path];
    if (condition && !(variables as unknown as Record<string, unknown>)[condition]) continue;
    let text: string;
    try {
      text = template.render(variables);
    } catch (error) {
      throw new Error(`overlay template ${path}: ${(error as Error).message}`);
    }
    addParents(path);
    entries.set(path, { type: 'file', path, mode, data: Buffer.from(text) });
  }
  for (const entry of extra) {
    if (entries.has(entry.path)) throw new Error(`overlay: ${entry.path} is both a template and made by flash`);
    addParents(entry.path);
    entries.set(entry.path, entry);
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
    if (!entry && manifest.when?.[path]) continue;
    if (!entry) throw new Error(`overlays/alpine/overlay.yaml sets a mode for ${path}, which the overlay does not have`);
    entry.mode = mode;
  }
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function parseMode(text: string, path: string): number {
  if (!/^0?[0-7]{3,4}$/.test(String(text)))
    throw new Error(`overlays/alpine/overlay.yaml: mode of ${path} must be octal like "0644", got ${text}`);
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
