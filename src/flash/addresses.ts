import { addressProblems, parseHostAddress, type HostAddress } from '../config/addresses.js';
import { intToIp } from '../config/net.js';
import type { ClusterConfig } from '../config/schema.js';
import { UserError } from '../errors.js';

/** What the overlay of a host with a fixed address says (etc/network/interfaces, etc/resolv.conf). */
export interface StaticAddress {
  /** 192.168.1.51/24 */
  cidr: string;
  ip: string;
  /** 255.255.255.0 */
  netmask: string;
  gateway: string;
  dns: string[];
}

const HINT = 'e.g. --address pi1=192.168.1.51/24 with network.gateway (and network.subnet) set in pi-cluster.yaml';

/**
 * The fixed address of each host of this run: hosts.<name>.address of the config, replaced by
 * `--address NAME=a.b.c.d/n`; checked all together (subnet, gateway, MetalLB, services, duplicates)
 * before anything is written. Hosts without one use DHCP.
 */
export function resolveAddresses(flags: string[] | undefined, config: ClusterConfig, hostnames: string[]): Map<string, StaticAddress> {
  const addresses: Record<string, string> = {};
  for (const [name, host] of Object.entries(config.hosts.byName)) if (host.address) addresses[name] = host.address;
  const given = new Set<string>();
  for (const flag of flags ?? []) {
    const match = /^([a-z]([a-z0-9-]{0,61}[a-z0-9])?)=(.*)$/s.exec(flag);
    if (!match) throw new UserError(`--address ${JSON.stringify(flag)} is not HOSTNAME=ADDRESS/PREFIX`, { hint: HINT });
    const [, name, , address] = match as unknown as [string, string, string, string];
    if (!hostnames.includes(name))
      throw new UserError(`--address ${name}=...: ${name} is not one of the cards of this run (${hostnames.join(', ')})`, {
        hint: 'name a hostname this run flashes',
      });
    if (given.has(name)) throw new UserError(`--address ${name} is given twice`, { hint: 'one --address per host' });
    given.add(name);
    addresses[name] = address;
  }
  const problems = addressProblems(config, addresses);
  if (problems.length) {
    const lines = problems.map((p) =>
      p.hostname ? `${given.has(p.hostname) ? `--address ${p.hostname}` : `hosts.${p.hostname}.address`}: ${p.message}` : p.message,
    );
    throw new UserError(lines.join('\n'), { hint: HINT });
  }
  const gateway = config.network.gateway as string;
  const dns = config.network.dns ?? [gateway];
  return new Map(
    hostnames
      .filter((name) => addresses[name])
      .map((name) => {
        const { ip, prefix } = parseHostAddress(addresses[name]!) as HostAddress;
        return [name, { cidr: `${ip}/${prefix}`, ip, netmask: intToIp(2 ** 32 - 2 ** (32 - prefix)), gateway, dns }];
      }),
  );
}
