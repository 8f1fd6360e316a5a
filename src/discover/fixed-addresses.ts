import type { FoundHost } from './search.js';

/**
 * Hosts with a fixed address in pi-cluster.yaml (hosts.<name>.address) against what the network
 * said: a host mDNS did not find is looked for at its configured address (probed over SSH like any
 * other), and where mDNS and the config both give an address they must be the same.
 */
export interface FixedAddressPlan {
  /** Configured hosts nobody announced: probed at their configured address. */
  added: FoundHost[];
  /** Hosts whose announced address (or configured address) contradicts the config: name -> why. */
  disagreements: Map<string, string>;
}

/** fixed: hostname -> IPv4 address (without prefix), only the cluster's hosts. */
export function planFixedAddresses(found: Map<string, FoundHost>, fixed: Record<string, string>): FixedAddressPlan {
  const added: FoundHost[] = [];
  const disagreements = new Map<string, string>();
  const hosts = [...found.values()];
  for (const [name, ip] of Object.entries(fixed)) {
    const announced = hosts.find((h) => h.name === name);
    if (announced) {
      if (announced.address !== ip)
        disagreements.set(name, `announces ${announced.address} over mDNS, but hosts.${name}.address in pi-cluster.yaml is ${ip}`);
      continue;
    }
    const holder = hosts.find((h) => h.address === ip);
    if (holder?.name !== undefined) {
      disagreements.set(name, `hosts.${name}.address in pi-cluster.yaml is ${ip}, but ${holder.name} announces that address over mDNS`);
    } else if (holder) {
      // Found by --sweep at this address: the config names it (its key and facts are still checked).
      holder.name = name;
      holder.source = 'config';
    } else {
      added.push({ name, address: ip, source: 'config', foundMs: 0 });
    }
  }
  return { added, disagreements };
}
