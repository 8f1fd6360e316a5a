import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { KnownHosts, fingerprint, hostKeyFromBlob, mapBounded } from '../../src/remote/index.js';

const ED_A = { type: 'ssh-ed25519', base64: 'AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };
const ED_B = { type: 'ssh-ed25519', base64: 'AAAAC3NzaC1lZDI1NTE5AAAAIBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' };
const RSA = { type: 'ssh-rsa', base64: 'AAAAB3NzaC1yc2EAAAADAQABAAAAgQC' };

describe('known_hosts', () => {
  it('reads the key type from the wire blob and prints OpenSSH fingerprints', () => {
    const key = hostKeyFromBlob(Buffer.from(ED_A.base64, 'base64'));
    assert.equal(key.type, 'ssh-ed25519');
    assert.match(fingerprint(key), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('matches plain, comma-listed, wildcard, negated and hashed names', () => {
    const salt = Buffer.from('0123456789abcdef0123');
    const hash = createHmac('sha1', salt).update('hashed.example').digest('base64');
    const list = KnownHosts.parse(
      [
        `# comment`,
        `pi0,198.51.100.10 ${ED_A.type} ${ED_A.base64}`,
        `*.lan,!bad.lan ${ED_B.type} ${ED_B.base64}`,
        `|1|${salt.toString('base64')}|${hash} ${RSA.type} ${RSA.base64}`,
      ].join('\n'),
    );
    assert.deepEqual(list.lookup(['198.51.100.10']), [ED_A]);
    assert.deepEqual(list.lookup(['x.lan']), [ED_B]);
    assert.deepEqual(list.lookup(['bad.lan']), []);
    assert.deepEqual(list.lookup(['hashed.example']), [RSA]);
    assert.equal(list.check(['pi0'], ED_A), 'match');
    assert.equal(list.check(['pi0'], ED_B), 'changed');
    assert.equal(list.check(['pi0'], RSA), 'unknown');
    assert.equal(list.check(['pi9'], ED_A), 'unknown');
  });

  it('replaces a host by name, moves an address to its new owner, and keeps foreign lines verbatim', () => {
    const text = [
      '# managed by hand',
      `pi0,pi0.local,198.51.100.10 ${ED_A.type} ${ED_A.base64}`,
      `pi1,pi1.local,198.51.100.11 ${ED_B.type} ${ED_B.base64}`,
      `@cert-authority *.lan ${RSA.type} ${RSA.base64}`,
    ].join('\n');
    const list = KnownHosts.parse(`${text}\n`);
    assert.equal(list.toString(), `${text}\n`, 'round trip is exact');

    // pi0 moved to .11 (pi1's old address) with a new key.
    list.record(['pi0', 'pi0.local', '198.51.100.11'], ED_B);
    assert.equal(
      list.toString(),
      [
        '# managed by hand',
        `pi1,pi1.local ${ED_B.type} ${ED_B.base64}`,
        `@cert-authority *.lan ${RSA.type} ${RSA.base64}`,
        `pi0,pi0.local,198.51.100.11 ${ED_B.type} ${ED_B.base64}`,
        '',
      ].join('\n'),
    );
    assert.deepEqual(list.names(), ['pi1', 'pi0']);
    assert.deepEqual(list.lookup(['198.51.100.10']), [], 'the old address is forgotten');
  });

  it('treats revoked keys as changed', () => {
    const list = KnownHosts.parse(`@revoked * ${ED_A.type} ${ED_A.base64}\npi0 ${ED_A.type} ${ED_A.base64}\n`);
    assert.equal(list.check(['pi0'], ED_A), 'changed');
  });
});

describe('mapBounded', () => {
  it('keeps at most `limit` in flight, keeps order, and settles failures', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    const results = await mapBounded(
      [1, 2, 3, 4, 5, 6, 7],
      3,
      async (n) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 10 + (n % 3) * 5));
        inFlight--;
        if (n === 4) throw new Error('four');
        return n * 10;
      },
      (_result, item) => seen.push(item),
    );
    assert.equal(peak, 3);
    assert.equal(seen.length, 7);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      [10, 20, 30, 'four', 50, 60, 70],
    );
  });
});
