import { isDnsName } from '../config/strings.js';
import { isIPv4 } from '../config/net.js';
import { ROLES, shlexSplit, unreadableHostName, type Inventory, type Role, type UnreadableLine } from './ini.js';

/**
 * Checks of pi-hosts made on this machine before any connection (bootstrap, reset and etcd call them
 * through readClusterInventory): the Ansible 00-preflight layer repeats some of them, but --from and
 * --only skip it and it runs after the SSH preflight. Each problem is one line naming file and line.
 */

/** Variables that change how Ansible reaches a host: a file could make ssh run a command of its choosing. */
export const CONNECTION_OVERRIDES = [
  'ansible_connection',
  'ansible_ssh_common_args',
  'ansible_ssh_extra_args',
  'ansible_ssh_args',
  'ansible_ssh_executable',
  'ansible_sftp_extra_args',
  'ansible_scp_extra_args',
] as const;

export interface InventoryCheckOptions {
  /** --allow-ssh-overrides: the user means the connection variables in the file. */
  allowConnectionOverrides?: boolean;
}

const NODE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Ranges and host:port are the reader's to report (readInventoryLines): they are not names of one host. */
function nameProblem(name: string): string | undefined {
  if (isIPv4(name) || NODE_NAME.test(name)) return undefined;
  return `${name} is not a valid node name (lower-case letters, digits and dashes, or an IPv4 address)`;
}

function addressProblem(name: string, address: string): string | undefined {
  if (address.startsWith('-')) return `${name}: ansible_host=${address} looks like an ssh option, not an address`;
  if (isIPv4(address) || isDnsName(address)) return undefined;
  return `${name}: ansible_host=${JSON.stringify(address).slice(1, -1)} is not an IPv4 address or DNS name`;
}

/** key=value pairs of a host line (after the host name) or of a :vars line, read the way the parser reads them. */
function assignments(text: string, isHostLine: boolean): Array<[string, string]> {
  if (!isHostLine) {
    const eq = text.indexOf('=');
    const value = text.slice(eq + 1).trim();
    return eq > 0 ? [[text.slice(0, eq).trim(), shlexSplit(value)?.join(' ') ?? value]] : [];
  }
  return (shlexSplit(text.trim()) ?? []).slice(1).map((token) => {
    const eq = token.indexOf('=');
    return [token.slice(0, eq), token.slice(eq + 1)] as [string, string];
  });
}

/** Every problem of an inventory (with the lines the reader could not read) as "label:line: what; fix" lines, in file order. */
export function inventoryProblems(
  inventory: Inventory,
  label: string,
  options: InventoryCheckOptions = {},
  unreadable: UnreadableLine[] = [],
): string[] {
  const problems: Array<[number, string]> = unreadable.map((u) => [u.lineNumber, `${label}:${u.lineNumber}: ${u.problem}`]);
  const firstListing = new Map<string, { role: Role; line: number }>();
  const addresses = new Map<string, { name: string; line: number }>();
  inventory.lines.forEach((line, index) => {
    const lineNumber = 'lineNumber' in line && line.lineNumber ? line.lineNumber : index + 1;
    const add = (text: string) => problems.push([lineNumber, `${label}:${lineNumber}: ${text}`]);
    const isVars = line.kind === 'other' && line.section.endsWith(':vars') && line.text.includes('=');
    if (line.kind === 'host' || isVars) {
      for (const [key, value] of assignments(line.text, line.kind === 'host')) {
        if (!options.allowConnectionOverrides && (CONNECTION_OVERRIDES as readonly string[]).includes(key)) {
          add(`${key}=${JSON.stringify(value)} overrides how Ansible connects; remove it, or pass --allow-ssh-overrides if you mean it`);
        }
        if (key === 'ansible_port' && !(/^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535)) {
          add(`ansible_port=${value} is not a port (1-65535)`);
        }
        if ((key === 'ansible_user' || key === 'ansible_ssh_private_key_file') && (value.startsWith('-') || value === '')) {
          add(`${key}=${value} is not a user or file (it would be read as an ssh option)`);
        }
      }
    }
    if (line.kind !== 'host' || !ROLES.includes(line.section as Role) || unreadableHostName(line.name)) return;
    const role = line.section as Role;
    const name = nameProblem(line.name);
    if (name) add(name);
    if (line.ansibleHost !== undefined) {
      const address = addressProblem(line.name, line.ansibleHost);
      if (address) add(address);
    }
    const seen = firstListing.get(line.name);
    if (seen && seen.role === role) add(`${line.name} is listed twice in [${role}] (first on line ${seen.line}); keep one line`);
    else if (seen) add(`${line.name} is in both [${seen.role}] (line ${seen.line}) and [${role}]; keep each host in one group`);
    else firstListing.set(line.name, { role, line: lineNumber });
    const address = line.ansibleHost ?? (isIPv4(line.name) ? line.name : undefined);
    const owner = address === undefined ? undefined : addresses.get(address);
    if (owner && owner.name !== line.name)
      add(`${line.name} has the address ${address} of ${owner.name} (line ${owner.line}); each Pi has an address of its own`);
    else if (address !== undefined && !owner) addresses.set(address, { name: line.name, line: lineNumber });
  });
  return problems.sort((a, b) => a[0] - b[0]).map(([, text]) => text);
}
