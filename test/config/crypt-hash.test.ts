/**
 * Root's console password hash: our SHA-512 crypt against OpenSSL's (`openssl passwd -6`, an
 * independent implementation of the same spec), and the forms Alpine's musl can or cannot check.
 * Alpine's own crypt (busybox cryptpw on musl) is compared in test/alpine/console-password.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { consolePasswordProblem, cryptHashProblem, DEFAULT_ROUNDS, LOCKED, sha512Crypt } from '../../src/config/crypt-hash.js';
import { parseConfigText } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';
import { needTools } from '../flash/helpers.js';

const openssl = (flag: '-5' | '-6', password: string, salt: string) =>
  execFileSync('openssl', ['passwd', flag, '-salt', salt, '-stdin'], { input: password }).toString().trim();

describe('sha512Crypt', () => {
  const cases: Array<[string, string, number]> = [
    ['correct horse battery', 'saltsaltsaltsalt', 5000],
    ['x', 'a', 5000],
    ['pässwörd ünïcode ✓', './/..AZaz09', 5000],
    ['y'.repeat(64), 'sixtyfour', 5000],
    ['z'.repeat(130), 'long', 1000],
    ['twelve chars', 'roundsalt', DEFAULT_ROUNDS],
  ];
  for (const [password, salt, rounds] of cases) {
    it(`equals openssl passwd -6 for a ${Buffer.byteLength(password)}-byte password, salt ${salt}, ${rounds} rounds`, (t) => {
      if (!needTools(t, 'openssl')) return;
      const saltArg = rounds === 5000 ? salt : `rounds=${rounds}$${salt}`;
      assert.equal(sha512Crypt(password, { salt, rounds }), openssl('-6', password, saltArg));
    });
  }

  it('makes a new 16-character salt each time and a hash Alpine can check', () => {
    const a = sha512Crypt('same password');
    const b = sha512Crypt('same password');
    assert.notEqual(a, b);
    assert.match(a, new RegExp(`^\\$6\\$rounds=${DEFAULT_ROUNDS}\\$[./0-9A-Za-z]{16}\\$[./0-9A-Za-z]{86}$`));
    assert.equal(cryptHashProblem(a), undefined);
  });
});

describe("cryptHashProblem: what may stand in root's /etc/shadow field", () => {
  it('accepts SHA-512 and SHA-256 hashes as openssl prints them, and bcrypt', (t) => {
    if (!needTools(t, 'openssl')) return;
    assert.equal(cryptHashProblem(openssl('-6', 'password1', 'abc')), undefined);
    assert.equal(cryptHashProblem(openssl('-5', 'password1', 'abc')), undefined);
    assert.equal(cryptHashProblem(`$2b$12$${'a'.repeat(53)}`), undefined);
  });

  const refused: Array<[string, string, RegExp]> = [
    ["yescrypt (Debian mkpasswd's default)", '$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7', /yescrypt.*musl/],
    ['MD5', '$1$abc$Zx1ktEA7OfJ5yp4D9XrXy0', /MD5/],
    ['DES', 'abJnggxhB/yWI', /MD5 or DES/],
    ['a plain password', 'hunter2hunter2', /not a crypt hash/],
    ['empty', '', /not a crypt hash/],
    ['a hash with a newline and a second line', `${'$6$abc$'}${'a'.repeat(86)}\nroot2::0:::::`, /newline/],
    ['a colon (a second shadow field)', `$6$abc$${'a'.repeat(86)}:0`, /colon/],
    ['a truncated SHA-512 hash', `$6$abc$${'a'.repeat(80)}`, /not a crypt hash/],
    ['$() in the salt', `$6$$(reboot)$${'a'.repeat(86)}`, /not a crypt hash/],
  ];
  for (const [what, value, reason] of refused) {
    it(`refuses ${what}`, () => {
      const problem = cryptHashProblem(value);
      assert.ok(problem, `${JSON.stringify(value)} was accepted`);
      assert.match(problem, reason);
      assert.ok(!problem.includes(value) || value === '', 'the message does not repeat the value');
    });
  }

  it('the locked marker is "*", which is not a hash (sshd still takes root\'s key; "!" would lock SSH too)', () => {
    assert.equal(LOCKED, '*');
    assert.ok(cryptHashProblem(LOCKED));
  });
});

describe('consolePasswordProblem', () => {
  it('wants 8 to 256 bytes without newlines', () => {
    assert.match(consolePasswordProblem('short') ?? '', /shorter than 8/);
    assert.match(consolePasswordProblem('x'.repeat(257)) ?? '', /longer than 256/);
    assert.match(consolePasswordProblem('eight chars\nmore') ?? '', /newline/);
    assert.equal(consolePasswordProblem('eight ch'), undefined);
  });
});

describe('console in pi-cluster.yaml', () => {
  it('defaults to nothing (flash locks root)', () => {
    const config = parseConfigText('');
    assert.equal(config.console.passwordHash, undefined);
    assert.equal(config.console.passwordHashFile, undefined);
  });

  it('takes a SHA-512 hash', () => {
    const hash = sha512Crypt('a console password', { salt: 'abc', rounds: 5000 });
    assert.equal(parseConfigText(`console:\n  passwordHash: '${hash}'\n`).console.passwordHash, hash);
  });

  const bad: Array<[string, RegExp]> = [
    ['console:\n  passwordHash: hunter2hunter2\n', /^pi-cluster\.yaml:2: console\.passwordHash: the value is not a crypt hash/],
    ['console:\n  passwordHash: "$y$j9T$abc$def"\n', /yescrypt/],
    [`console:\n  passwordHash: "$6$abc$${'a'.repeat(86)}\\nroot2::0:::::"\n`, /newline/],
    [`console:\n  passwordHash: "$6$abc$${'a'.repeat(86)}"\n  passwordHashFile: root.hash\n`, /not both/],
    ['console:\n  password: hunter2\n', /unknown setting console\.password/],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${JSON.stringify(text)} with one line naming the setting`, () => {
      assert.throws(
        () => parseConfigText(text),
        (error: unknown) => {
          assert.ok(error instanceof UserError);
          assert.match(error.message, message);
          assert.equal(error.message.split('\n').length, 1, error.message);
          assert.doesNotMatch(error.message, /hunter2/);
          return true;
        },
      );
    });
  }
});
