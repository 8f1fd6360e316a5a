// Item 3 of issue 12: every config string that lands in a generated file (the card's
// /etc/network/interfaces and /etc/apk/repositories, kubeadm config, tfvars, fstab, ssh config)
// refuses newlines, quotes, spaces, `$()` and `;`, with a message naming the YAML path.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { parseConfigText } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { UserError } from '../../src/errors.js';

const HOSTILE = ['\nup rm -rf /', '"', "'", ' x', '$(id)', ';reboot', '`id`'];

/** The YAML of a config with one setting (a dotted path) set to `value`. */
function yamlWith(path: string, value: unknown): string {
  const root: Record<string, unknown> = {};
  const keys = path.split('.');
  let node = root;
  for (const key of keys.slice(0, -1)) node = (node[key] = {}) as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
  return stringify(root);
}

function rejection(path: string, value: unknown): string {
  try {
    parseConfigText(yamlWith(path, value));
  } catch (error) {
    assert.ok(error instanceof UserError, String(error));
    return error.message;
  }
  return 'ACCEPTED';
}

// Each field with a value it must accept (the hostile texts are glued onto it).
const FIELDS: Array<[string, string]> = [
  ['network.interface', 'eth0'],
  ['nfs.server', 'nas.home.arpa'],
  ['nfs.path', '/export/pi'],
  ['nfs.backupPath', '/export/pi/etcd'],
  ['kubernetes.controlPlaneEndpoint', 'k8s.home.arpa:6443'],
  ['kubernetes.podCidr', '10.244.0.0/16'],
  ['kubernetes.serviceCidr', '10.96.0.0/12'],
  ['network.subnet', '192.168.1.0/24'],
  ['network.metallb.range', '192.168.1.200-192.168.1.250'],
  ['network.services.traefik', '192.168.1.200'],
  ['alpine.mirror', 'https://mirror.example.org/alpine'],
  ['cluster.domain', 'home.arpa'],
  ['cluster.name', 'lab'],
  ['hosts.prefix', 'pi'],
];

describe('config strings that reach generated files', () => {
  for (const [path, good] of FIELDS) {
    test(`${path}: ${good} is accepted; newline, quotes, space, $(), ; and backticks are refused`, () => {
      assert.doesNotThrow(() => parseConfigText(yamlWith(path, good)));
      for (const bad of HOSTILE) {
        for (const value of [`${good}${bad}`, `${bad}${good}`]) {
          const message = rejection(path, value);
          assert.notEqual(message, 'ACCEPTED', `${path}: ${JSON.stringify(value)} was accepted`);
          assert.match(message, new RegExp(`^pi-cluster\\.yaml:\\d+: ${path.replace(/\./g, '\\.')}: `), message);
          assert.equal(message.split('\n').length, 1, `one line per problem: ${JSON.stringify(message)}`);
        }
      }
    });
  }

  test('ssh key paths: a newline or tab is refused, spaces in a local path are fine', () => {
    for (const key of ['ssh.publicKey', 'ssh.privateKey']) {
      assert.match(rejection(key, '~/.ssh/id.pub\nProxyCommand x'), /contains a control character/);
      assert.match(rejection(key, ''), /is empty/);
      assert.doesNotThrow(() => parseConfigText(yamlWith(key, '/home/me/My Keys/id_ed25519')));
    }
  });

  test('network.interface follows the kernel: at most 15 characters, not . or ..', () => {
    assert.match(rejection('network.interface', 'enx0123456789abc'), /1 to 15 characters/);
    assert.match(rejection('network.interface', '..'), /is not a network interface name/);
    assert.match(rejection('network.interface', 'eth0:1'), /is not a network interface name/);
    for (const name of ['end0', 'enp1s0', 'wlan0', 'br-lan', 'eth0.10', 'enx0123456789ab']) {
      assert.equal(configSchema.parse({ network: { interface: name } }).network.interface, name);
    }
  });

  test('nfs.server: host names, IPv4 and IPv6; controlPlaneEndpoint: host[:port] with a real port', () => {
    for (const server of ['nas', 'nas.home.arpa', '192.168.1.5', 'fd00::5'])
      assert.equal(configSchema.parse({ nfs: { server } }).nfs.server, server);
    assert.match(rejection('nfs.server', '-oProxyCommand=x'), /is not a host name/);
    assert.match(rejection('nfs.server', 'nas:/export'), /is not a host name/);
    for (const endpoint of ['k8s', 'k8s.home.arpa:6443', '192.168.1.10', '192.168.1.10:443', '[fd00::1]:6443']) {
      assert.equal(configSchema.parse({ kubernetes: { controlPlaneEndpoint: endpoint } }).kubernetes.controlPlaneEndpoint, endpoint);
    }
    assert.match(rejection('kubernetes.controlPlaneEndpoint', 'k8s:0'), /outside 1-65535/);
    assert.match(rejection('kubernetes.controlPlaneEndpoint', 'k8s:65536'), /outside 1-65535/);
    assert.match(rejection('kubernetes.controlPlaneEndpoint', 'https://k8s:6443'), /is not host\[:port\]/);
  });

  test('the message shows an invisible character rather than breaking the line', () => {
    assert.match(
      rejection('network.interface', 'eth0\nup reboot'),
      /network\.interface: "eth0\\nup reboot" is not a network interface name/,
    );
  });
});
