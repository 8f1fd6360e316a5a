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

const HINT = 'e.g. --wifi-ssid home --wifi-country DE --wifi-passphrase-file wifi.txt (or --wifi-passphrase at a terminal, or --wifi-passphrase-env VAR)';

/** The cluster's Wi-Fi from flags over network.wifi, or undefined when none is asked for. */
export async function resolveWifi(options: WifiOptions, config: ClusterConfig, env: NodeJS.ProcessEnv = process.env): Promise<WifiSettings | undefined> {
  const configured = config.network.wifi;
  const ssid = options.ssid ?? configured?.ssid;
  const sources = [options.passphrase !== undefined, options.passphraseFile !== undefined, options.passphraseEnv !== undefined].filter(Boolean).length;
  if (ssid === undefined) {
    if (sources || options.country) throw new UserError('a Wi-Fi passphrase or country without --wifi-ssid', { hint: HINT });
    return undefined;
  }
  const ssidIssue = ssidProblem(ssid);
  if (ssidIssue) throw new UserError(`--wifi-ssid ${JSON.stringify(ssid)} ${ssidIssue}`, { hint: HINT });
  const country = options.country ?? configured?.country;
  if (!country) throw new UserError('Wi-Fi needs a country (--wifi-country or network.wifi.country): it decides which channels the radio may use', { hint: HINT });
  if (!COUNTRY.test(country)) throw new UserError(`--wifi-country ${JSON.stringify(country)} is not a two-letter country code`, { hint: 'e.g. --wifi-country DE or US' });
  if (sources > 1) throw new UserError('give the Wi-Fi passphrase one way: --wifi-passphrase, --wifi-passphrase-file or --wifi-passphrase-env', { hint: HINT });

  let passphrase: string;
  let origin: string;
  const file = options.passphraseFile ?? (sources ? undefined : configured?.passphraseFile);
  const variable = options.passphraseEnv ?? (sources ? undefined : configured?.passphraseEnv);
  if (options.passphrase !== undefined) {
    passphrase = options.passphrase;
    origin = 'the Wi-Fi passphrase typed at the prompt';
  } else if (file !== undefined) {
    origin = `the Wi-Fi passphrase in ${file}`;
    try {
      passphrase = (await readFile(resolve(expandHome(file)), 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UserError(`Wi-Fi passphrase file ${file} ${code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code})`}`, { hint: HINT });
    }
  } else if (variable !== undefined) {
    if (!ENV_NAME.test(variable)) throw new UserError(`--wifi-passphrase-env ${JSON.stringify(variable)} is not an environment variable name`, { hint: HINT });
    const value = env[variable];
    if (value === undefined) throw new UserError(`the environment variable ${variable} (the Wi-Fi passphrase) is not set`, { hint: `export ${variable}=... first, or use --wifi-passphrase at a terminal` });
    passphrase = value;
    origin = `the Wi-Fi passphrase in $${variable}`;
  } else {
    throw new UserError(`Wi-Fi ${JSON.stringify(ssid)} needs a passphrase`, { hint: HINT });
  }
  const issue = passphraseProblem(passphrase);
  if (issue) throw new UserError(`${origin} ${issue}`, { hint: HINT });
  return { ssid, country, psk: wpaPsk(ssid, passphrase) };
}
