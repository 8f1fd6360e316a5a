import type { ClusterHost, ClusterInventory } from '../inventory/cluster.js';

/**
 * The order a rolling run takes: the masters first, one at a time (never two at once: with three masters,
 * etcd keeps its quorum only while two answer), then the workers one at a time; pi-hosts' order within each.
 */
export function rollingOrder(inventory: Pick<ClusterInventory, 'masters' | 'workers'>): ClusterHost[] {
  return [...inventory.masters, ...inventory.workers];
}
