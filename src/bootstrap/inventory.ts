// Bootstrap reads pi-hosts through the shared inventory module (src/inventory), the file it shares with discover.
export { clusterHosts as parseInventory, readClusterInventory as loadInventory } from '../inventory/cluster.js';
export type { ClusterHost as InventoryHost, ClusterInventory as Inventory } from '../inventory/cluster.js';
