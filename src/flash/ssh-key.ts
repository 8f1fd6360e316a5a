import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { userFileProblem } from '../user-files.js';
import { expandHome } from '../config/load.js';
import type { ClusterConfig } from '../config/schema.js';
import { resolveSshKeys } from '../config/ssh-keys.js';

const KEY_TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);

const GENERATE_HINT = 'create one with `pi-cluster init --generate-key`, or pass --ssh-key ~/.ssh/<key>.pub';

/**
 * The public key(s) for root's authorized_keys, from --ssh-key (a .pub path or the key text itself)
 * or the config's key. Each line must be `<type> <base64> [comment]` with the type repeated inside
 * the base64 blob, as OpenSSH checks it; a private key is refused with the reason.
 */
export async function loadPublicKeys(source: string | undefined, origin: string): Promise<string[]> {
  if (!source) throw new UserError('no SSH public key to put on the cards', { hint: GENERATE_HINT });
  let text: string;
  let label: string;
  if (looksLikeKeyText(source)) {
    text = source;
    label = '--ssh-key';
  } else {
    const path = expandHome(source);
    const problem = userFileProblem(path);
    if (problem)
      throw new UserError(`SSH public key ${source} (${origin}) ${problem}`, {
        hint: problem === 'does not exist' ? GENERATE_HINT : 'pass the .pub file of your key, e.g. --ssh-key ~/.ssh/id_ed25519.pub',
      });
    text = await readFile(path, 'utf8');
    label = source;
  }
  if (/PRIVATE KEY/.test(text)) {
    throw new UserError(`${label}: that is a private key, pass the .pub`, {
      hint: `use ${source.endsWith('.pub') ? source : `${source}.pub`} (the public half); the private key never leaves this computer`,
    });
  }
  const keys = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  if (keys.length === 0) throw new UserError(`${label} holds no SSH public key`, { hint: GENERATE_HINT });
  for (const key of keys) checkKeyLine(key, label);
  return keys;
}

function looksLikeKeyText(text: string): boolean {
  return /^(ssh-|ecdsa-|sk-)\S+\s+AAAA/.test(text.trim());
}

function checkKeyLine(line: string, label: string): void {
  const [type, blob] = line.split(/\s+/);
  const bad = (why: string) =>
    new UserError(`${label} is not an SSH public key: ${why}`, {
      hint: 'pass the .pub file that ssh-keygen wrote (one line: type, key, comment)',
    });
  if (!KEY_TYPES.has(type)) throw bad(`unknown key type ${JSON.stringify(type?.slice(0, 40))}`);
  if (!blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) throw bad('the key is not base64');
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.length < 4) throw bad('the key is too short');
  const nameLength = bytes.readUInt32BE(0);
  if (nameLength > bytes.length - 4 || bytes.toString('latin1', 4, 4 + nameLength) !== type)
    throw bad(`the key data does not match its type ${type}`);
}

/** The public keys for root on the cards: `--ssh-key`, else `ssh.publicKey` in pi-cluster.yaml, else the user's default key. */
export async function cardPublicKeys(options: { sshKey?: string; home?: string }, config: ClusterConfig): Promise<string[]> {
  const keyPath = options.sshKey ?? resolveSshKeys(config, options.home)?.publicKey;
  return loadPublicKeys(
    keyPath,
    options.sshKey ? '--ssh-key' : config.ssh.publicKey ? 'ssh.publicKey in pi-cluster.yaml' : 'your default key',
  );
}
