/**
 * An ed25519 key pair in OpenSSH's own formats, made with Node's crypto: the private key file
 * (`-----BEGIN OPENSSH PRIVATE KEY-----`, unencrypted, as OpenSSH's PROTOCOL.key lays it out) and the
 * `ssh-ed25519 AAAA... comment` public line (RFC 8709 §4: the key is always 32 bytes).
 *
 * Not ssh2's `utils.generateKeyPairSync`: ssh2 1.17.0 strips every leading zero byte of the public key
 * (mscdex/ssh2#1390, #1513), so about one key in 256 has a 31-byte public key that OpenSSH cannot load
 * (`ssh-keygen -y`: "error in libcrypto"); a Pi flashed with one would have no usable host key.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

export interface OpenSshKeyPair {
  /** The private key file's text (ends with a newline). */
  private: string;
  /** `ssh-ed25519 <base64> <comment>`, no newline. */
  public: string;
}

const KEY_TYPE = 'ssh-ed25519';
/** The private section is padded to the cipher's block size; "none" counts as 8. */
const BLOCK = 8;

/** A length-prefixed SSH string (RFC 4251 §5). */
function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

/** The 32-byte seed and 32-byte public key of an ed25519 private key. */
function rawEd25519(privateKey: KeyObject): { seed: Buffer; pub: Buffer } {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`not an ed25519 key: ${privateKey.asymmetricKeyType}`);
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d ?? '', 'base64url');
  const pub = Buffer.from(jwk.x ?? '', 'base64url');
  if (seed.length !== 32 || pub.length !== 32) throw new Error('an ed25519 key has a 32-byte seed and public key');
  return { seed, pub };
}

/** The OpenSSH files of `privateKey` (a new random pair when not given). */
export function openSshEd25519(comment: string, privateKey: KeyObject = generateKeyPairSync('ed25519').privateKey): OpenSshKeyPair {
  const { seed, pub } = rawEd25519(privateKey);
  const publicBlob = Buffer.concat([sshString(KEY_TYPE), sshString(pub)]);
  const check = randomBytes(4); // the same twice: a wrong passphrase is seen there (none here)
  const section = Buffer.concat([
    check,
    check,
    sshString(KEY_TYPE),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ]);
  const padding = Buffer.from(Array.from({ length: (BLOCK - (section.length % BLOCK)) % BLOCK }, (_, i) => i + 1));
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'), // cipher
    sshString('none'), // KDF
    sshString(''), // KDF options
    uint32(1), // one key
    sshString(publicBlob),
    sshString(Buffer.concat([section, padding])),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return {
    private: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`,
    public: `${KEY_TYPE} ${publicBlob.toString('base64')} ${comment}`,
  };
}

/** The length of the key in an `ssh-ed25519 <base64>` line's blob: 32 when whole (string KEY_TYPE, string key). */
export function ed25519KeyLength(publicLine: string): number {
  const blob = Buffer.from(publicLine.split(/\s+/)[1] ?? '', 'base64');
  const at = 4 + KEY_TYPE.length;
  return blob.length >= at + 4 ? blob.readUInt32BE(at) : 0;
}
