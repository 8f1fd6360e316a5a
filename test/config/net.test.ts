import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains, intToIp, ipToInt, isIPv4, parseCidr, parseRange } from '../../src/config/net.js';

test('IPv4 parsing is exact', () => {
  for (const ok of ['0.0.0.0', '198.51.100.10', '255.255.255.255']) assert.ok(isIPv4(ok), ok);
  for (const bad of ['256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4.5', 'a.b.c.d', '']) assert.ok(!isIPv4(bad), bad);
  assert.equal(intToIp(ipToInt('198.51.100.200')), '198.51.100.200');
});

test('CIDR and range parsing', () => {
  const cidr = parseCidr('198.51.100.0/24');
  assert.ok(typeof cidr !== 'string');
  assert.ok(cidrContains(cidr, '198.51.100.255'));
  assert.ok(!cidrContains(cidr, '198.51.101.0'));
  assert.match(parseCidr('198.51.100.0/33') as string, /prefix length/);
  assert.match(parseCidr('198.51.100.0') as string, /not a CIDR/);
  assert.match(parseRange('198.51.100.250-198.51.100.200') as string, /ends before it starts/);
  assert.match(parseRange('198.51.100.1') as string, /not an address range/);
});
