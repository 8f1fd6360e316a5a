// The lab's address plan and interface names. Pure: no system calls, so it is cheap to test.
import { createHash } from 'node:crypto';

/** TEST-NET-2 (RFC 5737): never routed on the Internet; the machine's uplink sits elsewhere. */
export const LAB_SUBNET = '198.51.100.0/24';
export const LAB_PREFIX_LENGTH = 24;
export const BRIDGE_ADDRESS = '198.51.100.1';
/**
 * The hosts' default gateway: an address nobody answers for. Ansible's default_ipv4 facts need a
 * default route, yet no packet of a lab host may leave the lab, whatever the machine's forwarding.
 */
export const DEAD_GATEWAY = '198.51.100.254';
const SUBNET_PREFIX = '198.51.100.';
const FIRST_HOST_OCTET = 10;
const LAST_HOST_OCTET = 253;

/** Raspberry Pi Trading's OUI: discover tells Pis apart by it. */
export const PI_MAC_PREFIX = 'dc:a6:32';

const LAB_NAME = /^[a-z][a-z0-9]{0,7}$/;
const HOST_NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** Kernel interface names are at most 15 bytes; the lab name is short so its names always fit. */
export function assertLabName(name: string): void {
  if (!LAB_NAME.test(name)) throw new Error(`lab name "${name}": use 1 to 8 lower-case letters and digits, starting with a letter`);
}

export function assertHostName(name: string): void {
  if (!HOST_NAME.test(name)) throw new Error(`host name "${name}": use lower-case letters, digits and inner dashes (at most 32)`);
}

export function bridgeName(lab: string): string {
  return `${lab}-br`;
}

/** The root-namespace end of a host's veth pair; the other end is the host's eth0. */
export function vethName(lab: string, index: number): string {
  return `${lab}-v${index}`;
}

export function netnsName(lab: string, host: string): string {
  return `${lab}-${host}`;
}

/** The address a host gets by default: .10 for the first, .11 for the second... */
export function defaultHostAddress(index: number): string {
  const octet = FIRST_HOST_OCTET + index;
  if (!Number.isInteger(index) || index < 0 || octet > LAST_HOST_OCTET) throw new Error(`no lab address left for host number ${index}`);
  return SUBNET_PREFIX + octet;
}

/** Refuses any address outside the lab's hosts range: tests must only ever reach lab hosts. */
export function assertHostAddress(ip: string): void {
  const octet = ip.startsWith(SUBNET_PREFIX) ? ip.slice(SUBNET_PREFIX.length) : '';
  const value = /^\d{1,3}$/.test(octet) ? Number(octet) : NaN;
  if (!(value >= 2 && value <= LAST_HOST_OCTET)) {
    throw new Error(`${ip} is not a lab host address: use ${SUBNET_PREFIX}2 to ${SUBNET_PREFIX}${LAST_HOST_OCTET}`);
  }
}

/** A MAC with the Pi vendor prefix, derived from the host's name so that it is the same every run. */
export function piMacAddress(host: string, taken: ReadonlySet<string> = new Set()): string {
  for (let attempt = 0; ; attempt++) {
    const digest = createHash('sha256')
      .update(attempt === 0 ? host : `${host}#${attempt}`)
      .digest();
    const mac = [PI_MAC_PREFIX, ...[0, 1, 2].map((i) => digest[i].toString(16).padStart(2, '0'))].join(':');
    if (!taken.has(mac)) return mac;
  }
}
