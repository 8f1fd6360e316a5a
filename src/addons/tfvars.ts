/**
 * Turns pi-cluster.yaml + pi-hosts into the Terraform variables of terraform/ (cluster.auto.tfvars.json),
 * deriving what the user left out (subnet, MetalLB range, fixed service addresses) and rejecting values
 * that would break the LAN before Terraform runs. Pure: no files, no terminal.
 */
import type { ClusterConfig } from '../config/schema.js';
import { cidrContains, defaultRange, intToIp, ipToInt, isIPv4, parseCidr, parseRange, type Cidr, type IpRange } from '../config/net.js';

export { defaultRange };
import { UserError } from '../errors.js';
import type { ClusterInventory as Inventory } from '../inventory/cluster.js';

export interface TerraformVars {
  cluster: { name: string; domain: string };
  kubeconfig: { path: string; context?: string };
  network: { subnet: string; nodes: Record<string, string>; metallb_range: string; traefik_ip: string; adguard_ip: string };
  pod_cidr: string;
  nfs: { server: string | null; path: string; backup_path: string };
  addons: {
    flannel: boolean;
    metallb: boolean;
    traefik: boolean;
    adguard: boolean;
    monitoring: boolean;
    dashboard: boolean;
    etcd_backup: boolean;
  };
  /** The public half of the project's etcd backup key (.pi-cluster/etcd-backup.pub) the CronJob seals for. */
  etcd_backup_public_key?: string;
}

export interface TfvarsResult {
  vars: TerraformVars;
  /** One line per value that was derived rather than set, for the user to read. */
  derived: string[];
}

export interface TfvarsInput {
  config: ClusterConfig;
  inventory: Inventory;
  kubeconfig: { path: string; context?: string };
  /** Path of the backup key's public half; given only when the etcd backup is on. */
  etcdBackupPublicKey?: string;
}

export function buildTfvars({ config, inventory, kubeconfig, etcdBackupPublicKey }: TfvarsInput): TfvarsResult {
  const problems: string[] = [];
  const derived: string[] = [];
  const nodes = new Map<string, string>();
  for (const host of inventory.hosts) nodes.set(host.name, host.address);
  if (nodes.size === 0) {
    throw new UserError('the inventory lists no nodes', { hint: 'run `pi-cluster discover` first; it writes the nodes into pi-hosts' });
  }

  const notes: Notes = { problems, derived };
  const subnet = resolveSubnet(config, nodes, notes);
  const range = resolveRange(config, subnet, nodes, notes);
  const services = resolveServices(config, range, notes);
  checkAddons(config, subnet, range, problems);
  const addons = config.addons;

  if (problems.length) {
    throw new UserError(`the add-on settings have ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${problems.join('\n')}`, {
      hint: 'fix pi-cluster.yaml (or pi-hosts) and run again; nothing was written and Terraform did not run',
    });
  }

  return {
    derived,
    vars: {
      cluster: { name: config.cluster.name, domain: config.cluster.domain },
      kubeconfig,
      network: {
        subnet: format(subnet),
        nodes: Object.fromEntries(nodes),
        metallb_range: rangeText(range as IpRange),
        traefik_ip: services.traefik as string,
        adguard_ip: services.adguard as string,
      },
      pod_cidr: config.kubernetes.podCidr,
      nfs: { server: config.nfs.server ?? null, path: config.nfs.path, backup_path: config.nfs.backupPath },
      addons: {
        flannel: addons.flannel,
        metallb: addons.metallb,
        traefik: addons.traefik,
        adguard: addons.adguard,
        monitoring: addons.monitoring,
        dashboard: addons.dashboard,
        etcd_backup: addons.etcdBackup,
      },
      ...(addons.etcdBackup && etcdBackupPublicKey ? { etcd_backup_public_key: etcdBackupPublicKey } : {}),
    },
  };
}

/** What buildTfvars found wrong, and the values it chose where pi-cluster.yaml left them open (shown to the user). */
interface Notes {
  problems: string[];
  derived: string[];
}

/** The LAN: network.subnet as configured (every node inside it), or the smallest network of at least a /24 that holds every node. */
function resolveSubnet(config: ClusterConfig, nodes: Map<string, string>, { problems, derived }: Notes): Cidr {
  let subnet: Cidr;
  if (config.network.subnet) {
    subnet = parseCidr(config.network.subnet) as Cidr; // the schema already checked its form
    for (const [name, ip] of nodes) {
      if (!cidrContains(subnet, ip)) problems.push(`network.subnet: node ${name} (${ip}) is outside ${config.network.subnet}`);
    }
  } else {
    subnet = subnetAround([...nodes.values()]);
    derived.push(`network.subnet ${format(subnet)} (from the nodes' addresses)`);
  }

  return subnet;
}

/** MetalLB's range: as configured, or .200-.250 at the top of the subnet; inside the subnet and clear of every node. */
function resolveRange(config: ClusterConfig, subnet: Cidr, nodes: Map<string, string>, { problems, derived }: Notes): IpRange | undefined {
  let range: IpRange | undefined;
  if (config.network.metallb.range) {
    range = parseRange(config.network.metallb.range) as IpRange;
  } else {
    range = defaultRange(subnet);
    if (range) derived.push(`network.metallb.range ${rangeText(range)} (the top of the subnet)`);
    else problems.push(`network.metallb.range: the subnet ${format(subnet)} is too small for a default range; set one`);
  }
  if (range) {
    if (!cidrContains(subnet, range.start) || !cidrContains(subnet, range.end)) {
      problems.push(`network.metallb.range: ${rangeText(range)} is not inside the subnet ${format(subnet)}`);
    } else if (range.first === subnet.first || range.last === subnet.last) {
      problems.push(`network.metallb.range: ${rangeText(range)} includes the network or broadcast address of ${format(subnet)}`);
    }
    for (const [name, ip] of nodes) {
      const value = ipToInt(ip);
      if (value >= range.first && value <= range.last) {
        problems.push(
          `network.metallb.range: ${rangeText(range)} overlaps node ${name} (${ip}); MetalLB would give its address to a service`,
        );
      }
    }
  }

  return range;
}

/** Traefik's and AdGuard's fixed addresses: as configured, or the first two of the range; inside it and apart. */
function resolveServices(
  config: ClusterConfig,
  range: IpRange | undefined,
  { problems, derived }: Notes,
): { traefik?: string; adguard?: string } {
  const services = { traefik: config.network.services.traefik, adguard: config.network.services.adguard };
  if (range) {
    for (const [index, name] of (['traefik', 'adguard'] as const).entries()) {
      if (services[name]) continue;
      const ip = range.first + index <= range.last ? intToIp(range.first + index) : undefined;
      if (!ip) {
        problems.push(`network.services.${name}: the MetalLB range ${rangeText(range)} has no address left for it; widen the range`);
        continue;
      }
      services[name] = ip;
      derived.push(`network.services.${name} ${ip} (${index === 0 ? 'first' : 'second'} address of the MetalLB range)`);
    }
    for (const name of ['traefik', 'adguard'] as const) {
      const ip = services[name];
      if (ip && (ipToInt(ip) < range.first || ipToInt(ip) > range.last)) {
        problems.push(`network.services.${name}: ${ip} is outside the MetalLB range ${rangeText(range)}`);
      }
    }
    if (services.traefik && services.traefik === services.adguard) {
      problems.push(`network.services: traefik and adguard both ask for ${services.traefik}; give each its own address`);
    }
  }

  return services;
}

/** The pod network apart from the LAN, NFS where an add-on keeps data, and the add-ons each add-on needs. */
function checkAddons(config: ClusterConfig, subnet: Cidr, range: IpRange | undefined, problems: string[]): void {
  // The pod network is routed between the nodes (host-gw): it must not be part of the LAN.
  const pods = parseCidr(config.kubernetes.podCidr) as Cidr;
  if (pods.first <= subnet.last && subnet.first <= pods.last) {
    problems.push(
      `kubernetes.podCidr: ${config.kubernetes.podCidr} overlaps the LAN ${format(subnet)}; pick another range such as 10.244.0.0/16`,
    );
  }

  const addons = config.addons;
  const needsNfs = [addons.adguard && 'addons.adguard', addons.etcdBackup && 'addons.etcdBackup'].filter(Boolean);
  if (needsNfs.length && !config.nfs.server) {
    problems.push(
      `nfs.server: not set, but ${needsNfs.join(' and ')} keep${needsNfs.length > 1 ? '' : 's'} data on NFS; set it, or turn ${needsNfs.join(' and ')} off`,
    );
  }
  if (
    config.nfs.server &&
    isIPv4(config.nfs.server) &&
    range &&
    ipToInt(config.nfs.server) >= range.first &&
    ipToInt(config.nfs.server) <= range.last
  ) {
    problems.push(`nfs.server: ${config.nfs.server} is inside the MetalLB range ${rangeText(range)}`);
  }
  for (const name of ['traefik', 'adguard'] as const) {
    if (addons[name] && !addons.metallb)
      problems.push(`addons.${name}: needs a LAN address from MetalLB; turn addons.metallb on or addons.${name} off`);
  }
  for (const name of ['monitoring', 'dashboard', 'adguard'] as const) {
    if (addons[name] && !addons.traefik)
      problems.push(`addons.${name}: its web page is served through Traefik; turn addons.traefik on or addons.${name} off`);
  }
}

/** The smallest network, /24 or larger, that holds every address. */
export function subnetAround(addresses: string[]): Cidr {
  const values = addresses.map(ipToInt);
  for (let prefix = 24; prefix >= 0; prefix--) {
    const size = 2 ** (32 - prefix);
    const first = Math.floor(values[0] / size) * size;
    if (values.every((v) => v >= first && v < first + size)) return parseCidr(`${intToIp(first)}/${prefix}`) as Cidr;
  }
  throw new Error('unreachable: /0 holds every address');
}

function format(cidr: Cidr): string {
  return `${cidr.network}/${cidr.prefix}`;
}

function rangeText(range: IpRange): string {
  return `${range.start}-${range.end}`;
}
