import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressProblems, parseHostAddress } from '../../src/config/addresses.js';
import { parseConfigText } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';

const NET = 'network:\n  subnet: 192.168.1.0/24\n  gateway: 192.168.1.1\n';

describe('parseHostAddress', () => {
  it('reads an address with its prefix and finds its network', () => {
    const parsed = parseHostAddress('192.168.1.51/24');
    assert.ok(typeof parsed !== 'string');
    assert.equal(parsed.ip, '192.168.1.51');
    assert.equal(parsed.prefix, 24);
    assert.equal(parsed.network.network, '192.168.1.0');
  });

  const bad: Array<[string, RegExp]> = [
    ['192.168.1.51', /not an IPv4 address with a prefix length/],
    ['192.168.1.256/24', /not an IPv4 address/],
    ['192.168.1.0/24', /network address/],
    ['192.168.1.255/24', /broadcast address/],
    ['192.168.1.51/31', /prefix length must be 8 to 30/],
    ['192.168.1.51/24\n\tup reboot', /not an IPv4 address with a prefix/],
    ['192.168.1.51/24 ', /not an IPv4 address with a prefix/],
    ['"192.168.1.51/24"', /not an IPv4 address with a prefix/],
    ['$(reboot)/24', /not an IPv4 address with a prefix/],
    ['192.168.1.51/24;reboot', /not an IPv4 address with a prefix/],
  ];
  for (const [text, reason] of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      const parsed = parseHostAddress(text);
      assert.equal(typeof parsed, 'string');
      assert.match(parsed as string, reason);
      assert.ok(!(parsed as string).includes('\n'), 'one line');
    });
  }
});

describe('addressProblems', () => {
  const settings = (network: Record<string, unknown> = {}) => ({
    network: { subnet: '192.168.1.0/24', gateway: '192.168.1.1', metallb: {}, services: {}, ...network },
  });

  it('accepts distinct addresses in the subnet, off the gateway, the MetalLB range and the services', () => {
    assert.deepEqual(
      addressProblems(settings({ services: { traefik: '192.168.1.200' } }), { pi0: '192.168.1.50/24', pi1: '192.168.1.51/24' }),
      [],
    );
  });

  const cases: Array<[string, Record<string, unknown>, Record<string, string>, RegExp]> = [
    ['outside the subnet', {}, { pi1: '192.168.2.51/24' }, /not inside network\.subnet 192\.168\.1\.0\/24/],
    ['another prefix than the subnet', {}, { pi1: '192.168.1.51/16' }, /has prefix \/16 but network\.subnet is 192\.168\.1\.0\/24/],
    ['the gateway', {}, { pi1: '192.168.1.1/24' }, /is the gateway's address/],
    [
      'in the default MetalLB range',
      {},
      { pi1: '192.168.1.210/24' },
      /inside the MetalLB range 192\.168\.1\.200-192\.168\.1\.250 \(the default/,
    ],
    [
      'in a configured MetalLB range',
      { metallb: { range: '192.168.1.100-192.168.1.120' } },
      { pi1: '192.168.1.110/24' },
      /inside the MetalLB range 192\.168\.1\.100-192\.168\.1\.120$/,
    ],
    [
      'a service address',
      { metallb: { range: '192.168.1.100-192.168.1.120' }, services: { adguard: '192.168.1.60' } },
      { pi1: '192.168.1.60/24' },
      /network\.services\.adguard/,
    ],
    ['used twice', {}, { pi1: '192.168.1.51/24', pi2: '192.168.1.51/24' }, /192\.168\.1\.51 is also pi1's address/],
    ['without a gateway', { gateway: undefined }, { pi1: '192.168.1.51/24' }, /need network\.gateway/],
    [
      'with a gateway off its network',
      { subnet: undefined, gateway: '10.0.0.1' },
      { pi1: '192.168.1.51/24' },
      /gateway 10\.0\.0\.1 is not on/,
    ],
    [
      'on two networks without a subnet',
      { subnet: undefined, gateway: '192.168.1.1' },
      { pi1: '192.168.1.51/24', pi2: '192.168.7.51/24' },
      /2 networks/,
    ],
  ];
  for (const [what, network, addresses, message] of cases) {
    it(`refuses an address ${what}`, () => {
      const problems = addressProblems(settings(network), addresses);
      assert.ok(
        problems.some((p) => message.test(p.message)),
        JSON.stringify(problems),
      );
    });
  }
});

describe('hosts and network in pi-cluster.yaml', () => {
  it('takes per-host addresses beside prefix, start and count, plus gateway and dns', () => {
    const config = parseConfigText(
      `hosts:\n  prefix: pi\n  count: 2\n  pi1:\n    address: 192.168.1.51/24\n  pi0: {}\n${NET}  dns: [192.168.1.1, 9.9.9.9]\n`,
    );
    assert.deepEqual(config.hosts.byName, { pi1: { address: '192.168.1.51/24' }, pi0: {} });
    assert.equal(config.hosts.count, 2);
    assert.deepEqual(config.network.dns, ['192.168.1.1', '9.9.9.9']);
  });

  const bad: Array<[string, RegExp]> = [
    [
      `hosts:\n  pi1: {address: 192.168.2.51/24}\n${NET}`,
      /^pi-cluster\.yaml:2: hosts\.pi1\.address: 192\.168\.2\.51\/24 is not inside network\.subnet/,
    ],
    [
      `hosts:\n  pi1: {address: 192.168.1.51/24}\n  pi2: {address: 192.168.1.51/24}\n${NET}`,
      /^pi-cluster\.yaml:3: hosts\.pi2\.address: 192\.168\.1\.51 is also pi1's address$/,
    ],
    [`hosts:\n  pi1: {address: 192.168.1.220/24}\n${NET}`, /hosts\.pi1\.address: .*MetalLB range/],
    [
      `hosts:\n  pi1: {address: "192.168.1.51/24\\n\\tup reboot"}\n${NET}`,
      /^pi-cluster\.yaml:2: hosts\.pi1\.address: "192\.168\.1\.51\/24\\n\\tup reboot" is not an IPv4 address/,
    ],
    ['hosts:\n  pi1: {address: 192.168.1.51/24}\n', /network\.gateway: fixed addresses need network\.gateway/],
    ['hosts:\n  cout: 3\n', /hosts\.cout: unknown setting hosts\.cout/],
    ['hosts:\n  Pi1: {address: 192.168.1.51/24}\n', /unknown setting hosts\.Pi1/],
    ['hosts:\n  pi1: {adress: 192.168.1.51/24}\n', /unknown setting hosts\.pi1\.adress/],
    ['network:\n  subnet: 192.168.1.0/24\n  gateway: 192.168.1.220\n', /network\.gateway: 192\.168\.1\.220 is inside the MetalLB range/],
    ['network:\n  subnet: 192.168.1.0/24\n  gateway: 10.0.0.1\n', /network\.gateway: 10\.0\.0\.1 is not inside network\.subnet/],
    ['network:\n  gateway: "192.168.1.1; reboot"\n', /network\.gateway: 192\.168\.1\.1; reboot is not an IPv4 address/],
    ['network:\n  dns: ["1.1.1.1", "$(reboot)"]\n', /network\.dns\.1: \$\(reboot\) is not an IPv4 address/],
    ['network:\n  dns: ["1.1.1.1", "1.0.0.1", "9.9.9.9", "8.8.8.8"]\n', /network\.dns/],
    ['network:\n  wifi: {ssid: "home\\nnetwork={", country: DE}\n', /network\.wifi\.ssid: "home\\nnetwork=\{" holds a newline/],
    ['network:\n  wifi: {ssid: home, country: de}\n', /network\.wifi\.country: .*two-letter country code/],
    ['network:\n  wifi: {ssid: home, country: DE, passphrase: hunter2hunter2}\n', /unknown setting network\.wifi\.passphrase/],
    ['network:\n  wifi: {ssid: home, country: DE, passphraseEnv: "A B"}\n', /network\.wifi\.passphraseEnv: .*environment variable name/],
    ['network:\n  ntp: ["ntp.example.net iburst"]\n', /network\.ntp\.0: "ntp\.example\.net iburst" is not a host name/],
    ['alpine:\n  timezone: "Europe/Berlin\\n"\n', /alpine\.timezone: .*must be a time zone name/],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseConfigText(text),
        (error: unknown) => {
          assert.ok(error instanceof UserError);
          assert.ok(
            error.message.split('\n').some((line) => message.test(line)),
            error.message,
          );
          return true;
        },
      );
    });
  }
});
