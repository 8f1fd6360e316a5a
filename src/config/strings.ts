import { isIPv6 } from 'node:net';
import { z } from 'zod';
import { isIPv4 } from './net.js';

/**
 * Strict schemas for config strings that end up inside generated files (the card's
 * /etc/network/interfaces, kubeadm config, tfvars, fstab, ssh config). Each accepts only the
 * characters its field can hold, so a newline, quote, space, `$()` or `;` never reaches a file.
 */

/** A DNS name: dot-separated labels of letters, digits and dashes (RFC 1123), at most 253 characters. */
export function isDnsName(text: string): boolean {
  if (text.length === 0 || text.length > 253) return false;
  return text.split('.').every((label) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
}

/** True when the text holds a control character (newline, tab, NUL, DEL...). */
export function hasControlCharacter(text: string): boolean {
  return [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

/** The text with its control characters written as JSON escapes (\n), so a message stays on one line. */
export function escapeControlCharacters(text: string): string {
  return [...text].map((c) => (hasControlCharacter(c) ? JSON.stringify(c).slice(1, -1) : c)).join('');
}

/** Shows a value in a message with its invisible characters (newlines, tabs) made visible. */
export function shown(value: string): string {
  return /^[\x21-\x7e]+$/.test(value) ? value : JSON.stringify(value);
}

function custom(check: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const problem = check(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${shown(value)} ${problem}` });
  });
}

/**
 * A Linux network interface name. The kernel (dev_valid_name in net/core/dev.c) refuses empty names,
 * names of 16 bytes or more, "." and "..", and any '/', ':' or white space; we also keep out every
 * character a shell or an interfaces(5) line would read specially.
 */
export const interfaceName = custom((value) =>
  value.length === 0 || value.length > 15
    ? 'is not a network interface name (1 to 15 characters, like eth0 or end0)'
    : value === '.' || value === '..' || !/^[A-Za-z0-9_.-]+$/.test(value)
      ? 'is not a network interface name (letters, digits, dot, dash and underscore only, like eth0 or end0)'
      : undefined,
);

/** A host name or address to connect to: a DNS name, an IPv4 address, or (when allowed) an IPv6 address. */
export const hostOrAddress = (options: { ipv6?: boolean } = {}) =>
  custom((value) =>
    isIPv4(value) || isDnsName(value) || (options.ipv6 && isIPv6(value))
      ? undefined
      : `is not a host name or ${options.ipv6 ? 'IP' : 'IPv4'} address (like nas.home.arpa or 192.168.1.5)`,
  );

/** host[:port] as kubeadm's controlPlaneEndpoint takes it ([v6]:port for IPv6). */
export const hostPort = custom((value) => {
  const match = /^(?:\[([^\]]*)\]|([^:]*))(?::(\d{1,5}))?$/.exec(value);
  const host = match?.[1] ?? match?.[2];
  const hostOk = host !== undefined && (match?.[1] !== undefined ? isIPv6(host) : isIPv4(host) || isDnsName(host));
  if (!hostOk) return 'is not host[:port] (like k8s.home.arpa:6443 or 192.168.1.10)';
  const port = match?.[3];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `has port ${port}, outside 1-65535`;
  return undefined;
});

/** A path on this machine (an SSH key): anything a file system allows except control characters. */
export const localPath = custom((value) =>
  value.length === 0
    ? 'is empty (leave the setting out to use the default)'
    : hasControlCharacter(value)
      ? 'contains a control character (newline or tab); a path cannot hold one here'
      : undefined,
);

/** Characters a path written into fstab, tfvars or a Kubernetes manifest must not hold. */
export function unsafePathCharacter(value: string): string | undefined {
  return [...value].find((c) => c === ' ' || hasControlCharacter(c) || '"\'`$;\\&|<>*?'.includes(c));
}
