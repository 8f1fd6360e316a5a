import { readFile } from 'node:fs/promises';
import { isIPv4 } from '../config/net.js';
import { UserError } from '../errors.js';
import { parseInventory, ROLES, type Inventory, type Role } from './ini.js';

/** A node of the cluster as bootstrap and the add-ons need it: a host listed under [masters] or [workers]. */
export interface ClusterHost {
  name: string;
  /** `ansible_host=`, or the inventory name itself when that is an IPv4 address (as Ansible reads it). */
  address: string;
  group: Role;
  /** The trailing comment ("model MAC" as discover writes it), if any. */
  comment?: string;
}

export interface ClusterInventory {
  path: string;
  text: string;
  inventory: Inventory;
  hosts: ClusterHost[];
  masters: ClusterHost[];
  workers: ClusterHost[];
}

/** The masters and workers of an inventory text, in file order; each needs an address. */
export function clusterHosts(text: string, label = 'pi-hosts'): ClusterInventory {
  const inventory = parseInventory(text, label);
  const hosts: ClusterHost[] = [];
  for (const line of inventory.lines) {
    if (line.kind !== 'host' || !ROLES.includes(line.section as Role)) continue;
    const address = line.ansibleHost ?? (isIPv4(line.name) ? line.name : undefined);
    if (!address) {
      throw new UserError(`${label}:${line.lineNumber}: ${line.name} has no ansible_host=`, { hint: 'run `pi-cluster discover` again to rewrite pi-hosts, or write `name ansible_host=a.b.c.d`' });
    }
    const comment = /\s[#;]\s*(.*)$/.exec(line.text)?.[1]?.trim() || undefined;
    hosts.push({ name: line.name, address, group: line.section as Role, ...(comment ? { comment } : {}) });
  }
  return {
    path: label,
    text,
    inventory,
    hosts,
    masters: hosts.filter((h) => h.group === 'masters'),
    workers: hosts.filter((h) => h.group === 'workers'),
  };
}

/** Reads `pi-hosts` for a stage that needs a cluster: the file must exist and name at least one master. */
export async function readClusterInventory(path: string): Promise<ClusterInventory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`inventory ${path} does not exist`, { hint: 'run `pi-cluster discover` first (it writes pi-hosts), or pass --inventory FILE' });
    }
    throw error;
  }
  const cluster = clusterHosts(text, path);
  if (cluster.masters.length === 0) {
    throw new UserError(`${path} has no host in [masters]`, { hint: 'run `pi-cluster discover --masters 1`, or move one host under [masters]' });
  }
  return cluster;
}
