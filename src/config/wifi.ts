import { pbkdf2Sync } from 'node:crypto';

/**
 * Wi-Fi settings that land in the card's wpa_supplicant.conf. The passphrase itself never does: the
 * card holds the 256-bit PSK that WPA derives from it (IEEE 802.11i: PBKDF2-HMAC-SHA1 of the
 * passphrase, salted with the SSID, 4096 rounds), the line `wpa_passphrase` prints.
 */
export function wpaPsk(ssid: string, passphrase: string): string {
  return pbkdf2Sync(Buffer.from(passphrase, 'utf8'), Buffer.from(ssid, 'utf8'), 4096, 32, 'sha1').toString('hex');
}

/** Why an SSID cannot go into wpa_supplicant.conf as ssid="...", or undefined. */
export function ssidProblem(ssid: string): string | undefined {
  const bytes = Buffer.byteLength(ssid);
  if (bytes < 1 || bytes > 32) return `is ${bytes} bytes long; an SSID has 1 to 32`;
  if ([...ssid].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || c === '"' || c === '\\'))
    return 'holds a newline, a control character, a quote or a backslash';
  return undefined;
}

/** Why a WPA passphrase cannot be used, or undefined (never repeats the passphrase). */
export function passphraseProblem(passphrase: string): string | undefined {
  if (passphrase.length < 8 || passphrase.length > 63) return `has ${passphrase.length} characters; a WPA passphrase has 8 to 63`;
  if (!/^[\x20-\x7e]+$/.test(passphrase)) return 'holds a character outside printable ASCII (a newline, a tab, or a non-ASCII letter)';
  if (/["\\]/.test(passphrase)) return 'holds a quote or a backslash';
  return undefined;
}

/** ISO 3166-1 alpha-2, as wpa_supplicant's country= takes it. */
export const COUNTRY = /^[A-Z]{2}$/;
/** A name an environment variable can have. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
