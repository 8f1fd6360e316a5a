import { createHash, randomBytes } from 'node:crypto';

/**
 * Root's console password on the Pi, as /etc/shadow holds it. Alpine checks it with musl's crypt(),
 * which knows SHA-512 ($6$), SHA-256 ($5$) and bcrypt ($2a$/$2b$/$2y$) but not yescrypt ($y$, the
 * default of Debian's mkpasswd) nor the weak MD5 and DES forms: those would lock root out silently.
 */

/** Shadow's "no password will ever match": root logs in only with its SSH key. */
export const LOCKED = '*';

const B64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SALT = /^[./0-9A-Za-z]{1,16}$/;
const FORMS: Array<[RegExp, string]> = [
  [/^\$6\$(rounds=\d{1,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$/, 'SHA-512'],
  [/^\$5\$(rounds=\d{1,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{43}$/, 'SHA-256'],
  [/^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./0-9A-Za-z]{53}$/, 'bcrypt'],
];

/** undefined when `text` is a crypt hash Alpine can check, else why not (one sentence, without the text). */
export function cryptHashProblem(text: string): string | undefined {
  if (FORMS.some(([form]) => form.test(text))) return undefined;
  if (/[\r\n:]/.test(text)) return 'holds a newline or a colon: not one crypt hash (expected one line like $6$salt$...)';
  if (text.startsWith('$y$') || text.startsWith('$7$'))
    return "is a yescrypt/scrypt hash, which Alpine's musl cannot check (root could never log in); make a SHA-512 one with `openssl passwd -6`";
  if (text.startsWith('$1$') || /^[./0-9A-Za-z]{13}$/.test(text))
    return 'is an MD5 or DES hash, too weak to keep on a card; make a SHA-512 one with `openssl passwd -6`';
  return 'is not a crypt hash Alpine can check (expected SHA-512 $6$..., SHA-256 $5$... or bcrypt $2b$... as `openssl passwd -6` prints)';
}

/** Default rounds of `sha512Crypt`: what an attacker with the card pays per guess (glibc/musl default is 5000). */
export const DEFAULT_ROUNDS = 100_000;

/**
 * SHA-512 crypt ("$6$"), as specified by Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512"
 * (the form glibc, musl and OpenSSL's `passwd -6` make). A random 16-character salt when none is given.
 */
export function sha512Crypt(password: string, options: { salt?: string; rounds?: number } = {}): string {
  const salt = options.salt ?? randomSalt();
  if (!SALT.test(salt)) throw new Error('salt must be 1-16 characters of [./0-9A-Za-z]');
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 1000 || rounds > 999_999_999) throw new Error('rounds must be 1000..999999999');
  const key = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt, 'ascii');
  const sha = (...parts: Buffer[]) => {
    const hash = createHash('sha512');
    for (const part of parts) hash.update(part);
    return hash.digest();
  };
  /** `length` bytes of `block` repeated. */
  const stretch = (block: Buffer, length: number) =>
    Buffer.concat(Array.from({ length: Math.ceil(length / block.length) }, () => block)).subarray(0, length);

  const alternate = sha(key, s, key);
  const first = [key, s, stretch(alternate, key.length)];
  for (let n = key.length; n > 0; n >>= 1) first.push(n & 1 ? alternate : key);
  let digest = sha(...first);
  const p = stretch(sha(...Array.from({ length: key.length }, () => key)), key.length);
  const saltBytes = stretch(sha(...Array.from({ length: 16 + digest[0]! }, () => s)), s.length);
  for (let i = 0; i < rounds; i++) {
    const parts: Buffer[] = [i & 1 ? p : digest];
    if (i % 3) parts.push(saltBytes);
    if (i % 7) parts.push(p);
    parts.push(i & 1 ? digest : p);
    digest = sha(...parts);
  }
  let encoded = '';
  const put = (b2: number, b1: number, b0: number, chars: number) => {
    let word = (b2 << 16) | (b1 << 8) | b0;
    for (let c = 0; c < chars; c++, word >>= 6) encoded += B64[word & 63];
  };
  // The spec's byte order: 21 groups of three bytes 21 apart, then the last byte alone.
  for (let k = 0; k < 21; k++) {
    const a = (k * 22) % 63;
    put(digest[a]!, digest[(a + 21) % 63]!, digest[(a + 42) % 63]!, 4);
  }
  put(0, 0, digest[63]!, 2);
  return `$6$${rounds === 5000 ? '' : `rounds=${rounds}$`}${salt}$${encoded}`;
}

function randomSalt(): string {
  return [...randomBytes(16)].map((byte) => B64[byte & 63]).join('');
}

/** Why a console password typed at the prompt cannot be used, or undefined. */
export function consolePasswordProblem(password: string): string | undefined {
  if (password.length < 8) return 'is shorter than 8 characters';
  if (Buffer.byteLength(password) > 256) return "is longer than 256 bytes (musl's crypt stops there)";
  if (/[\0\r\n]/.test(password)) return 'holds a newline or NUL';
  return undefined;
}
