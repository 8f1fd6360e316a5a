import { UserError } from '../errors.js';

/**
 * The `pi-hosts` inventory in Ansible's INI form, read so that every line the user wrote survives:
 * discover only rewrites the lines of hosts whose address changed and appends new hosts.
 * It is the file the stages meet through, so it lives outside them, like src/config for pi-cluster.yaml.
 */

export type Role = 'masters' | 'workers';
export const ROLES: readonly Role[] = ['masters', 'workers'];

export interface InventoryHost {
  name: string;
  /** Every group the host is listed in, in file order. */
  groups: string[];
  ansibleHost?: string;
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

/** Parses Ansible INI; a file Ansible would reject (or a YAML inventory) is a UserError naming the line. */
export function parseInventory(text: string, label = 'pi-hosts'): Inventory {
  const lines: Line[] = [];
  let section = 'ungrouped';
  let sectionKind: 'hosts' | 'vars' | 'children' = 'hosts';
  const source = text.endsWith('\n') ? text.slice(0, -1) : text;
  source.split('\n').forEach((raw, index) => {
    const fail = (what: string): never => {
      throw new UserError(`${label}:${index + 1}: not a valid Ansible INI inventory: ${what}`, {
        hint: `fix that line or move ${label} away (pi-cluster discover writes it, and never overwrites a file it cannot read)`,
      });
    };
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';')) {
      lines.push({ kind: 'other', text: line, section });
      return;
    }
    if (trimmed.startsWith('[')) {
      const match = /^\[([^:\]\s]+)(?::(vars|children))?\]\s*(?:[#;].*)?$/.exec(trimmed);
      if (!match) fail(`expected a section header like [masters], got ${JSON.stringify(trimmed)}`);
      section = match![1];
      sectionKind = (match![2] as 'vars' | 'children' | undefined) ?? 'hosts';
      lines.push({ kind: 'section', text: line, section: sectionKind === 'hosts' ? section : `${section}:${sectionKind}` });
      return;
    }
    const tokens = shellSplit(trimmed);
    if (tokens === undefined) fail('unbalanced quotes');
    if (sectionKind === 'vars') {
      if (!trimmed.includes('=')) fail(`expected key=value in [${section}:vars], got ${JSON.stringify(trimmed)}`);
      lines.push({ kind: 'other', text: line, section: `${section}:vars` });
      return;
    }
    if (sectionKind === 'children') {
      if (tokens!.length !== 1) fail(`expected one group name per line in [${section}:children]`);
      lines.push({ kind: 'other', text: line, section: `${section}:children` });
      return;
    }
    const [name, ...assignments] = tokens!;
    if (!/^[A-Za-z0-9_.\-[\]:]+$/.test(name) || name.endsWith(':')) fail(`${JSON.stringify(name)} is not a host name`);
    const vars: Record<string, string> = {};
    for (const assignment of assignments) {
      const eq = assignment.indexOf('=');
      if (eq <= 0) fail(`expected key=value after the host name, got ${JSON.stringify(assignment)}`);
      vars[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    }
    lines.push({ kind: 'host', text: line, section, name, ansibleHost: vars.ansible_host, lineNumber: index + 1 });
  });
  return { lines };
}

/** Hosts in file order, each once, with all its groups. */
export function inventoryHosts(inventory: Inventory): InventoryHost[] {
  const hosts = new Map<string, InventoryHost>();
  for (const line of inventory.lines) {
    if (line.kind !== 'host') continue;
    const host = hosts.get(line.name) ?? { name: line.name, groups: [] };
    if (!host.groups.includes(line.section)) host.groups.push(line.section);
    host.ansibleHost ??= line.ansibleHost;
    hosts.set(line.name, host);
  }
  return [...hosts.values()];
}

export function roleOf(host: InventoryHost): Role | undefined {
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

export type InventoryChange =
  | { kind: 'added'; name: string; role: Role; address: string }
  | { kind: 'address'; name: string; from: string; to: string }
  | { kind: 'missing'; name: string; role?: Role; address?: string };

export interface MergeResult {
  inventory: Inventory;
  changes: InventoryChange[];
}

/**
 * Merges found hosts into an inventory (or a new one). Roles and names of listed hosts are kept;
 * changed addresses are updated in place; new hosts go to the group `roleFor` gives them; listed
 * hosts that were not found are reported as missing and stay in the file.
 */
export function mergeInventory(existing: Inventory | undefined, found: InventoryEntry[], roleFor: (name: string) => Role, header?: string): MergeResult {
  const inventory: Inventory = existing ? { lines: [...existing.lines] } : newInventory(header);
  const changes: InventoryChange[] = [];
  const listed = new Map(inventoryHosts(inventory).map((h) => [h.name, h]));

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
  const lines: Line[] = (header ?? '').split('\n').filter(Boolean).map((text) => ({ kind: 'other', text, section: 'ungrouped' }));
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

/** shlex-like split: whitespace, single/double quotes, and `#`/`;` starting a comment at a token boundary. */
export function shellSplit(text: string): string[] | undefined {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quote: string | undefined;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      inToken = true;
    } else if (/\s/.test(char)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else if ((char === '#' || char === ';') && !inToken) {
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
