/**
 * Fixed IPv4 addresses of hosts (hosts.<name>.address in pi-cluster.yaml, `flash --address`): parsed
 * and checked against the rest of the network settings before any card is written.
 */
import {
  cidrContains,
  defaultRange,
  intToIp,
  ipToInt,
  isIPv4,
  parseCidr,
  parseRange,
  rangeContains,
  type Cidr,
  type IpRange,
} from './net.js';

export interface HostAddress {
  /** The host's own address, e.g. 192.168.1.51. */
  ip: string;
  prefix: number;
  /** The network it is on (192.168.1.0/24). */
  network: Cidr;
  /** As written: 192.168.1.51/24. */
  text: string;
}

/** "192.168.1.51/24" -> the address and its network; an error sentence for anything else. */
export function parseHostAddress(text: string): HostAddress | string {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(text);
  if (!match) return `${JSON.stringify(text)} is not an IPv4 address with a prefix length (expected e.g. 192.168.1.51/24)`;
  const [, ip, bits] = match as unknown as [string, string, string];
  if (!isIPv4(ip)) return `${ip} is not an IPv4 address`;
  const prefix = Number(bits);
  if (prefix < 8 || prefix > 30) return `/${prefix}: a host's prefix length must be 8 to 30`;
  const size = 2 ** (32 - prefix);
  const first = Math.floor(ipToInt(ip) / size) * size;
  const network = parseCidr(`${intToIp(first)}/${prefix}`) as Cidr;
  if (ipToInt(ip) === network.first) return `${text} is the network address of ${network.network}/${prefix}, not a host's`;
  if (ipToInt(ip) === network.last) return `${text} is the broadcast address of ${network.network}/${prefix}, not a host's`;
  return { ip, prefix, network, text };
}

/** The settings the checks read (a subset of ClusterConfig, so flash can check its --address too). */
export interface AddressSettings {
  network: {
    subnet?: string;
    gateway?: string;
    dns?: string[];
    metallb: { range?: string };
    services: Record<string, string | undefined>;
  };
}

export interface AddressProblem {
  /** The host the problem is about, when it is about one. */
  hostname?: string;
  message: string;
}

/**
 * Every problem of a set of fixed addresses (hostname -> "a.b.c.d/n"): each must parse, lie inside
 * network.subnet (with its prefix), have a gateway on its network that is not itself, stay out of
 * the MetalLB range and the service addresses, and be used by one host only.
 */
export function addressProblems(settings: AddressSettings, addresses: Record<string, string>): AddressProblem[] {
  const problems: AddressProblem[] = [];
  const parsed = new Map<string, HostAddress>();
  for (const [hostname, text] of Object.entries(addresses)) {
    const address = parseHostAddress(text);
    if (typeof address === 'string') problems.push({ hostname, message: address });
    else parsed.set(hostname, address);
  }
  if (Object.keys(addresses).length === 0) return problems;
  const { network } = settings;
  const subnet = network.subnet ? parseCidr(network.subnet) : undefined;
  const gateway = network.gateway && isIPv4(network.gateway) ? network.gateway : undefined;
  const poolText = network.metallb.range;
  let pool: IpRange | undefined;
  if (poolText) {
    const range = parseRange(poolText);
    if (typeof range !== 'string') pool = range;
  } else if (subnet && typeof subnet !== 'string') {
    pool = defaultRange(subnet);
  }
  if (!network.gateway) problems.push({ message: "fixed addresses need network.gateway (the router's address) in pi-cluster.yaml" });
  const owners = new Map<string, string>();
  for (const [hostname, address] of parsed) {
    const where = `${address.text}`;
    // One problem per address where one explains the rest (outside the subnet: the gateway is off its network too).
    if (subnet && typeof subnet !== 'string' && !cidrContains(subnet, address.ip)) {
      problems.push({ hostname, message: `${where} is not inside network.subnet ${network.subnet}` });
      continue;
    }
    if (subnet && typeof subnet !== 'string' && address.prefix !== subnet.prefix)
      problems.push({ hostname, message: `${where} has prefix /${address.prefix} but network.subnet is ${network.subnet}` });
    else if (gateway) {
      if (gateway === address.ip) problems.push({ hostname, message: `${where} is the gateway's address (network.gateway)` });
      else if (!cidrContains(address.network, gateway))
        problems.push({
          hostname,
          message: `the gateway ${gateway} is not on ${where}'s network ${address.network.network}/${address.prefix}`,
        });
    }
    if (pool && rangeContains(pool, address.ip))
      problems.push({
        hostname,
        message: `${where} is inside the MetalLB range ${pool.start}-${pool.end}${poolText ? '' : ' (the default: .200-.250 of network.subnet)'}`,
      });
    for (const [service, ip] of Object.entries(network.services)) {
      if (ip === address.ip) problems.push({ hostname, message: `${where} is network.services.${service}'s address` });
    }
    const owner = owners.get(address.ip);
    if (owner) problems.push({ hostname, message: `${address.ip} is also ${owner}'s address` });
    else owners.set(address.ip, hostname);
  }
  if (!subnet) {
    const networks = new Set([...parsed.values()].map((a) => `${a.network.network}/${a.prefix}`));
    if (networks.size > 1)
      problems.push({
        message: `the fixed addresses are on ${networks.size} networks (${[...networks].join(', ')}); set network.subnet to the one the Pis share`,
      });
  }
  return problems;
}

/** Problems of the network-wide gateway itself (whether or not any host has a fixed address). */
export function gatewayProblems(settings: AddressSettings): string[] {
  const { gateway, subnet, metallb } = settings.network;
  if (!gateway || !isIPv4(gateway)) return [];
  const problems: string[] = [];
  const cidr = subnet ? parseCidr(subnet) : undefined;
  if (cidr && typeof cidr !== 'string' && !cidrContains(cidr, gateway)) problems.push(`${gateway} is not inside network.subnet ${subnet}`);
  const range = metallb.range ? parseRange(metallb.range) : cidr && typeof cidr !== 'string' ? defaultRange(cidr) : undefined;
  if (range && typeof range !== 'string' && rangeContains(range, gateway))
    problems.push(`${gateway} is inside the MetalLB range ${range.start}-${range.end}; MetalLB would answer for the router's address`);
  return problems;
}
