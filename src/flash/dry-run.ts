import type { ClusterConfig } from '../config/schema.js';
import { stateDir } from '../paths.js';
import { fingerprint } from '../remote/known-hosts.js';
import { storedPublicHostKey, publicHostKey } from './host-keys.js';
import { resolveHostnames } from './hostnames.js';
import { overlayVariables, resolveRunIdentity, type IdentityOptions } from './identity.js';
import { loadOverlay } from './overlay/render.js';
import { checkAlpineVersion } from './release/latest.js';
import { cardPublicKeys } from './ssh-key.js';

/** One card as `flash --dry-run` shows it. */
export interface CardPlan {
  hostname: string;
  /** "DHCP on eth0" or "192.168.1.51/24 on eth0, gateway ..., dns ..." */
  address: string;
  wifi?: string;
  /** The fingerprint of the kept host key, or undefined when the card would get a new one. */
  hostKey?: string;
  consolePassword: string;
  keymap: string;
  time: string;
  /** The overlay's files and links: mode and path (content never shown: keys and hashes are in it). */
  files: Array<{ mode: string; path: string; target?: string }>;
}

export interface DryRunOptions extends IdentityOptions {
  config: ClusterConfig;
  hostname?: string;
  hostnames?: string[];
  count?: number | true;
  devices?: string[];
  outputs?: string[];
  sshKey?: string;
  alpine?: string;
  rotateHostKeys?: string[];
  stateDir?: string;
  overlayDir?: string;
  home?: string;
}

const PLACEHOLDER_KEY = { private: '(made when the card is written)\n', public: 'ssh-ed25519 AAAA (new)' };

/**
 * `flash --dry-run`: every check of the real run that reads no drive and downloads nothing (names,
 * SSH key, addresses, Wi-Fi, time zone, console password), then each card's identity and overlay
 * file list. Writes nothing: a host key that does not exist yet is not made.
 */
export async function planCards(options: DryRunOptions): Promise<CardPlan[]> {
  const { config } = options;
  const keys = await cardPublicKeys(options, config);
  const version = checkAlpineVersion(options.alpine ?? config.alpine.version);
  const hostnames = resolveHostnames(options, config, Math.max(options.devices?.length ?? 0, options.outputs?.length ?? 0, 1));
  const identity = await resolveRunIdentity(options, config, hostnames);
  const overlay = await loadOverlay(options.overlayDir);
  const rotate = new Set(options.rotateHostKeys ?? []);
  const plans: CardPlan[] = [];
  for (const hostname of hostnames) {
    const stored = rotate.has(hostname) ? undefined : await storedPublicHostKey(options.stateDir ?? stateDir(), hostname);
    const entries = overlay.render(
      overlayVariables(hostname, identity, { keys, hostKey: PLACEHOLDER_KEY, version }, config),
      identity.extraEntries,
    );
    const address = identity.addresses.get(hostname);
    const wifi = identity.wifi.get(hostname);
    plans.push({
      hostname,
      address: address
        ? `${address.cidr} on ${config.network.interface}, gateway ${address.gateway}, dns ${address.dns.join(' ')}`
        : `DHCP on ${config.network.interface}`,
      wifi: wifi ? `${wifi.ssid} (country ${wifi.country}) on wlan0, wired preferred` : undefined,
      hostKey: stored ? fingerprint(publicHostKey({ private: '', public: stored })) : undefined,
      consolePassword: identity.consolePassword.source,
      keymap: config.alpine.keymap ?? "us (the kernel's default)",
      time: `${config.alpine.timezone ?? 'UTC'}, NTP ${config.network.ntp?.join(' ') ?? "pool.ntp.org (chrony's default)"}`,
      files: entries.map((entry) => ({
        mode: `${entry.type === 'directory' ? 'd' : entry.type === 'symlink' ? 'l' : '-'}${(entry.mode & 0o777).toString(8).padStart(4, '0')}`,
        path: entry.path,
        target: entry.type === 'symlink' ? entry.target : undefined,
      })),
    });
  }
  return plans;
}
