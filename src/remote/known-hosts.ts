import { createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';

/**
 * OpenSSH known_hosts, read and written the way OpenSSH expects it, so that Ansible and `ssh`
 * can use the same file with `UserKnownHostsFile=...` and `StrictHostKeyChecking=yes`.
 * Lines we do not manage (comments, markers, hashed entries of other hosts) are kept verbatim.
 */

/** A server's public host key: algorithm name and the base64 of its SSH wire blob. */
export interface HostKey {
  type: string;
  base64: string;
}

/** Reads the algorithm name from an SSH public key blob (the first length-prefixed string). */
export function hostKeyFromBlob(blob: Buffer): HostKey {
  if (blob.length < 4) throw new Error('host key blob is too short');
  const length = blob.readUInt32BE(0);
  const type = blob.subarray(4, 4 + length).toString('ascii');
  return { type, base64: blob.toString('base64') };
}

/** The fingerprint OpenSSH prints (`SHA256:...` without padding). */
export function fingerprint(key: HostKey): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(key.base64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

export type HostKeyCheck = 'match' | 'unknown' | 'changed';

/** The comment `pi-cluster flash` gives the host keys it wrote onto cards. */
export const FLASHED_COMMENT = 'pi-cluster-flash';

/** `host` for port 22, `[host]:port` otherwise, as OpenSSH writes and looks up names. */
export function hostPattern(host: string, port = 22): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

interface Entry {
  kind: 'entry';
  marker?: string;
  hosts: string[];
  key: HostKey;
  comment?: string;
}
type Line = Entry | { kind: 'other'; text: string };

export class KnownHosts {
  private lines: Line[];

  private constructor(lines: Line[]) {
    this.lines = lines;
  }

  static empty(): KnownHosts {
    return new KnownHosts([]);
  }

  static parse(text: string): KnownHosts {
    return new KnownHosts(
      text
        .split('\n')
        .filter((line, i, all) => !(i === all.length - 1 && line === ''))
        .map(parseLine),
    );
  }

  /** A missing file is an empty list: the first discover creates it. */
  static async load(path: string): Promise<KnownHosts> {
    return existsSync(path) ? KnownHosts.parse(await readFile(path, 'utf8')) : KnownHosts.empty();
  }

  /** Keys recorded for any of the names (each a name, an address, or `[name]:port`). Revoked keys are ignored. */
  lookup(names: string[]): HostKey[] {
    const found: HostKey[] = [];
    for (const line of this.lines) {
      if (line.kind !== 'entry' || line.marker) continue;
      if (names.some((name) => entryMatches(line.hosts, name))) found.push(line.key);
    }
    return found;
  }

  /**
   * How `key` compares with what is recorded for `names`: recorded ("match"), nothing recorded for this
   * key type ("unknown"), or a different key of the same type ("changed", what OpenSSH refuses).
   */
  check(names: string[], key: HostKey): HostKeyCheck {
    if (this.isRevoked(key)) return 'changed';
    const known = this.lookup(names);
    if (known.some((k) => k.type === key.type && k.base64 === key.base64)) return 'match';
    if (known.some((k) => k.type === key.type)) return 'changed';
    return 'unknown';
  }

  /**
   * Records `key` for `names` (the first is the host's canonical name). Every earlier line of that name
   * is replaced, and the other names (addresses) are taken off lines of other hosts, so an address that
   * moved from one Pi to another never keeps two keys.
   */
  record(names: string[], key: HostKey, comment?: string): void {
    const [primary, ...aliases] = names;
    if (!primary) throw new Error('record() needs at least one name');
    // The same key recorded again keeps its comment (e.g. FLASHED_COMMENT): where it came from stays known.
    comment ??= this.entryOf(primary, key)?.comment;
    const next: Line[] = [];
    for (const line of this.lines) {
      if (line.kind !== 'entry' || line.marker || line.hosts.some(isHashed)) {
        next.push(line);
        continue;
      }
      if (line.hosts.includes(primary)) continue;
      const hosts = line.hosts.filter((h) => !aliases.includes(h));
      if (hosts.length) next.push({ ...line, hosts });
    }
    next.push({ kind: 'entry', hosts: [...new Set(names)], key, comment });
    this.lines = next;
  }

  /** True when `key` was recorded for `name` by `pi-cluster flash` (the key the card was written with). */
  isFlashed(name: string, key: HostKey): boolean {
    return this.entryOf(name, key)?.comment === FLASHED_COMMENT;
  }

  /** The canonical names whose recorded key is `key` (a host found by address is known by its key). */
  namesWithKey(key: HostKey): string[] {
    return this.lines.flatMap((line) =>
      line.kind === 'entry' && !line.marker && line.key.base64 === key.base64 && !isHashed(line.hosts[0]) ? [line.hosts[0]!] : [],
    );
  }

  private entryOf(name: string, key: HostKey): Entry | undefined {
    return this.lines.find(
      (line): line is Entry =>
        line.kind === 'entry' && !line.marker && line.hosts.includes(name) && line.key.type === key.type && line.key.base64 === key.base64,
    );
  }

  /** Every canonical (first) name with a managed entry, for reports. */
  names(): string[] {
    return this.lines.flatMap((line) => (line.kind === 'entry' && !line.marker && !isHashed(line.hosts[0]) ? [line.hosts[0]] : []));
  }

  toString(): string {
    const body = this.lines.map(formatLine).join('\n');
    return body ? `${body}\n` : '';
  }

  /** Writes the file atomically (temporary file + rename). Host keys are public: 0644. */
  async save(path: string): Promise<void> {
    await writeFileAtomic(path, this.toString(), { mode: 0o644 });
  }

  private isRevoked(key: HostKey): boolean {
    return this.lines.some((l) => l.kind === 'entry' && l.marker === '@revoked' && l.key.base64 === key.base64);
  }
}

function parseLine(text: string): Line {
  const trimmed = text.trim();
  if (!trimmed || trimmed.startsWith('#')) return { kind: 'other', text };
  const fields = trimmed.split(/\s+/);
  const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
  if (fields.length < 3) return { kind: 'other', text };
  const [hosts, type, base64, ...comment] = fields;
  return { kind: 'entry', marker, hosts: hosts.split(','), key: { type, base64 }, comment: comment.length ? comment.join(' ') : undefined };
}

function formatLine(line: Line): string {
  if (line.kind === 'other') return line.text;
  return [line.marker, line.hosts.join(','), line.key.type, line.key.base64, line.comment].filter(Boolean).join(' ');
}

function isHashed(pattern: string | undefined): boolean {
  return Boolean(pattern?.startsWith('|1|'));
}

/** OpenSSH's matching: hashed names, `*`/`?` wildcards, and `!` negation (a negated match wins). */
function entryMatches(patterns: string[], name: string): boolean {
  let matched = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (patternMatches(pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function patternMatches(pattern: string, name: string): boolean {
  if (isHashed(pattern)) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  if (!/[*?]/.test(pattern)) return pattern.toLowerCase() === name.toLowerCase();
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(name);
}
