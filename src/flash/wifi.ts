import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expandHome } from '../config/load.js';
import type { ClusterConfig } from '../config/schema.js';
import { COUNTRY, ENV_NAME, passphraseProblem, ssidProblem, wpaPsk } from '../config/wifi.js';
import { UserError } from '../errors.js';

/** What the card's wpa_supplicant.conf holds: never the passphrase, only the PSK made from it. */
export interface WifiSettings {
  ssid: string;
  country: string;
  psk: string;
}

export interface WifiOptions {
  ssid?: string;
  country?: string;
  /** Typed at the prompt (the command layer asks); kept in memory only. */
  passphrase?: string;
  passphraseFile?: string;
  passphraseEnv?: string;
}

const HINT =
  'e.g. --wifi-ssid home --wifi-country DE --wifi-passphrase-file wifi.txt (or --wifi-passphrase at a terminal, or --wifi-passphrase-env VAR)';
const HOST_HINT = (name: string) =>
  `e.g. hosts.${name}.wifi: {ssid: garage, country: DE, passphraseEnv: GARAGE_WIFI} in pi-cluster.yaml, or wifi: false for none`;

/** A passphrase in memory, and where it came from (for messages that never repeat it). */
interface Passphrase {
  text: string;
  origin: string;
}

/** The passphrase from a file or an environment variable; `where` names the setting in messages. */
async function readPassphrase(
  source: { file?: string; variable?: string },
  where: { file: string; variable: string },
  hint: string,
  env: NodeJS.ProcessEnv,
): Promise<Passphrase | undefined> {
  const { file, variable } = source;
  if (file !== undefined) {
    try {
      return { text: (await readFile(resolve(expandHome(file)), 'utf8')).replace(/\r?\n$/, ''), origin: `the Wi-Fi passphrase in ${file}` };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UserError(
        `${where.file}: Wi-Fi passphrase file ${file} ${code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code})`}`,
        { hint },
      );
    }
  }
  if (variable !== undefined) {
    if (!ENV_NAME.test(variable))
      throw new UserError(`${where.variable} ${JSON.stringify(variable)} is not an environment variable name`, { hint });
    const value = env[variable];
    if (value === undefined)
      throw new UserError(`${where.variable}: the environment variable ${variable} (the Wi-Fi passphrase) is not set`, {
        hint: `export ${variable}=... first`,
      });
    return { text: value, origin: `the Wi-Fi passphrase in $${variable}` };
  }
  return undefined;
}

/**
 * Each host's Wi-Fi for this run: the cluster's (flags over network.wifi), replaced field by field by
 * hosts.<name>.wifi, or none for a host with `wifi: false`. Every passphrase is read and checked, and
 * each problem is one UserError, before any card is written.
 */
export async function resolveWifi(
  options: WifiOptions,
  config: ClusterConfig,
  hostnames: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Map<string, WifiSettings>> {
  const configured = config.network.wifi;
  const ssid = options.ssid ?? configured?.ssid;
  const sources = [options.passphrase !== undefined, options.passphraseFile !== undefined, options.passphraseEnv !== undefined].filter(
    Boolean,
  ).length;
  const perHost = hostnames.map((name) => [name, config.hosts.byName[name]?.wifi] as const);
  if (ssid === undefined && (sources || options.country) && !perHost.some(([, own]) => own && own.ssid)) {
    throw new UserError('a Wi-Fi passphrase or country without --wifi-ssid', { hint: HINT });
  }
  if (options.ssid !== undefined) {
    const ssidIssue = ssidProblem(options.ssid);
    if (ssidIssue) throw new UserError(`--wifi-ssid ${JSON.stringify(options.ssid)} ${ssidIssue}`, { hint: HINT });
  }
  if (options.country !== undefined && !COUNTRY.test(options.country))
    throw new UserError(`--wifi-country ${JSON.stringify(options.country)} is not a two-letter country code`, {
      hint: 'e.g. --wifi-country DE or US',
    });
  if (sources > 1)
    throw new UserError('give the Wi-Fi passphrase one way: --wifi-passphrase, --wifi-passphrase-file or --wifi-passphrase-env', {
      hint: HINT,
    });
  const country = options.country ?? configured?.country;

  // The cluster's passphrase: checked here when given, whether or not a host ends up using it.
  const shared: Passphrase | undefined =
    options.passphrase !== undefined
      ? { text: options.passphrase, origin: 'the Wi-Fi passphrase typed at the prompt' }
      : await readPassphrase(
          sources
            ? { file: options.passphraseFile, variable: options.passphraseEnv }
            : { file: configured?.passphraseFile, variable: configured?.passphraseEnv },
          sources
            ? { file: '--wifi-passphrase-file', variable: '--wifi-passphrase-env' }
            : { file: 'network.wifi.passphraseFile', variable: 'network.wifi.passphraseEnv' },
          HINT,
          env,
        );
  if (shared) {
    const issue = passphraseProblem(shared.text);
    if (issue) throw new UserError(`${shared.origin} ${issue}`, { hint: HINT });
  }

  const settings = new Map<string, WifiSettings>();
  for (const [name, own] of perHost) {
    if (own === false) continue;
    const where = own ? `hosts.${name}.wifi` : undefined;
    const hostSsid = own?.ssid ?? ssid;
    if (hostSsid === undefined) {
      if (where) throw new UserError(`${where} has no ssid, and the cluster has no Wi-Fi to take it from`, { hint: HOST_HINT(name) });
      continue;
    }
    const hostCountry = own?.country ?? country;
    if (!hostCountry) {
      throw new UserError(
        `Wi-Fi${where ? ` of ${name}` : ''} needs a country (${where ? `${where}.country, ` : ''}--wifi-country or network.wifi.country): it decides which channels the radio may use`,
        { hint: where ? HOST_HINT(name) : HINT },
      );
    }
    const hint = where ? HOST_HINT(name) : HINT;
    const passphrase =
      (own
        ? await readPassphrase(
            { file: own.passphraseFile, variable: own.passphraseEnv },
            { file: `${where}.passphraseFile`, variable: `${where}.passphraseEnv` },
            hint,
            env,
          )
        : undefined) ?? shared;
    if (!passphrase) throw new UserError(`Wi-Fi ${JSON.stringify(hostSsid)}${where ? ` of ${name}` : ''} needs a passphrase`, { hint });
    const issue = passphraseProblem(passphrase.text);
    if (issue) throw new UserError(`${passphrase.origin}${where ? ` (${name})` : ''} ${issue}`, { hint });
    settings.set(name, { ssid: hostSsid, country: hostCountry, psk: wpaPsk(hostSsid, passphrase.text) });
  }
  return settings;
}
