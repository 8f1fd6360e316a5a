import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { UserError } from '../errors.js';
import { cidrContains, intToIp, ipToInt, isIPv4, parseCidr, type Cidr } from '../config/net.js';

/** A local IPv4 interface mDNS can be browsed on. */
export interface LocalInterface {
  name: string;
  address: string;
  /** The attached network, e.g. 198.51.100.0/24. */
  network: string;
  internal: boolean;
  multicast: boolean;
}

const IFF_MULTICAST = 0x1000;

/** Up IPv4 interfaces (Node lists only up and running ones), with their multicast flag where the OS tells it. */
export function listInterfaces(readFlags: (name: string) => number | undefined = sysfsFlags): LocalInterface[] {
  const result: LocalInterface[] = [];
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    for (const info of addresses ?? []) {
      if (info.family !== 'IPv4') continue;
      const flags = readFlags(name);
      const network = parseCidr(networkOf(info.cidr ?? `${info.address}/32`));
      result.push({
        name,
        address: info.address,
        network: typeof network === 'string' ? `${info.address}/32` : `${network.network}/${network.prefix}`,
        internal: info.internal,
        // Without /sys (macOS), assume every non-loopback interface can multicast.
        multicast: flags === undefined ? !info.internal : (flags & IFF_MULTICAST) !== 0,
      });
    }
  }
  return result;
}

/**
 * The interfaces to browse: every non-loopback multicast interface by default, or those named by
 * `--interface` (a name such as eth0 or one of the machine's addresses).
 */
export function selectInterfaces(all: LocalInterface[], requested: string[] = []): LocalInterface[] {
  if (!requested.length) {
    const chosen = all.filter((i) => !i.internal && i.multicast);
    if (!chosen.length) {
      throw new UserError('no network interface with IPv4 and multicast is up', {
        hint: 'connect to the network the Pis are on, or use --sweep CIDR',
      });
    }
    return chosen;
  }
  const chosen: LocalInterface[] = [];
  for (const wanted of requested) {
    const matches = all.filter((i) => i.name === wanted || i.address === wanted);
    if (!matches.length) {
      const known = all.map((i) => `${i.name} (${i.address})`).join(', ') || 'none';
      throw new UserError(`unknown interface ${wanted}`, {
        hint: `${isIPv4(wanted) ? 'no interface has that address' : 'no interface of that name with an IPv4 address'}; available: ${known}`,
      });
    }
    for (const match of matches) if (!chosen.some((c) => c.address === match.address)) chosen.push(match);
  }
  return chosen;
}

/** The interface whose network holds `address` (a responder answers from its own address). */
export function interfaceFor(interfaces: LocalInterface[], address: string): LocalInterface | undefined {
  if (!isIPv4(address)) return undefined;
  return interfaces.find((i) => cidrContains(parseCidr(i.network) as Cidr, address));
}

function networkOf(cidr: string): string {
  const [ip, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return `${intToIp(Math.floor(ipToInt(ip) / size) * size)}/${bits}`;
}

function sysfsFlags(name: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
  } catch {
    return undefined;
  }
}
