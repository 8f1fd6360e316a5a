// ed25519 key pairs in OpenSSH's formats, read back by OpenSSH itself (ssh-keygen, sshd -t) and by ssh2's
// parser; above all the one key in 256 whose public key starts with a zero byte, which ssh2 1.17.0's own
// generator writes as a 31-byte key OpenSSH cannot load (mscdex/ssh2#1390, #1513).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ssh2 from 'ssh2';
import { openSshEd25519 } from '../../src/remote/openssh-key.js';

const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-openssh-key-'));

/** A private key whose 32-byte public key starts with 0x00 (one in 256: found in a few hundred tries). */
function leadingZeroKey(): KeyObject {
  for (;;) {
    const { privateKey } = generateKeyPairSync('ed25519');
    if (Buffer.from(privateKey.export({ format: 'jwk' }).x!, 'base64url')[0] === 0) return privateKey;
  }
}

function write(name: string, text: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode });
  return path;
}

/** What OpenSSH derives from the private key file: `ssh-ed25519 <base64>`. */
const derived = (path: string) =>
  execFileSync('ssh-keygen', ['-y', '-f', path], { encoding: 'utf8' }).trim().split(' ').slice(0, 2).join(' ');

describe('OpenSSH ed25519 key files made with Node crypto', () => {
  it('a public key with a leading zero byte: 32 bytes kept, and OpenSSH and ssh2 read the pair', () => {
    const pair = openSshEd25519('root@pi7', leadingZeroKey());
    const blob = Buffer.from(pair.public.split(' ')[1]!, 'base64');
    assert.equal(blob.readUInt32BE(15), 32, 'string "ssh-ed25519" (4 + 11 bytes), then the key: 32 bytes long');
    assert.equal(blob[19], 0, 'its first byte is the zero');
    const path = write('zero', pair.private);
    assert.equal(derived(path), pair.public.split(' ').slice(0, 2).join(' '));
    assert.match(execFileSync('ssh-keygen', ['-l', '-f', path], { encoding: 'utf8' }), /^256 SHA256:\S+ root@pi7 \(ED25519\)$/m);
    const parsed = ssh2.utils.parseKey(pair.private);
    assert.ok(!(parsed instanceof Error), String(parsed));
    const key = Array.isArray(parsed) ? parsed[0]! : parsed;
    assert.deepEqual(key.getPublicSSH(), blob);
    // The pair signs and verifies: ssh2's parsed private key signs, its public half verifies.
    const data = Buffer.from('pi-cluster');
    assert.ok(key.verify(data, key.sign(data) as Buffer));
  });

  it('64 random pairs: each file is read back by ssh-keygen to the same public key, comment kept', () => {
    for (let i = 0; i < 64; i++) {
      const pair = openSshEd25519(`root@pi${i}`);
      assert.match(pair.private, /^-----BEGIN OPENSSH PRIVATE KEY-----\n([A-Za-z0-9+/=]{1,70}\n)+-----END OPENSSH PRIVATE KEY-----\n$/);
      assert.equal(derived(write(`k${i}`, pair.private)), pair.public.split(' ').slice(0, 2).join(' '));
      assert.equal(pair.public.split(' ')[2], `root@pi${i}`);
    }
  });

  it("sshd's own configuration test loads it as a host key", { skip: !existsSync('/usr/sbin/sshd') && 'no /usr/sbin/sshd' }, () => {
    const key = write('host', openSshEd25519('root@pi0', leadingZeroKey()).private);
    const config = write('sshd_config', `HostKey ${key}\nPidFile none\n`, 0o644);
    const result = spawnSync('/usr/sbin/sshd', ['-t', '-f', config], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  it('refuses a key that is not ed25519', () => {
    assert.throws(() => openSshEd25519('x', generateKeyPairSync('x25519').privateKey), /not an ed25519 key: x25519/);
  });
});
