// etcd's way to pi-hosts until it moves to src/etcd/ and reads src/inventory directly (then this file goes).
import { readClusterInventory, type ClusterInventory } from '../inventory/cluster.js';

export async function readInventory(path: string): Promise<ClusterInventory> {
  return readClusterInventory(path, { requireIPv4: true });
}
