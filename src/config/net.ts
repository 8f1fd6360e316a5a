/** Small, exact IPv4 helpers used by config validation, discover and the Terraform variables. */

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => OCTET.test(p));
}

export function ipToInt(ip: string): number {
  if (!isIPv4(ip)) throw new Error(`${ip} is not an IPv4 address`);
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function intToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export interface Cidr {
  network: string;
  prefix: number;
  first: number;
  last: number;
}

/** Parses "a.b.c.d/n"; returns an error sentence instead of throwing so schemas can reuse it. */
export function parseCidr(text: string): Cidr | string {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  if (!match) return `${text} is not a CIDR (expected a.b.c.d/n, e.g. 192.168.1.0/24)`;
  const [, ip, bits] = match;
  if (!isIPv4(ip)) return `${ip} is not an IPv4 address`;
  const prefix = Number(bits);
  if (prefix > 32) return `/${prefix} is not a valid prefix length (0-32)`;
  const size = 2 ** (32 - prefix);
  const first = Math.floor(ipToInt(ip) / size) * size;
  if (first !== ipToInt(ip)) return `${text} has host bits set (the network is ${intToIp(first)}/${prefix})`;
  return { network: intToIp(first), prefix, first, last: first + size - 1 };
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const value = ipToInt(ip);
  return value >= cidr.first && value <= cidr.last;
}

export interface IpRange {
  start: string;
  end: string;
  first: number;
  last: number;
}

/** Parses "a.b.c.d-e.f.g.h" (MetalLB's range form). */
export function parseRange(text: string): IpRange | string {
  const parts = text.split('-').map((p) => p.trim());
  if (parts.length !== 2) return `${text} is not an address range (expected start-end, e.g. 192.168.1.200-192.168.1.250)`;
  for (const part of parts) if (!isIPv4(part)) return `${part} is not an IPv4 address`;
  const [first, last] = parts.map(ipToInt);
  if (first > last) return `${text} ends before it starts`;
  return { start: parts[0], end: parts[1], first, last };
}

export function rangeContains(range: IpRange, ip: string): boolean {
  const value = ipToInt(ip);
  return value >= range.first && value <= range.last;
}

/** .200-.250 of the subnet's last /24; for smaller subnets the same share of their addresses. */
export function defaultRange(subnet: Cidr): IpRange | undefined {
  const size = subnet.last - subnet.first + 1;
  const base = size >= 256 ? subnet.last - 255 : subnet.first;
  const span = Math.min(size, 256);
  const first = base + Math.floor((span * 200) / 256);
  const last = Math.min(base + Math.floor((span * 250) / 256), subnet.last - 1);
  if (first <= subnet.first || last < first) return undefined;
  return parseRange(`${intToIp(first)}-${intToIp(last)}`) as IpRange;
}
