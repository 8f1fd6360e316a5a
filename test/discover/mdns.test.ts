import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { browseMdns } from '../../src/discover/mdns.js';
import { MdnsHostTable, macFromWorkstationName } from '../../src/discover/mdns-hosts.js';
import { listInterfaces, selectInterfaces } from '../../src/discover/interfaces.js';
import type { MdnsHost } from '../../src/discover/mdns-hosts.js';
import { startFakeResponder } from './fake-responder.js';

describe('mDNS host table', () => {
  it('completes a host from a service answer that carries its address', () => {
    const table = new MdnsHostTable(() => 42);
    const host = table.addService(
      { kind: 'ssh', instance: 'pi0', target: 'pi0.local', port: 22, addresses: ['fe80::1', '198.51.100.10'] },
      'br0',
    );
    assert.deepEqual(host, {
      name: 'pi0',
      hostname: 'pi0.local',
      services: ['ssh'],
      sshPort: 22,
      address: '198.51.100.10',
      via: 'br0',
      foundMs: 42,
    });
    assert.equal(
      table.addService({ kind: 'ssh', instance: 'pi0', target: 'pi0.local', addresses: ['198.51.100.10'] }),
      undefined,
      'reported once',
    );
  });

  it('waits for the A record of a host announced without an address, in either order', () => {
    const table = new MdnsHostTable(() => 0);
    assert.equal(table.addService({ kind: 'workstation', instance: 'pi1 [DC:A6:32:00:00:01]', target: 'pi1.local' }), undefined);
    assert.deepEqual(table.unresolved(), ['pi1.local']);
    const host = table.addAddress('pi1.local', '198.51.100.11');
    assert.equal(host?.address, '198.51.100.11');
    assert.equal(host?.mac, 'dc:a6:32:00:00:01');
    assert.deepEqual(table.unresolved(), []);

    assert.equal(table.addAddress('pi2.local', '198.51.100.12'), undefined);
    assert.equal(table.addService({ kind: 'ssh', instance: 'pi2', target: 'pi2.local.' })?.address, '198.51.100.12');
    assert.deepEqual(
      table.found().map((h) => h.name),
      ['pi1', 'pi2'],
    );
  });

  it('reads the MAC from avahi workstation names only', () => {
    assert.equal(macFromWorkstationName('pi0 [dc:a6:32:12:34:56]'), 'dc:a6:32:12:34:56');
    assert.equal(macFromWorkstationName('My [weird] name'), undefined);
  });
});

describe('interfaces', () => {
  it('rejects an unknown interface in one line that lists the real ones', () => {
    const all = listInterfaces();
    assert.throws(
      () => selectInterfaces(all, ['nosuch0']),
      (e: Error & { hint?: string }) => /^unknown interface nosuch0$/.test(e.message) && /lo \(127\.0\.0\.1\)/.test(e.hint ?? ''),
    );
    assert.deepEqual(
      selectInterfaces(all, ['127.0.0.1']).map((i) => i.name),
      ['lo'],
    );
    assert.ok(
      selectInterfaces(all.filter((i) => !i.internal).concat(all.filter((i) => i.internal))).every((i) => !i.internal),
      'loopback is never browsed by default',
    );
  });
});

describe('mDNS browse against a scripted responder on loopback', () => {
  const lo = () => selectInterfaces(listInterfaces(), ['lo']);
  const port = 20000 + Math.floor(Math.random() * 20000);

  it('finds every host, asks for missing addresses, re-queries for a lost answer, and stops once stable', async () => {
    const responder = await startFakeResponder(
      [
        { name: 'fake0', address: '198.51.100.10', mac: 'dc:a6:32:00:00:10' },
        { name: 'fake1', address: '198.51.100.11', mac: 'dc:a6:32:00:00:11', withholdAddress: true },
        { name: 'fake2', address: '198.51.100.12', ignoreQueries: 1 },
      ],
      port,
    );
    try {
      const seen: MdnsHost[] = [];
      const result = await browseMdns({ interfaces: lo(), timeoutMs: 8000, port, onHost: (h) => seen.push({ ...h }) });
      assert.equal(result.stoppedBy, 'stable');
      assert.deepEqual(result.hosts.map((h) => [h.name, h.address]).sort(), [
        ['fake0', '198.51.100.10'],
        ['fake1', '198.51.100.11'],
        ['fake2', '198.51.100.12'],
      ]);
      assert.deepEqual(seen.map((h) => h.name).sort(), ['fake0', 'fake1', 'fake2'], 'each host reported once, as it appears');
      assert.equal(result.hosts.find((h) => h.name === 'fake0')?.mac, 'dc:a6:32:00:00:10');
      assert.ok(
        responder.queries.some((q) => q.questions.includes('fake1.local/A')),
        'asked for the A record of the host announced without one',
      );
      const late = seen.find((h) => h.name === 'fake2');
      assert.ok(late && late.foundMs! >= 900, `the host that missed the first query came with the 1 s re-query (${late?.foundMs} ms)`);
      assert.ok((seen.find((h) => h.name === 'fake0')?.foundMs ?? 1e9) < 200, 'the first host within 0.2 s');
      assert.ok(result.elapsedMs < 4000, `stopped at ${result.elapsedMs} ms, well before the 8 s timeout`);
    } finally {
      await responder.stop();
    }
  });

  it('stops as soon as the expected number of hosts is there, and at the timeout when nothing answers', async () => {
    const responder = await startFakeResponder([{ name: 'fake0', address: '198.51.100.10' }], port);
    try {
      const expected = await browseMdns({ interfaces: lo(), timeoutMs: 5000, port, expect: 1 });
      assert.equal(expected.stoppedBy, 'expected');
      assert.ok(expected.elapsedMs < 500);
      const none = await browseMdns({ interfaces: lo(), timeoutMs: 1200, port: port + 1 });
      assert.equal(none.stoppedBy, 'timeout');
      assert.deepEqual(none.hosts, []);
      assert.ok(none.elapsedMs >= 1200 && none.elapsedMs < 1600);
    } finally {
      await responder.stop();
    }
  });
});
