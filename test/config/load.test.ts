import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import { configSchema, parseSize } from '../../src/config/schema.js';
import { UserError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected an error');
}

test('no file at all gives working defaults', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pic-config-'));
  const { config, file } = await loadConfig({ cwd: dir });
  assert.equal(file, undefined);
  assert.equal(config.cluster.name, 'pi-cluster');
  assert.equal(config.kubernetes.podCidr, '10.244.0.0/16');
  assert.equal(config.card.bootSize, 2 ** 30);
  assert.equal(config.hosts.prefix, 'pi');
  assert.equal(config.alpine.arch, 'aarch64');
  assert.deepEqual(Object.values(config.addons), [true, true, true, true, true, true, true]);
});

test('the commented example file parses to exactly the defaults', async () => {
  const text = await readFile(join(packageRoot(), 'src/config/pi-cluster.example.yaml'), 'utf8');
  assert.deepEqual(parseConfigText(text), configSchema.parse({}));
  assert.ok(parse(text), 'example is YAML');
});

test('a bad address names the YAML path, the line and the value', () => {
  const text = 'cluster:\n  name: home\nnetwork:\n  metallb:\n    range: 192.168.50.300-192.168.50.310\n';
  assert.equal(
    messageOf(() => parseConfigText(text)),
    'pi-cluster.yaml:5: network.metallb.range: 192.168.50.300 is not an IPv4 address',
  );
});

test('wrong types, unknown keys and bad enums are each one clear line', () => {
  const message = messageOf(() => parseConfigText('hosts:\n  count: many\n  prefx: pi\nalpine:\n  arch: armv7\n'));
  const lines = message.split('\n');
  assert.equal(lines.length, 3, message);
  assert.match(message, /pi-cluster\.yaml:2: hosts\.count: expected number, got "many"/);
  assert.match(message, /unknown setting hosts\.prefx/);
  assert.match(message, /alpine\.arch: expected one of "aarch64"/);
});

test('cross-field checks: service addresses inside the subnet and the MetalLB pool', () => {
  const text =
    'network:\n  subnet: 192.168.1.0/24\n  metallb:\n    range: 192.168.1.200-192.168.1.250\n  services:\n    traefik: 192.168.2.10\n    adguard: 192.168.1.100\n';
  const message = messageOf(() => parseConfigText(text));
  assert.match(message, /network\.services\.traefik: 192\.168\.2\.10 is not inside the subnet 192\.168\.1\.0\/24/);
  assert.match(message, /network\.services\.adguard: 192\.168\.1\.100 is outside the MetalLB range/);
});

test('CIDRs with host bits, bad sizes and bad hostnames are rejected', () => {
  assert.match(
    messageOf(() => parseConfigText('network:\n  subnet: 192.168.1.7/24\n')),
    /has host bits set \(the network is 192\.168\.1\.0\/24\)/,
  );
  assert.match(
    messageOf(() => parseConfigText('card:\n  bootSize: lots\n')),
    /card\.bootSize: lots is not a size/,
  );
  assert.match(
    messageOf(() => parseConfigText('cluster:\n  name: My_Cluster\n')),
    /cluster\.name: .*RFC 1123/,
  );
});

test('YAML syntax errors say the line and do not dump a stack', () => {
  assert.match(
    messageOf(() => parseConfigText('cluster:\n  name: [unclosed\n')),
    /^pi-cluster\.yaml:\d+: not valid YAML/,
  );
});

test('`key:` left empty means "use the default"', () => {
  const config = parseConfigText('network:\n  metallb:\n  services:\n');
  assert.equal(config.network.metallb.range, undefined);
});

test('sizes parse in binary units', () => {
  assert.equal(parseSize('1GiB'), 2 ** 30);
  assert.equal(parseSize('512MiB'), 512 * 2 ** 20);
  assert.equal(parseSize('256M'), 256 * 2 ** 20);
  assert.equal(parseSize(4096), 4096);
  assert.equal(typeof parseSize('0'), 'string');
});

test('an explicit --config that does not exist is an error with a hint', async () => {
  await assert.rejects(loadConfig({ explicitPath: '/nonexistent/pi.yaml' }), (error: unknown) => {
    assert.ok(error instanceof UserError);
    assert.match(error.message, /does not exist/);
    assert.match(error.hint ?? '', /pi-cluster init/);
    return true;
  });
});

test('a file in the working folder is picked up', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pic-config-'));
  await writeFile(join(dir, 'pi-cluster.yaml'), 'hosts:\n  prefix: node\n');
  const { config, file } = await loadConfig({ cwd: dir });
  assert.equal(config.hosts.prefix, 'node');
  assert.equal(file, join(dir, 'pi-cluster.yaml'));
});

test('nfs.mounts: defaults to none; options default to nfsvers=4.1,hard,noatime', () => {
  assert.deepEqual(parseConfigText('').nfs.mounts, []);
  const config = parseConfigText(
    [
      'nfs:',
      '  server: 192.168.1.5',
      '  mounts:',
      '    - path: /export/media',
      '      mountPoint: /mnt/media',
      '    - path: /export/backup',
      '      mountPoint: /mnt/backup',
      '      options: nfsvers=4.2,soft,ro',
      '',
    ].join('\n'),
  );
  assert.deepEqual(config.nfs.mounts, [
    { path: '/export/media', mountPoint: '/mnt/media', options: 'nfsvers=4.1,hard,noatime' },
    { path: '/export/backup', mountPoint: '/mnt/backup', options: 'nfsvers=4.2,soft,ro' },
  ]);
});

test('nfs.mounts: relative or unusual paths name the YAML path, the line and the value', () => {
  const text = [
    'nfs:',
    '  server: nas',
    '  mounts:',
    '    - path: export/media',
    '      mountPoint: mnt/media',
    '    - path: /export/a b',
    '      mountPoint: /mnt/x/',
    '    - path: /export/../etc',
    '      mountPoint: /',
    '      options: rw, hard',
    '',
  ].join('\n');
  const lines = messageOf(() => parseConfigText(text)).split('\n');
  assert.deepEqual(lines, [
    'pi-cluster.yaml:4: nfs.mounts.0.path: export/media is not an absolute path on the NFS server',
    'pi-cluster.yaml:5: nfs.mounts.0.mountPoint: mnt/media is not an absolute path on the nodes',
    'pi-cluster.yaml:6: nfs.mounts.1.path: "/export/a b" contains a space, tab or newline (fstab cannot hold them)',
    'pi-cluster.yaml:7: nfs.mounts.1.mountPoint: /mnt/x/ is not in plain form (write /mnt/x)',
    'pi-cluster.yaml:8: nfs.mounts.2.path: /export/../etc contains ..',
    "pi-cluster.yaml:9: nfs.mounts.2.mountPoint: / cannot be a mount point (the share would hide the node's own root)",
    'pi-cluster.yaml:10: nfs.mounts.2.options: rw, hard must be comma-separated mount options without spaces, like nfsvers=4.1,hard,noatime',
  ]);
});

test('nfs.mounts: each mount point once, and a server to mount from', () => {
  const twice =
    'nfs:\n  server: nas\n  mounts:\n    - {path: /export/a, mountPoint: /mnt/a}\n    - {path: /export/b, mountPoint: /mnt/a}\n';
  assert.equal(
    messageOf(() => parseConfigText(twice)),
    'pi-cluster.yaml:5: nfs.mounts.1.mountPoint: /mnt/a is already the mount point of nfs.mounts.0; give each mount its own mountPoint',
  );
  const noServer = 'nfs:\n  mounts:\n    - path: /export/a\n      mountPoint: /mnt/a\n';
  assert.equal(
    messageOf(() => parseConfigText(noServer)),
    "pi-cluster.yaml:3: nfs.mounts: 1 mount is listed but nfs.server is not set; set nfs.server to the NFS server's address or name, or remove nfs.mounts",
  );
  assert.match(
    messageOf(() => parseConfigText('nfs:\n  server: ""\n  mounts: [{path: /a, mountPoint: /b}]\n')),
    /nfs\.mounts: 1 mount is listed but nfs\.server is not set/,
  );
  assert.match(
    messageOf(() => parseConfigText('nfs:\n  server: nas\n  mounts:\n    - path: /a\n      mountpoint: /b\n')),
    /unknown setting nfs\.mounts\.0\.mountpoint/,
  );
  assert.deepEqual(parseConfigText('nfs:\n  mounts: []\n').nfs.mounts, [], 'an empty list needs no server');
});

test('the commented nfs.mounts example in the example file is valid once uncommented', async () => {
  const text = (await readFile(join(packageRoot(), 'src/config/pi-cluster.example.yaml'), 'utf8'))
    .replace(/^ {2}# (server: .*)$/m, '  $1')
    .replace(/^ {2}# (mounts:)$/m, '  $1')
    .replace(/^ {2}# {3}(.*)$/gm, '    $1');
  const config = parseConfigText(text);
  assert.equal(config.nfs.server, '192.168.1.5');
  assert.deepEqual(config.nfs.mounts, [{ path: '/export/media', mountPoint: '/mnt/media', options: 'nfsvers=4.1,hard,noatime,ro' }]);
});
