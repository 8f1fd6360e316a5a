// The add-ons read pi-hosts through the shared inventory module (src/inventory); they also need every
// node's address to be an IPv4 address, to derive the subnet and keep MetalLB off the nodes.
import { isIPv4 } from '../config/net.js';
import { UserError } from '../errors.js';
import { clusterHosts, readClusterInventory, type ClusterInventory } from '../inventory/cluster.js';

export type { ClusterHost as InventoryHost, ClusterInventory as Inventory } from '../inventory/cluster.js';

function requireIPv4(cluster: ClusterInventory): ClusterInventory {
  for (const line of cluster.inventory.lines) {
    if (line.kind !== 'host') continue;
    const host = cluster.hosts.find((h) => h.name === line.name);
    if (host && !isIPv4(host.address)) {
      throw new UserError(`${cluster.path}:${line.lineNumber}: host ${host.name} has no IPv4 address (ansible_host=${host.address})`, {
        hint: 'the add-ons need each node address: run `pi-cluster discover` again, or write `name ansible_host=a.b.c.d`',
      });
    }
  }
  return cluster;
}

export function parseInventory(text: string, label = 'pi-hosts'): ClusterInventory {
  return requireIPv4(clusterHosts(text, label));
}

export async function readInventory(path: string): Promise<ClusterInventory> {
  return requireIPv4(await readClusterInventory(path));
}
