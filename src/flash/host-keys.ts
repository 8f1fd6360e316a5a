/**
 * Each card carries its Pi's SSH host key, made here: then `discover` verifies a Pi instead of
 * trusting the first key it sees, and a diskless Pi keeps one identity across reboots (its /etc
 * lives in RAM; only the apkovl persists). One ed25519 pair per hostname, kept in
 * `.pi-cluster/host-keys/` (folder 0700, private keys 0600) and reused on the next flash of that
 * hostname, so a re-flashed Pi keeps its identity and its overlay stays byte for byte the same.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../atomic-file.js';
import { FLASHED_COMMENT, KnownHosts, type HostKey } from '../remote/known-hosts.js';
import { ed25519KeyLength, openSshEd25519 } from '../remote/openssh-key.js';

export interface HostKeyPair {
  /** OpenSSH private key file content. */
  private: string;
  /** `ssh-ed25519 AAAA... root@<hostname>`. */
  public: string;
}

export function hostKeysDir(stateDir: string): string {
  return join(stateDir, 'host-keys');
}

/** The host's key pair: the stored one, or a new one (also when `rotate`), stored before it is used. */
export async function hostKeyFor(stateDir: string, hostname: string, rotate = false): Promise<HostKeyPair> {
  const dir = hostKeysDir(stateDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const privatePath = join(dir, hostname);
  const publicPath = `${privatePath}.pub`;
  if (!rotate && existsSync(privatePath) && existsSync(publicPath)) {
    const pair = { private: await readFile(privatePath, 'utf8'), public: (await readFile(publicPath, 'utf8')).trim() };
    if (!pair.private.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----') || !/^ssh-ed25519 \S+/.test(pair.public)) {
      throw new UserError(`${privatePath} is not an OpenSSH ed25519 host key pair`, {
        hint: `flash with --rotate-host-key ${hostname} to make a new one (the Pi then has a new identity)`,
      });
    }
    if (ed25519KeyLength(pair.public) !== 32) {
      // Earlier pi-cluster versions made keys with ssh2's generator, which cut one public key in 256 short.
      throw new UserError(`${privatePath}: its public key is ${ed25519KeyLength(pair.public)} bytes, not 32: OpenSSH cannot load it`, {
        hint: `flash with --rotate-host-key ${hostname} to make a new one (a card already flashed with it has no usable host key)`,
      });
    }
    await chmod(privatePath, 0o600);
    return pair;
  }
  const pair = openSshEd25519(`root@${hostname}`);
  await writeFileAtomic(privatePath, pair.private, { mode: 0o600 });
  await writeFileAtomic(publicPath, `${pair.public}\n`, { mode: 0o644 });
  return pair;
}

/** The stored public key of a hostname, read only (for `flash --dry-run`); undefined when none is kept. */
export async function storedPublicHostKey(stateDir: string, hostname: string): Promise<string | undefined> {
  const path = `${join(hostKeysDir(stateDir), hostname)}.pub`;
  if (!existsSync(path)) return undefined;
  const text = (await readFile(path, 'utf8')).trim();
  return /^ssh-ed25519 \S+/.test(text) ? text : undefined;
}

export function publicHostKey(pair: HostKeyPair): HostKey {
  const [type, base64] = pair.public.split(/\s+/);
  return { type: type!, base64: base64! };
}

/**
 * Records the flashed keys in `.pi-cluster/known_hosts` (the file discover and bootstrap read),
 * marked as flashed here so discover can say "verified". A hostname's earlier key is replaced.
 */
export async function recordFlashedKeys(knownHostsPath: string, keys: Array<{ hostname: string; pair: HostKeyPair }>): Promise<void> {
  if (!keys.length) return;
  const knownHosts = await KnownHosts.load(knownHostsPath);
  const before = knownHosts.toString();
  for (const { hostname, pair } of keys) {
    const key = publicHostKey(pair);
    if (knownHosts.isFlashed(hostname, key)) continue;
    // Addresses discover added for this hostname go with the old key: discover adds them again.
    knownHosts.record([hostname], key, FLASHED_COMMENT);
  }
  if (knownHosts.toString() !== before) await knownHosts.save(knownHostsPath);
}
