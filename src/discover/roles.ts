import { UserError } from '../errors.js';
import { roleOf, type InventoryHost, type Role } from '../inventory/ini.js';

/** pi2 before pi10: by the trailing number, then by name. */
export function byHostNumber(a: string, b: string): number {
  const na = Number(/(\d+)$/.exec(a)?.[1] ?? Number.NaN);
  const nb = Number(/(\d+)$/.exec(b)?.[1] ?? Number.NaN);
  if (!Number.isNaN(na) && !Number.isNaN(nb) && na !== nb) return na - nb;
  return a.localeCompare(b);
}

export interface RoleRequest {
  /** `--masters N`: the cluster should have N masters. */
  count?: number;
  /** `--master NAME ...`: these hosts are masters. */
  names?: string[];
}

export interface RolePlan {
  roleFor: (name: string) => Role;
  /** New hosts that become masters. */
  masters: string[];
  warnings: string[];
}

/**
 * Roles for hosts that are new to the inventory. Roles already in pi-hosts always win (they may be
 * hand-made); without flags the lowest-numbered host becomes the master when there is none yet.
 */
export function planRoles(found: string[], listed: InventoryHost[], request: RoleRequest): RolePlan {
  const listedNames = new Map(listed.map((h) => [h.name, h]));
  const fresh = found.filter((n) => !listedNames.has(n)).sort(byHostNumber);
  const existingMasters = listed.filter((h) => roleOf(h) === 'masters').map((h) => h.name);
  const warnings: string[] = [];
  let masters: string[];

  if (request.names?.length) {
    for (const name of request.names) {
      if (!found.includes(name) && !listedNames.has(name)) {
        throw new UserError(`--master ${name}: no host of that name was found`, {
          hint: `found: ${found.slice().sort(byHostNumber).join(', ') || 'none'}`,
        });
      }
      const host = listedNames.get(name);
      if (host && roleOf(host) !== 'masters') {
        warnings.push(
          `${name}: already listed as ${roleOf(host) ?? `in ${host.groups.join(', ')}`} in pi-hosts; kept (move its line to [masters] to change it)`,
        );
      }
    }
    masters = fresh.filter((n) => request.names!.includes(n));
  } else {
    const wanted = request.count ?? (existingMasters.length ? 0 : 1);
    if (request.count !== undefined && request.count > existingMasters.length + fresh.length) {
      throw new UserError(`--masters ${request.count}: only ${found.length} host${found.length === 1 ? '' : 's'} found`, {
        hint: 'wait for the other Pis to boot, or ask for fewer masters',
      });
    }
    masters = fresh.slice(0, Math.max(0, wanted - existingMasters.length));
    if (request.count !== undefined && existingMasters.length > request.count) {
      warnings.push(`pi-hosts already lists ${existingMasters.length} masters (${existingMasters.join(', ')}); kept`);
    }
  }
  const set = new Set(masters);
  return { roleFor: (name) => (set.has(name) ? 'masters' : 'workers'), masters, warnings };
}
