import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { OverlayEntry } from './overlay/render.js';

/** Where this computer keeps the tz database (Linux and macOS). */
export const SYSTEM_ZONEINFO = '/usr/share/zoneinfo';

/**
 * What Alpine's setup-timezone leaves on a diskless system for `zone` (alpine-conf setup-timezone.in,
 * without -i): the zone's TZif file copied to /etc/zoneinfo/<zone> and /etc/localtime linking to it.
 * The file comes from this computer's tz database; musl reads TZif as it is.
 */
export async function timezoneEntries(zone: string, zoneinfo = SYSTEM_ZONEINFO): Promise<OverlayEntry[]> {
  if (zone.split('/').some((part) => part === '.' || part === '..' || part === ''))
    throw new UserError(`alpine.timezone ${zone} is not a time zone name`, { hint: 'e.g. Europe/Berlin or UTC' });
  let data: Buffer;
  try {
    data = await readFile(join(zoneinfo, zone));
  } catch {
    throw new UserError(`alpine.timezone ${zone} is not in this computer's time zone database (${zoneinfo})`, {
      hint: 'check the spelling (e.g. Europe/Berlin, America/New_York, UTC); on Debian/Ubuntu the database is the tzdata package',
    });
  }
  if (data.subarray(0, 4).toString('latin1') !== 'TZif')
    throw new UserError(`${join(zoneinfo, zone)} is not a TZif time zone file`, {
      hint: 'name a zone, not a folder or an index file (e.g. Europe/Berlin)',
    });
  return [
    { type: 'file', path: `etc/zoneinfo/${zone}`, mode: 0o644, data },
    { type: 'symlink', path: 'etc/localtime', mode: 0o777, target: `/etc/zoneinfo/${zone}` },
  ];
}
