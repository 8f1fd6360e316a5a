/**
 * The overlay's etc/network/interfaces and etc/resolv.conf, read by the real parsers that run here:
 * Debian's ifupdown (`ifquery -i FILE --list`, `ifquery -i FILE eth0`), and Alpine's busybox `ifup -n`
 * (a dry run printing the commands it would run) in the official 3.20.3 minirootfs. The Pi itself
 * runs ifupdown-ng, which reads the same address/netmask/gateway keywords (its interface-file.c).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadOverlay, type OverlayEntry, type OverlayVariables } from '../../src/flash/overlay/render.js';
import { AlpineRoot } from '../alpine/alpine-root.js';
import { needTools, sshKeyPair, tempDir } from './helpers.js';

const dir = tempDir();
const key = readFileSync(sshKeyPair(dir).publicKey, 'utf8').trim();
const base: OverlayVariables = {
  hostname: 'pi1',
  domain: 'home.arpa',
  interface: 'eth0',
  sshPublicKeys: [key],
  hostKey: { private: 'k', public: 'ssh-ed25519 AAAA' },
  alpine: { version: '3.23.0', branch: 'v3.23', mirror: 'https://dl-cdn.alpinelinux.org/alpine' },
  bootMedia: '/media/mmcblk0p1',
  consolePasswordHash: '*',
};
const fixed: OverlayVariables = {
  ...base,
  address: {
    cidr: '192.168.1.51/24',
    ip: '192.168.1.51',
    netmask: '255.255.255.0',
    gateway: '192.168.1.1',
    dns: ['192.168.1.1', '9.9.9.9'],
  },
};

const fileOf = (entries: OverlayEntry[], path: string) => {
  const entry = entries.find((e) => e.path === path);
  return entry?.type === 'file' ? entry.data.toString() : undefined;
};

describe('etc/network/interfaces and etc/resolv.conf of a card', () => {
  let dhcp: OverlayEntry[];
  let fixedEntries: OverlayEntry[];
  let dhcpFile: string;
  let fixedFile: string;
  before(async () => {
    const overlay = await loadOverlay();
    dhcp = overlay.render(base);
    fixedEntries = overlay.render(fixed);
    dhcpFile = join(dir, 'interfaces.dhcp');
    fixedFile = join(dir, 'interfaces.fixed');
    writeFileSync(dhcpFile, fileOf(dhcp, 'etc/network/interfaces')!);
    writeFileSync(fixedFile, fileOf(fixedEntries, 'etc/network/interfaces')!);
  });

  it('Debian ifquery lists lo and eth0 in both files', (t) => {
    if (!needTools(t, 'ifquery')) return;
    for (const file of [dhcpFile, fixedFile]) {
      assert.deepEqual(execFileSync('ifquery', ['-i', file, '--list']).toString().trim().split('\n'), ['lo', 'eth0']);
    }
  });

  it('Debian ifquery reads the fixed address, netmask, gateway and the promiscuous-mode hooks', (t) => {
    if (!needTools(t, 'ifquery')) return;
    const options = Object.fromEntries(
      execFileSync('ifquery', ['-i', fixedFile, 'eth0'])
        .toString()
        .trim()
        .split('\n')
        .map((line) => line.split(': ') as [string, string]),
    );
    assert.equal(options.address, '192.168.1.51');
    assert.equal(options.netmask, '255.255.255.0');
    assert.equal(options.gateway, '192.168.1.1');
    assert.equal(options.up, 'ip link set dev eth0 promisc on');
    assert.equal(options.down, 'ip link set dev eth0 promisc off');
  });

  it('Debian ifquery reads the DHCP file with the same hooks and no address', (t) => {
    if (!needTools(t, 'ifquery')) return;
    const options = Object.fromEntries(
      execFileSync('ifquery', ['-i', dhcpFile, 'eth0'])
        .toString()
        .trim()
        .split('\n')
        .map((line) => line.split(': ') as [string, string]),
    );
    assert.deepEqual(options, { up: 'ip link set dev eth0 promisc on', down: 'ip link set dev eth0 promisc off' });
    assert.match(readFileSync(dhcpFile, 'utf8'), /^iface eth0 inet dhcp$/m);
  });

  it('only a host with a fixed address gets etc/resolv.conf, with its name servers', () => {
    assert.equal(fileOf(dhcp, 'etc/resolv.conf'), undefined);
    const resolv = fileOf(fixedEntries, 'etc/resolv.conf')!;
    assert.deepEqual(
      resolv.split('\n').filter((l) => l.startsWith('nameserver')),
      ['nameserver 192.168.1.1', 'nameserver 9.9.9.9'],
    );
  });

  describe(
    "Alpine's busybox ifup, dry run (-n), in the 3.20.3 minirootfs",
    { skip: process.getuid?.() === 0 || process.env.CI ? false : 'needs root (chroot)' },
    () => {
      let root: AlpineRoot;
      before(async () => {
        root = await AlpineRoot.create('3.22.0');
        writeFileSync(join(root.dir, 'tmp/interfaces.fixed'), readFileSync(fixedFile));
        writeFileSync(join(root.dir, 'tmp/interfaces.dhcp'), readFileSync(dhcpFile));
      });
      after(() => root?.dispose());

      it('would set the fixed address with its prefix, the default route, then promiscuous mode', () => {
        const run = root.run('ifup -n -v -i /tmp/interfaces.fixed eth0');
        assert.equal(run.status, 0, run.stderr);
        const commands = `${run.stdout}${run.stderr}`;
        assert.match(commands, /ip addr add 192\.168\.1\.51\/24 .*dev eth0/);
        assert.match(commands, /ip route add default via 192\.168\.1\.1 dev eth0/);
        assert.match(commands, /ip link set dev eth0 promisc on/);
        assert.doesNotMatch(commands, /udhcpc/);
      });

      it('would run udhcpc for the DHCP card', () => {
        const run = root.run('ifup -n -v -i /tmp/interfaces.dhcp eth0');
        assert.equal(run.status, 0, run.stderr);
        assert.match(`${run.stdout}${run.stderr}`, /udhcpc .*-i eth0/);
      });
    },
  );
});
