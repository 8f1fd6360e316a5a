import { readFile } from 'node:fs/promises';
import { isIPv4 } from '../config/net.js';
import { UserError } from '../errors.js';
import { inventoryHosts, readInventoryLines, type Inventory, type InventoryHost, type Role } from './ini.js';
import { inventoryProblems, type InventoryCheckOptions } from './validate.js';

export type { InventoryCheckOptions } from './validate.js';

/** A node of the cluster: a host listed under [masters] or [workers], with the address Ansible connects to. */
export type ClusterHost = InventoryHost & { role: Role; address: string };

export interface ClusterInventory {
  path: string;
  text: string;
  inventory: Inventory;
  hosts: ClusterHost[];
  masters: ClusterHost[];
  workers: ClusterHost[];
}

export interface ClusterReadOptions extends InventoryCheckOptions {
  /** The add-ons derive the subnet from the nodes' addresses: each must be an IPv4 address, not a DNS name. */
  requireIPv4?: boolean;
}

/** The masters and workers of an inventory text, in file order; each needs an address. */
export function clusterHosts(text: string, label = 'pi-hosts', options: ClusterReadOptions = {}): ClusterInventory {
  const { inventory, unreadable } = readInventoryLines(text, label);
  const problems = inventoryProblems(inventory, label, options, unreadable);
  if (problems.length > 0) {
    throw new UserError(problems.length === 1 ? problems[0] : `${problems.length} problems in ${label}:\n${problems.join('\n')}`, {
      hint: `fix ${problems.length === 1 ? 'that line' : 'those lines'} of ${label} (\`pi-cluster discover\` writes it); nothing was contacted`,
    });
  }
  const hosts: ClusterHost[] = [];
  for (const host of inventoryHosts(inventory)) {
    if (!host.role) continue;
    if (!host.address) {
      throw new UserError(`${label}:${host.line}: ${host.name} has no ansible_host=`, {
        hint: 'run `pi-cluster discover` again to rewrite pi-hosts, or write `name ansible_host=a.b.c.d`',
      });
    }
    if (options.requireIPv4 && !isIPv4(host.address)) {
      throw new UserError(`${label}:${host.line}: host ${host.name} has no IPv4 address (ansible_host=${host.address})`, {
        hint: 'the add-ons need each node address: run `pi-cluster discover` again, or write `name ansible_host=a.b.c.d`',
      });
    }
    hosts.push(host as ClusterHost);
  }
  hosts.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return {
    path: label,
    text,
    inventory,
    hosts,
    masters: hosts.filter((h) => h.role === 'masters'),
    workers: hosts.filter((h) => h.role === 'workers'),
  };
}

/** Reads `pi-hosts` for a stage that needs a cluster: the file must exist and name at least one master. */
export async function readClusterInventory(path: string, options: ClusterReadOptions = {}): Promise<ClusterInventory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError(`inventory ${path} does not exist`, {
        hint: 'run `pi-cluster discover` first (it writes pi-hosts), or pass --inventory FILE',
      });
    }
    if (code === 'EISDIR')
      throw new UserError(`inventory ${path} is a folder, not a file`, { hint: 'pass the pi-hosts file with --inventory FILE' });
    if (code === 'EACCES' || code === 'EPERM')
      throw new UserError(`inventory ${path} cannot be read (${code})`, { hint: "check the file's permissions" });
    throw error;
  }
  const cluster = clusterHosts(text, path, options);
  if (cluster.masters.length === 0) {
    throw new UserError(`${path} has no host in [masters]`, {
      hint: 'run `pi-cluster discover --masters 1`, or move one host under [masters]',
    });
  }
  return cluster;
}
