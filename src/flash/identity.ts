/**
 * Everything that makes one card this host's and not another's, resolved once per run before
 * anything is written: fixed addresses, Wi-Fi, time zone, NTP servers, root's console password.
 * `flash` renders it into each overlay; `flash --dry-run` prints it.
 */
import type { ClusterConfig } from '../config/schema.js';
import { resolveAddresses, type StaticAddress } from './addresses.js';
import { resolveConsolePassword, type ConsolePassword } from './console-password.js';
import type { HostKeyPair } from './host-keys.js';
import type { OverlayEntry, OverlayVariables } from './overlay/render.js';
import { keymapEntries } from './keymap.js';
import { timezoneEntries } from './timezone.js';
import { parseKeymap } from '../config/keymap.js';
import { resolveWifi, type WifiOptions, type WifiSettings } from './wifi.js';

export interface IdentityOptions {
  addresses?: string[];
  consolePasswordHash?: string;
  consolePasswordFile?: string;
  wifi?: WifiOptions;
  zoneinfoDir?: string;
}

export interface RunIdentity {
  addresses: Map<string, StaticAddress>;
  consolePassword: ConsolePassword;
  /** Per host; a host without Wi-Fi has no entry. */
  wifi: Map<string, WifiSettings>;
  /** Files and links made by code, not templates: etc/zoneinfo/<zone> and etc/localtime (or nothing: UTC), the keymap's links. */
  extraEntries: OverlayEntry[];
}

/** Reads and checks every identity input; each problem is a UserError before any card is touched. */
export async function resolveRunIdentity(options: IdentityOptions, config: ClusterConfig, hostnames: string[]): Promise<RunIdentity> {
  const addresses = resolveAddresses(options.addresses, config, hostnames);
  const timezone = config.alpine.timezone ? await timezoneEntries(config.alpine.timezone, options.zoneinfoDir) : [];
  const wifi = await resolveWifi(options.wifi ?? {}, config, hostnames);
  const consolePassword = await resolveConsolePassword({ hash: options.consolePasswordHash, file: options.consolePasswordFile }, config);
  const keymap = config.alpine.keymap ? keymapEntries(parseKeymap(config.alpine.keymap)) : [];
  return { addresses, consolePassword, wifi, extraEntries: [...timezone, ...keymap] };
}

/** The overlay template variables of one host. */
export function overlayVariables(
  hostname: string,
  identity: RunIdentity,
  card: { keys: string[]; hostKey: HostKeyPair; version: string },
  config: ClusterConfig,
): OverlayVariables {
  const [major, minor] = card.version.split('.');
  return {
    hostname,
    domain: config.cluster.domain,
    interface: config.network.interface,
    sshPublicKeys: card.keys,
    hostKey: card.hostKey,
    alpine: { version: card.version, branch: `v${major}.${minor}`, mirror: config.alpine.mirror.replace(/\/+$/, '') },
    bootMedia: '/media/mmcblk0p1',
    consolePasswordHash: identity.consolePassword.hash,
    address: identity.addresses.get(hostname),
    ntp: config.network.ntp,
    wifi: identity.wifi.get(hostname),
    keymap: config.alpine.keymap ? parseKeymap(config.alpine.keymap) : undefined,
  };
}
