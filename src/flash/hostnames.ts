import { UserError } from '../errors.js';
import type { ClusterConfig } from '../config/schema.js';

const HOSTNAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface HostnameFlags {
  hostname?: string;
  hostnames?: string[];
  /** --count N, or true for --count without a number (hosts.count from the config). */
  count?: number | true;
}

/**
 * The hostnames to flash, one per card: --hostname NAME, --hostnames a,b,c, --count N (prefix+start..
 * from the config), or as many as there are targets when none of those is given.
 */
export function resolveHostnames(flags: HostnameFlags, config: ClusterConfig, targets: number): string[] {
  const given = [flags.hostname !== undefined, flags.hostnames !== undefined, flags.count !== undefined].filter(Boolean).length;
  if (given > 1)
    throw new UserError('use one of --hostname, --hostnames and --count', {
      hint: '--hostname pi0 for one card, --hostnames pi0,pi1 or --count 2 for several',
    });
  let names: string[];
  if (flags.hostname !== undefined) names = [flags.hostname];
  else if (flags.hostnames !== undefined) {
    names = flags.hostnames.map((name) => name.trim());
    // 'pi0,,pi1' or a trailing comma is a typo: refuse it rather than flash fewer cards than meant.
    if (names.length > 1 && names.some((name) => name === '')) {
      throw new UserError(`--hostnames ${flags.hostnames.join(',')} has an empty name`, {
        hint: 'list the names with one comma between each, e.g. --hostnames pi0,pi1,pi2',
      });
    }
    names = names.filter(Boolean);
  } else {
    const count = flags.count === true ? config.hosts.count : (flags.count ?? Math.max(1, targets));
    if (!Number.isInteger(count) || count < 1 || count > 256)
      throw new UserError(`--count must be a whole number from 1 to 256, got ${count}`, { hint: 'e.g. --count 3' });
    names = Array.from({ length: count }, (_, i) => `${config.hosts.prefix}${config.hosts.start + i}`);
  }
  if (names.length === 0) throw new UserError('--hostnames is empty', { hint: 'e.g. --hostnames pi0,pi1,pi2' });
  for (const name of names) {
    if (!HOSTNAME.test(name)) {
      throw new UserError(`${JSON.stringify(name)} is not a valid hostname`, {
        hint: 'use lower-case letters, digits and dashes, starting with a letter (e.g. pi0)',
      });
    }
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new UserError(`hostname ${name} is given twice`, { hint: 'every card needs its own hostname' });
    seen.add(name);
  }
  return names;
}

/** `cards/{hostname}.img` -> `cards/pi0.img`; `pi.img` -> `pi-pi0.img` when several cards share one --output. */
export function outputFor(template: string, hostname: string, several: boolean): string {
  if (template.includes('{hostname}')) return template.replaceAll('{hostname}', hostname);
  if (!several) return template;
  const match = /^(.*?)(\.[A-Za-z0-9]+)?$/.exec(template) as RegExpExecArray;
  return `${match[1]}-${hostname}${match[2] ?? ''}`;
}
