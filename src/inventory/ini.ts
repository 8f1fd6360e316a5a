import { isIPv4 } from '../config/net.js';
import { UserError } from '../errors.js';

/**
 * The `pi-hosts` inventory in Ansible's INI form, read so that every line the user wrote survives:
 * discover only rewrites the lines of hosts whose address changed and appends new hosts.
 * It is the file the stages meet through, so it lives outside them, like src/config for pi-cluster.yaml.
 */

export type Role = 'masters' | 'workers';
export const ROLES: readonly Role[] = ['masters', 'workers'];

/** A host of pi-hosts, as every stage sees it (discover, bootstrap, status, the add-ons). */
export interface InventoryHost {
  name: string;
  /** Every group the host is listed in, in file order. */
  groups: string[];
  /** masters or workers, when it is listed under one (masters first). */
  role?: Role;
  /** `ansible_host=` as written; a later line wins, as in Ansible. */
  ansibleHost?: string;
  /** Where Ansible connects: `ansible_host=`, or the name itself when that is an IPv4 address. */
  address?: string;
  /** The trailing comment of its line ("model, MAC" as discover writes it). */
  comment?: string;
  /** 1-based line of its listing under its role (else its first listing). */
  line?: number;
}

interface HostLine {
  kind: 'host';
  text: string;
  section: string;
  name: string;
  ansibleHost?: string;
  /** 1-based line in the file it was read from (absent for lines discover adds). */
  lineNumber?: number;
}
type Line = HostLine | { kind: 'section'; text: string; section: string } | { kind: 'other'; text: string; section: string };

export interface Inventory {
  lines: Line[];
}

/** A host line Ansible reads but pi-cluster does not: one per line, with the reason. */
export interface UnreadableLine {
  lineNumber: number;
  problem: string;
}

/**
 * Why pi-cluster cannot read a host name Ansible can: a range (Ansible expands every `[`: `10.0.0.[11:12]`,
 * `pi[1:3]`) or a port after the name (`pi5:2222`). Undefined for a plain name.
 */
export function unreadableHostName(name: string): string | undefined {
  if (name.includes('[')) return `${name} is a host range; pi-cluster needs each Pi on its own line (name ansible_host=a.b.c.d)`;
  const port = /^([^:]+):(\d+)$/.exec(name);
  if (port) return `${name} puts a port in the host name; write \`${port[1]} ansible_host=ADDRESS ansible_port=${port[2]}\``;
  return undefined;
}

/** Parses Ansible INI; a file Ansible would reject (or a YAML inventory), or a range or host:port, is a UserError naming the line. */
export function parseInventory(text: string, label = 'pi-hosts'): Inventory {
  const { inventory, unreadable } = readInventoryLines(text, label);
  if (unreadable.length) {
    const lines = unreadable.map((u) => `${label}:${u.lineNumber}: ${u.problem}`);
    throw new UserError(lines.length === 1 ? lines[0] : `${lines.length} lines of ${label} pi-cluster cannot read:\n${lines.join('\n')}`, {
      hint: `write each Pi on its own line (name ansible_host=a.b.c.d ansible_port=N); pi-cluster never rewrites a file it cannot read`,
    });
  }
  return inventory;
}

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

/**
 * Reads the lines the way Ansible's INI inventory plugin (ansible-core 2.14, plugins/inventory/ini.py) does:
 * full-line comments start with `#` or `;`, a host line is split like Python's shlex (posix, `#` comments),
 * every token after the name is key=value, `[g:vars]` and `[g:children]` must name groups the file defines.
 * Host names Ansible expands (ranges, host:port) come back in `unreadable` instead of failing at once, so a
 * caller can report them with its other checks.
 */
export function readInventoryLines(text: string, label = 'pi-hosts'): { inventory: Inventory; unreadable: UnreadableLine[] } {
  const lines: Line[] = [];
  const unreadable: UnreadableLine[] = [];
  const groups = new Set(['all', 'ungrouped']);
  const pending = new Map<string, { line: number; kind: 'vars' | 'children'; parent?: string }>();
  let section = 'ungrouped';
  let sectionKind: 'hosts' | 'vars' | 'children' = 'hosts';
  const source = text.endsWith('\n') ? text.slice(0, -1) : text;
  const fail = (lineNumber: number, what: string): never => {
    throw new UserError(`${label}:${lineNumber}: not a valid Ansible INI inventory: ${what}`, {
      hint: `fix that line or move ${label} away (pi-cluster discover writes it, and never overwrites a file it cannot read)`,
    });
  };
  source.split('\n').forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';')) {
      lines.push({ kind: 'other', text: line, section });
      return;
    }
    if (trimmed.startsWith('[')) {
      const match = SECTION.exec(trimmed);
      if (!match) fail(lineNumber, `expected a section header like [masters], got ${JSON.stringify(trimmed)}`);
      const kind = match![2] ?? 'hosts';
      if (kind !== 'hosts' && kind !== 'vars' && kind !== 'children')
        fail(lineNumber, `section [${match![1]}:${kind}] has an unknown type (hosts, vars or children)`);
      section = match![1];
      sectionKind = kind as typeof sectionKind;
      if (!groups.has(section) && sectionKind === 'vars' && !pending.has(section)) pending.set(section, { line: lineNumber, kind: 'vars' });
      groups.add(section);
      if (sectionKind !== 'vars') pending.delete(section);
      lines.push({ kind: 'section', text: line, section: sectionKind === 'hosts' ? section : `${section}:${sectionKind}` });
      return;
    }
    if (sectionKind === 'vars') {
      if (!trimmed.includes('=')) fail(lineNumber, `expected key=value in [${section}:vars], got ${JSON.stringify(trimmed)}`);
      lines.push({ kind: 'other', text: line, section: `${section}:vars` });
      return;
    }
    if (sectionKind === 'children') {
      const child = GROUP_NAME.exec(trimmed)?.[1];
      if (!child) fail(lineNumber, `expected one group name per line in [${section}:children], got ${JSON.stringify(trimmed)}`);
      if (!groups.has(child!) && !pending.has(child!)) pending.set(child!, { line: lineNumber, kind: 'children', parent: section });
      lines.push({ kind: 'other', text: line, section: `${section}:children` });
      return;
    }
    const tokens = shlexSplit(trimmed);
    if (tokens === undefined) fail(lineNumber, 'unbalanced quotes or a trailing backslash');
    const [name, ...assignments] = tokens!;
    if (name === '---') fail(lineNumber, 'this looks like a YAML inventory; pi-hosts is Ansible INI');
    const cannot = unreadableHostName(name);
    if (cannot) unreadable.push({ lineNumber, problem: cannot });
    else if (!/^[A-Za-z0-9_.\-:]+$/.test(name) || name.endsWith(':')) fail(lineNumber, `${JSON.stringify(name)} is not a host name`);
    const vars: Record<string, string> = {};
    for (const assignment of assignments) {
      const eq = assignment.indexOf('=');
      if (eq <= 0) fail(lineNumber, `expected key=value after the host name, got ${JSON.stringify(assignment)}`);
      vars[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    }
    lines.push({ kind: 'host', text: line, section, name, ansibleHost: vars.ansible_host, lineNumber });
  });
  for (const [group, declaration] of pending) {
    if (declaration.kind === 'vars') fail(declaration.line, `[${group}:vars] is for a group the file does not define`);
    fail(declaration.line, `[${declaration.parent}:children] includes ${group}, a group the file does not define`);
  }
  return { inventory: { lines }, unreadable };
}

/** Hosts in file order, each once, with all its groups (what `ansible-inventory --list` reads from the file). */
export function inventoryHosts(inventory: Inventory): InventoryHost[] {
  const hosts = new Map<string, InventoryHost>();
  for (const line of inventory.lines) {
    if (line.kind !== 'host' || unreadableHostName(line.name)) continue;
    const host = hosts.get(line.name) ?? { name: line.name, groups: [] };
    if (!host.groups.includes(line.section)) host.groups.push(line.section);
    if (line.ansibleHost !== undefined) host.ansibleHost = line.ansibleHost;
    const role = roleOf(host);
    // The line that places the host: its role's first listing, else its first listing.
    if (host.line === undefined || (role && line.section === role && host.role !== role)) {
      host.line = line.lineNumber;
      host.comment = trailingComment(line.text);
      if (host.comment === undefined) delete host.comment;
    }
    if (role) host.role = role;
    host.address = host.ansibleHost ?? (isIPv4(host.name) ? host.name : undefined);
    if (host.address === undefined) delete host.address;
    hosts.set(line.name, host);
  }
  // As Ansible reconciles: a host listed in a group is not also "ungrouped" for being listed above every header.
  for (const host of hosts.values()) if (host.groups.length > 1) host.groups = host.groups.filter((g) => g !== 'ungrouped');
  return [...hosts.values()];
}

/** The comment after a host line's last token ("Raspberry Pi 4, dc:a6:32:..." as discover writes it). */
function trailingComment(text: string): string | undefined {
  return /\s#\s*(.*)$/.exec(text)?.[1]?.trim() || undefined;
}

export function roleOf(host: Pick<InventoryHost, 'groups'>): Role | undefined {
  return host.groups.includes('masters') ? 'masters' : host.groups.includes('workers') ? 'workers' : undefined;
}

export function formatInventory(inventory: Inventory): string {
  return `${inventory.lines.map((l) => l.text).join('\n')}\n`;
}

/** A found host as it goes into the inventory. */
export interface InventoryEntry {
  name: string;
  address: string;
  /** Model and MAC, written as a trailing comment. */
  note?: string;
}

/** The marker `pi-cluster node remove` puts before each line of a host it removed (see removed.ts). */
export const REMOVED_MARKER = '# removed by pi-cluster';
const REMOVED_LINE = /^#\s*removed by pi-cluster\s+(\S+):\s*(\S+)/;

export interface RemovedHost {
  name: string;
  /** The date in the marker (YYYY-MM-DD). */
  date: string;
  /** 1-based line of its first marker. */
  line: number;
}

/** The hosts pi-hosts marks as removed, in file order, each once. */
export function removedHosts(text: string): RemovedHost[] {
  const found = new Map<string, RemovedHost>();
  text.split('\n').forEach((raw, index) => {
    const match = REMOVED_LINE.exec(raw.trim());
    if (match && !found.has(match[2])) found.set(match[2], { name: match[2], date: match[1], line: index + 1 });
  });
  return [...found.values()];
}

export type InventoryChange =
  | { kind: 'added'; name: string; role: Role; address: string }
  | { kind: 'removed'; name: string; date: string; address: string }
  | { kind: 'address'; name: string; from: string; to: string }
  | { kind: 'missing'; name: string; role?: Role; address?: string };

export interface MergeResult {
  inventory: Inventory;
  changes: InventoryChange[];
}

/**
 * Merges found hosts into an inventory (or a new one). Roles and names of listed hosts are kept;
 * changed addresses are updated in place; new hosts go to the group `roleFor` gives them; listed
 * hosts that were not found are reported as missing and stay in the file; found hosts that
 * `pi-cluster node remove` marked as removed are reported and not added again.
 */
export function mergeInventory(
  existing: Inventory | undefined,
  found: InventoryEntry[],
  roleFor: (name: string) => Role,
  header?: string,
): MergeResult {
  const inventory: Inventory = existing ? { lines: [...existing.lines] } : newInventory(header);
  const changes: InventoryChange[] = [];
  const listed = new Map(inventoryHosts(inventory).map((h) => [h.name, h]));
  const removed = new Map(removedHosts(formatInventory(inventory)).map((h) => [h.name, h]));

  for (const host of found) {
    const known = listed.get(host.name);
    if (known) {
      if (known.ansibleHost !== undefined && known.ansibleHost !== host.address) {
        inventory.lines = inventory.lines.map((line) =>
          line.kind === 'host' && line.name === host.name && line.ansibleHost === known.ansibleHost
            ? { ...line, text: hostLineText(host), ansibleHost: host.address }
            : line,
        );
        changes.push({ kind: 'address', name: host.name, from: known.ansibleHost, to: host.address });
      }
      continue;
    }
    const gone = removed.get(host.name);
    if (gone) {
      // `pi-cluster node remove` took it out: a Pi that still answers is not a new host.
      changes.push({ kind: 'removed', name: host.name, date: gone.date, address: host.address });
      continue;
    }
    const role = roleFor(host.name);
    insertHost(inventory, role, host);
    changes.push({ kind: 'added', name: host.name, role, address: host.address });
  }

  const foundNames = new Set(found.map((h) => h.name));
  for (const host of listed.values()) {
    if (!foundNames.has(host.name)) changes.push({ kind: 'missing', name: host.name, role: roleOf(host), address: host.ansibleHost });
  }
  return { inventory, changes };
}

export function hostLineText(host: InventoryEntry): string {
  const base = `${host.name} ansible_host=${host.address}`;
  return host.note ? `${base.padEnd(32)} # ${host.note}` : base;
}

function newInventory(header?: string): Inventory {
  const lines: Line[] = (header ?? '')
    .split('\n')
    .filter(Boolean)
    .map((text) => ({ kind: 'other', text, section: 'ungrouped' }));
  for (const role of ROLES) {
    if (lines.length) lines.push({ kind: 'other', text: '', section: lines[lines.length - 1].section });
    lines.push({ kind: 'section', text: `[${role}]`, section: role });
  }
  lines.push({ kind: 'other', text: '', section: 'workers' });
  lines.push({ kind: 'section', text: '[all:vars]', section: 'all:vars' });
  lines.push({ kind: 'other', text: 'ansible_user=root', section: 'all:vars' });
  return { lines };
}

/** Puts a host line after the last host of its group (creating the group at the end if absent). */
function insertHost(inventory: Inventory, role: Role, host: InventoryEntry): void {
  const line: HostLine = { kind: 'host', text: hostLineText(host), section: role, name: host.name, ansibleHost: host.address };
  const headerIndex = inventory.lines.findIndex((l) => l.kind === 'section' && l.section === role);
  if (headerIndex < 0) {
    const last = inventory.lines[inventory.lines.length - 1];
    if (last && last.text.trim() !== '') inventory.lines.push({ kind: 'other', text: '', section: last.section });
    inventory.lines.push({ kind: 'section', text: `[${role}]`, section: role }, line);
    return;
  }
  let at = headerIndex + 1;
  for (let i = headerIndex + 1; i < inventory.lines.length && inventory.lines[i].kind !== 'section'; i++) {
    if (inventory.lines[i].kind === 'host') at = i + 1;
  }
  inventory.lines.splice(at, 0, line);
}

/**
 * Splits a host line as Python's shlex.split(line, comments=True) does (posix): whitespace separates words,
 * quotes join them, a backslash escapes the next character (inside double quotes only `"` and `\\`), and `#`
 * outside quotes ends the line, even inside a word. Undefined for an unclosed quote or a trailing backslash.
 */
export function shlexSplit(text: string): string[] | undefined {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else current += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\') {
        if (i + 1 >= text.length) return undefined;
        const next = text[++i];
        current += next === '"' || next === '\\' ? next : `\\${next}`;
      } else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inToken = true;
    } else if (char === '\\') {
      if (i + 1 >= text.length) return undefined;
      current += text[++i];
      inToken = true;
    } else if (/\s/.test(char)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else if (char === '#') {
      break;
    } else {
      current += char;
      inToken = true;
    }
  }
  if (quote) return undefined;
  if (inToken) tokens.push(current);
  return tokens;
}
