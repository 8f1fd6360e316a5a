/**
 * What mDNS answers say about hosts, merged per host name. Pure: the browser feeds it services
 * (from `_ssh._tcp` and `_workstation._tcp`) and address records, in whatever order they arrive.
 */

export type ServiceKind = 'ssh' | 'workstation';

export interface MdnsHost {
  /** Host name without `.local`: pi0. */
  name: string;
  /** The mDNS name: pi0.local. */
  hostname: string;
  address?: string;
  /** Announced by avahi's workstation service: `pi0 [dc:a6:32:01:02:03]`. */
  mac?: string;
  sshPort?: number;
  services: ServiceKind[];
  /** Local interface the answer came in on. */
  via?: string;
  /** Milliseconds from the start of the browse until the host had a name and an address. */
  foundMs?: number;
}

export interface ServiceAnswer {
  kind: ServiceKind;
  /** Instance name: `pi0` for ssh, `pi0 [dc:a6:32:..]` for workstation. */
  instance: string;
  /** SRV target, e.g. pi0.local. */
  target?: string;
  port?: number;
  addresses?: string[];
}

const MAC_IN_NAME = /\[([0-9a-f]{2}(?::[0-9a-f]{2}){5})\]\s*$/i;

export function macFromWorkstationName(instance: string): string | undefined {
  return MAC_IN_NAME.exec(instance)?.[1].toLowerCase();
}

export function shortName(hostname: string): string {
  return hostname
    .replace(/\.$/, '')
    .replace(/\.local$/i, '')
    .toLowerCase();
}

export class MdnsHostTable {
  private readonly hosts = new Map<string, MdnsHost>();
  /** A records seen before the service that names their host. */
  private readonly addresses = new Map<string, string[]>();
  /** MACs from workstation SRV records, by mDNS name, so a host reported via ssh first carries it. */
  private readonly macs = new Map<string, string>();

  constructor(
    private readonly elapsed: () => number,
    /** Picks among several addresses of one host (e.g. the one on the interface it answered on). */
    private readonly preferAddress: (candidates: string[], via?: string) => string | undefined = (c) => c[0],
  ) {}

  /** Returns the host when this answer made it complete (name + address) for the first time. */
  addService(answer: ServiceAnswer, via?: string): MdnsHost | undefined {
    const hostname = (answer.target ?? `${answer.instance.replace(MAC_IN_NAME, '').trim()}.local`).replace(/\.$/, '').toLowerCase();
    const host = this.hostFor(hostname, via);
    if (!host.services.includes(answer.kind)) host.services.push(answer.kind);
    if (answer.kind === 'ssh' && answer.port) host.sshPort = answer.port;
    const mac =
      host.mac ?? (answer.kind === 'workstation' ? macFromWorkstationName(answer.instance) : undefined) ?? this.macs.get(hostname);
    if (mac) host.mac = mac;
    const ipv4 = (answer.addresses ?? []).filter((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a));
    return this.resolve(host, ipv4.length ? ipv4 : (this.addresses.get(hostname) ?? []), via);
  }

  /** An A record; returns the host when it completed it. */
  addAddress(hostname: string, address: string, via?: string): MdnsHost | undefined {
    const key = hostname.replace(/\.$/, '').toLowerCase();
    const list = this.addresses.get(key) ?? [];
    if (!list.includes(address)) list.push(address);
    this.addresses.set(key, list);
    const host = this.hosts.get(key);
    return host ? this.resolve(host, list, via) : undefined;
  }

  /** A workstation record seen in a packet, before the services in it are reported. */
  noteWorkstation(instance: string, target: string): void {
    const mac = macFromWorkstationName(instance);
    if (mac) this.macs.set(target.replace(/\.$/, '').toLowerCase(), mac);
  }

  /** mDNS names seen in a service answer whose address is still unknown. */
  unresolved(): string[] {
    return [...this.hosts.values()].filter((h) => !h.address).map((h) => h.hostname);
  }

  /** Hosts with an address, in the order they were found. */
  found(): MdnsHost[] {
    return [...this.hosts.values()].filter((h) => h.address).sort((a, b) => (a.foundMs ?? 0) - (b.foundMs ?? 0));
  }

  private hostFor(hostname: string, via?: string): MdnsHost {
    let host = this.hosts.get(hostname);
    if (!host) {
      host = { name: shortName(hostname), hostname, services: [], via };
      this.hosts.set(hostname, host);
    }
    return host;
  }

  private resolve(host: MdnsHost, candidates: string[], via?: string): MdnsHost | undefined {
    if (host.address || !candidates.length) return undefined;
    host.address = this.preferAddress(candidates, via) ?? candidates[0];
    host.via ??= via;
    host.foundMs = Math.round(this.elapsed());
    return host;
  }
}
