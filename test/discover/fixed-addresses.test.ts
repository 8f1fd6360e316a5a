import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planFixedAddresses } from '../../src/discover/fixed-addresses.js';
import type { FoundHost } from '../../src/discover/search.js';

const found = (...hosts: Array<Partial<FoundHost> & { address: string }>) =>
  new Map(hosts.map((h) => [h.name ?? h.address, { source: 'mdns', foundMs: 1, ...h } as FoundHost]));

describe('planFixedAddresses (pi-cluster.yaml hosts.<name>.address against what the network said)', () => {
  it('agrees silently, adds a host nobody announced, and names a --sweep hit at a configured address', () => {
    const hosts = found({ name: 'pi0', address: '198.51.100.10' }, { address: '198.51.100.12', source: 'sweep' });
    const plan = planFixedAddresses(hosts, { pi0: '198.51.100.10', pi1: '198.51.100.11', pi2: '198.51.100.12' });
    assert.deepEqual(plan.added, [{ name: 'pi1', address: '198.51.100.11', source: 'config', foundMs: 0 }]);
    assert.equal(plan.disagreements.size, 0);
    assert.deepEqual({ ...hosts.get('198.51.100.12') }, { address: '198.51.100.12', source: 'config', foundMs: 1, name: 'pi2' });
  });

  it('names both addresses when mDNS contradicts the config, and the announcer of a configured address', () => {
    const plan = planFixedAddresses(found({ name: 'pi0', address: '198.51.100.60' }, { name: 'pi3', address: '198.51.100.11' }), {
      pi0: '198.51.100.10',
      pi1: '198.51.100.11',
    });
    assert.deepEqual(plan.added, []);
    assert.deepEqual(
      [...plan.disagreements],
      [
        ['pi0', 'announces 198.51.100.60 over mDNS, but hosts.pi0.address in pi-cluster.yaml is 198.51.100.10'],
        ['pi1', 'hosts.pi1.address in pi-cluster.yaml is 198.51.100.11, but pi3 announces that address over mDNS'],
      ],
    );
  });
});
