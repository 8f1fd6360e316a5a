import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';

/** One host of `pi-hosts` as bootstrap needs it (discover writes the file; bootstrap only reads it). */
export interface InventoryHost {
  name: string;
  ip: string;
  group: 'masters' | 'workers';
  /** The trailing comment: "model MAC" as discover writes it. */
  comment?: string;
}

export interface Inventory {
  path: string;
  text: string;
  hosts: InventoryHost[];
}

/** Parses the INI inventory: `[masters]`/`[workers]`, lines `pi0 ansible_host=198.51.100.10  # model MAC`. */
export function parseInventory(text: string, path = 'pi-hosts'): Inventory {
  const hosts: InventoryHost[] = [];
  let group: InventoryHost['group'] | undefined;
  text.split('\n').forEach((raw, index) => {
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    const comment = hash >= 0 ? raw.slice(hash + 1).trim() || undefined : undefined;
    if (!line) return;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      group = section[1] === 'masters' || section[1] === 'workers' ? section[1] : undefined;
      return;
    }
    if (!group) return; // other groups and :vars sections are Ansible's business
    const [name, ...vars] = line.split(/\s+/);
    const ip = vars.find((v) => v.startsWith('ansible_host='))?.slice('ansible_host='.length);
    if (!ip) throw new UserError(`${path}:${index + 1}: ${name} has no ansible_host=`, { hint: 'run `pi-cluster discover` again to rewrite pi-hosts' });
    hosts.push({ name, ip, group, comment });
  });
  return { path, text, hosts };
}

export async function loadInventory(path: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UserError(`inventory ${path} does not exist`, { hint: 'run `pi-cluster discover` first, or pass --inventory' });
  }
  const inventory = parseInventory(text, path);
  if (!inventory.hosts.some((h) => h.group === 'masters')) {
    throw new UserError(`${path} has no host in [masters]`, { hint: 'run `pi-cluster discover --masters 1`, or move one host under [masters]' });
  }
  return inventory;
}
