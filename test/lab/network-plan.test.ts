// The lab's address plan keeps every host inside 198.51.100.0/24 and gives Pis Pi-like MACs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertHostAddress, assertLabName, defaultHostAddress, piMacAddress, vethName, bridgeName } from './network-plan.js';

describe('lab network plan', () => {
  it('numbers hosts from 198.51.100.10', () => {
    assert.equal(defaultHostAddress(0), '198.51.100.10');
    assert.equal(defaultHostAddress(11), '198.51.100.21');
    assert.throws(() => defaultHostAddress(300), /no lab address left/);
  });

  it('refuses addresses outside the lab hosts range, the uplink range above all', () => {
    for (const ip of ['192.0.2.10', '198.51.100.1', '198.51.100.254', '198.51.100.256', '198.51.1000.10', '10.0.0.1']) {
      assert.throws(() => assertHostAddress(ip), /not a lab host address/, ip);
    }
    assert.doesNotThrow(() => assertHostAddress('198.51.100.40'));
  });

  it('derives a stable Raspberry Pi MAC from the host name, avoiding ones taken', () => {
    const mac = piMacAddress('pi0');
    assert.match(mac, /^dc:a6:32(:[0-9a-f]{2}){3}$/);
    assert.equal(piMacAddress('pi0'), mac);
    assert.notEqual(piMacAddress('pi1'), mac);
    assert.notEqual(piMacAddress('pi0', new Set([mac])), mac);
  });

  it('keeps interface names within the kernel limit of 15 bytes', () => {
    assert.throws(() => assertLabName('toolonglabname'), /1 to 8/);
    assert.ok(vethName('abcdefgh', 249).length <= 15);
    assert.ok(bridgeName('abcdefgh').length <= 15);
  });
});
