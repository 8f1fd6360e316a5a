/**
 * A small reader for the `pi-hosts` inventory that `discover` writes (Ansible INI):
 *
 *   [masters]
 *   pi0 ansible_host=198.51.100.10  # Raspberry Pi 4 Model B dc:a6:32:..
 *   [workers]
 *   pi1 ansible_host=198.51.100.11
 *
 * Only what the add-ons need: host names, addresses and groups. (The full inventory module lives in
 * src/discover; this one stays small until the two are merged.)
 */
import { readFile } from 'node:fs/promises';
import { isIPv4 } from '../config/net.js';
import { UserError } from '../errors.js';

export interface InventoryHost {
  name: string;
  /** ansible_host, or the name itself when that is an address. */
  address: string;
  group: string;
}

export interface Inventory {
  hosts: InventoryHost[];
  masters: InventoryHost[];
  workers: InventoryHost[];
}

/** Parses inventory text; `label` names the file in messages. */
export function parseInventory(text: string, label = 'pi-hosts'): Inventory {
  const hosts: InventoryHost[] = [];
  let group: string | undefined;
  let hostSection = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = stripComment(raw).trim();
    if (!line) return;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      group = section[1].trim();
      // [group:vars] and [group:children] hold settings and group names, not hosts.
      hostSection = !group.includes(':');
      return;
    }
    if (!hostSection || !group) return;
    const [name, ...settings] = line.split(/\s+/);
    const vars = Object.fromEntries(settings.map((s) => s.split('=')).filter((kv) => kv.length === 2) as Array<[string, string]>);
    const address = vars.ansible_host ?? name;
    if (!isIPv4(address)) {
      throw new UserError(`${label}:${index + 1}: host ${name} has no IPv4 address (ansible_host=${vars.ansible_host ?? 'not set'})`, {
        hint: 'the add-ons need each node address: run `pi-cluster discover` again, or write `name ansible_host=a.b.c.d`',
      });
    }
    hosts.push({ name, address, group });
  });
  return {
    hosts,
    masters: hosts.filter((h) => h.group === 'masters'),
    workers: hosts.filter((h) => h.group === 'workers'),
  };
}

/** `#` and `;` start a comment at the beginning of a line, or after white space inside it. */
function stripComment(line: string): string {
  const match = /(^|\s)[#;]/.exec(line);
  return match ? line.slice(0, match.index) : line;
}

export async function readInventory(path: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`inventory ${path} does not exist`, { hint: 'run `pi-cluster discover` first (it writes pi-hosts), or pass --inventory FILE' });
    }
    throw error;
  }
  const inventory = parseInventory(text, path);
  if (inventory.masters.length === 0) {
    throw new UserError(`${path}: no host in [masters]`, { hint: 'the first control-plane node belongs under [masters]; run `pi-cluster discover --masters 1`' });
  }
  return inventory;
}
