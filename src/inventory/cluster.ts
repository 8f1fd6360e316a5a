import { readFile } from 'node:fs/promises';
import { isIPv4 } from '../config/net.js';
import { UserError } from '../errors.js';
import { parseInventory, ROLES, type Inventory, type Role } from './ini.js';
import { inventoryProblems, type InventoryCheckOptions } from './validate.js';

export type { InventoryCheckOptions } from './validate.js';

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
export function clusterHosts(text: string, label = 'pi-hosts', options: InventoryCheckOptions = {}): ClusterInventory {
  const inventory = parseInventory(text, label);
  const problems = inventoryProblems(inventory, label, options);
  if (problems.length > 0) {
    throw new UserError(problems.length === 1 ? problems[0] : `${problems.length} problems in ${label}:\n${problems.join('\n')}`, {
      hint: `fix ${problems.length === 1 ? 'that line' : 'those lines'} of ${label} (\`pi-cluster discover\` writes it); nothing was contacted`,
    });
  }
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
export async function readClusterInventory(path: string, options: InventoryCheckOptions = {}): Promise<ClusterInventory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError(`inventory ${path} does not exist`, { hint: 'run `pi-cluster discover` first (it writes pi-hosts), or pass --inventory FILE' });
    }
    if (code === 'EISDIR') throw new UserError(`inventory ${path} is a folder, not a file`, { hint: 'pass the pi-hosts file with --inventory FILE' });
    if (code === 'EACCES' || code === 'EPERM') throw new UserError(`inventory ${path} cannot be read (${code})`, { hint: 'check the file\'s permissions' });
    throw error;
  }
  const cluster = clusterHosts(text, path, options);
  if (cluster.masters.length === 0) {
    throw new UserError(`${path} has no host in [masters]`, { hint: 'run `pi-cluster discover --masters 1`, or move one host under [masters]' });
  }
  return cluster;
}
