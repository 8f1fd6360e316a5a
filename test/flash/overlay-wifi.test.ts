/**
 * Wi-Fi on a card, checked by the real tools: our PSK against `wpa_passphrase`, the rendered
 * wpa_supplicant.conf read by wpa_supplicant 2.10 itself (Debian's, in a network namespace with a
 * stand-in wlan0, keys shown with -K), the interfaces file by Debian's ifquery and Alpine's busybox ifup -n.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { wpaPsk } from '../../src/config/wifi.js';
import { loadOverlay, type OverlayEntry, type OverlayVariables } from '../../src/flash/overlay/render.js';
import { AlpineRoot } from '../alpine/alpine-root.js';
import { needRoot, needTools, tempDir } from './helpers.js';
import { readWithWpaSupplicant } from './wpa-supplicant.js';

const dir = tempDir();
const SSID = 'home net 5G';
const PASSPHRASE = 'correct horse battery staple';
const variables: OverlayVariables = {
  hostname: 'pi1',
  domain: 'home.arpa',
  interface: 'eth0',
  sshPublicKeys: ['ssh-ed25519 AAAA test'],
  hostKey: { private: 'k', public: 'ssh-ed25519 AAAA' },
  alpine: { version: '3.23.0', branch: 'v3.23', mirror: 'https://dl-cdn.alpinelinux.org/alpine' },
  bootMedia: '/media/mmcblk0p1',
  consolePasswordHash: '*',
  wifi: { ssid: SSID, country: 'DE', psk: wpaPsk(SSID, PASSPHRASE) },
};
const fileOf = (entries: OverlayEntry[], path: string) => entries.find((e) => e.path === path);
const text = (entries: OverlayEntry[], path: string) => {
  const entry = fileOf(entries, path);
  return entry?.type === 'file' ? entry.data.toString() : undefined;
};

describe('wpaPsk', () => {
  const cases: Array<[string, string]> = [
    [SSID, PASSPHRASE],
    ['x', '12345678'],
    ['ünïcode ✓', 'a'.repeat(63)],
    ['a'.repeat(32), ' spaces at both ends '],
  ];
  for (const [ssid, passphrase] of cases) {
    it(`equals wpa_passphrase for a ${Buffer.byteLength(ssid)}-byte SSID and a ${passphrase.length}-character passphrase`, (t) => {
      if (!needTools(t, 'wpa_passphrase')) return;
      const printed = execFileSync('wpa_passphrase', [ssid], { input: `${passphrase}\n` }).toString();
      assert.equal(wpaPsk(ssid, passphrase), /^\s+psk=([0-9a-f]{64})$/m.exec(printed)?.[1]);
    });
  }
});

describe('a card with Wi-Fi', () => {
  let wired: OverlayEntry[];
  let wireless: OverlayEntry[];
  let interfacesFile: string;
  before(async () => {
    const overlay = await loadOverlay();
    wired = overlay.render({ ...variables, wifi: undefined });
    wireless = overlay.render(variables);
    interfacesFile = join(dir, 'interfaces');
    writeFileSync(interfacesFile, text(wireless, 'etc/network/interfaces')!);
  });

  it('holds wpa_supplicant.conf (0600) with the PSK and never the passphrase; a wired-only card has none', () => {
    const entry = fileOf(wireless, 'etc/wpa_supplicant/wpa_supplicant.conf');
    assert.equal(entry?.mode, 0o600);
    const conf = text(wireless, 'etc/wpa_supplicant/wpa_supplicant.conf')!;
    assert.match(conf, new RegExp(`^\\s+psk=${wpaPsk(SSID, PASSPHRASE)}$`, 'm'));
    for (const e of wireless) if (e.type === 'file') assert.ok(!e.data.includes(PASSPHRASE), `${e.path} holds the passphrase`);
    assert.equal(fileOf(wired, 'etc/wpa_supplicant/wpa_supplicant.conf'), undefined);
    assert.ok(text(wireless, 'etc/apk/world')!.split('\n').includes('wpa_supplicant'));
    assert.ok(!text(wired, 'etc/apk/world')!.split('\n').includes('wpa_supplicant'));
  });

  it('wpa_supplicant reads it: country, SSID and the PSK, no parse error', (t) => {
    if (!needTools(t, 'wpa_supplicant', 'ip') || !needRoot(t)) return;
    const conf = join(dir, 'wpa_supplicant.conf');
    writeFileSync(conf, text(wireless, 'etc/wpa_supplicant/wpa_supplicant.conf')!, { mode: 0o600 });
    const read = readWithWpaSupplicant(conf);
    assert.ok(read.parsed, read.output);
    assert.equal(read.country, 'DE');
    assert.deepEqual(read.ssids, [SSID]);
    assert.deepEqual(read.psks, [wpaPsk(SSID, PASSPHRASE)]);
  });

  it('Debian ifquery: wlan0 by DHCP with the config path, promiscuous mode, and a higher metric than eth0', (t) => {
    if (!needTools(t, 'ifquery')) return;
    assert.deepEqual(execFileSync('ifquery', ['-i', interfacesFile, '--list']).toString().trim().split('\n'), ['lo', 'eth0', 'wlan0']);
    const options = (iface: string) =>
      Object.fromEntries(
        execFileSync('ifquery', ['-i', interfacesFile, iface])
          .toString()
          .trim()
          .split('\n')
          .map((line) => line.split(': ') as [string, string]),
      );
    const wlan = options('wlan0');
    assert.equal(wlan['wifi-config-path'], '/etc/wpa_supplicant/wpa_supplicant.conf');
    assert.equal(wlan.up, 'ip link set dev wlan0 promisc on');
    assert.equal(wlan.down, 'ip link set dev wlan0 promisc off');
    assert.ok(Number(wlan.metric) > Number(options('eth0').metric), 'wired preferred');
  });

  describe("Alpine's busybox ifup -n", { skip: process.getuid?.() === 0 || process.env.CI ? false : 'needs root (chroot)' }, () => {
    let root: AlpineRoot;
    before(async () => {
      root = await AlpineRoot.create('3.22.0');
      writeFileSync(join(root.dir, 'tmp/interfaces'), readFileSync(interfacesFile));
    });
    after(() => root?.dispose());

    it('would bring wlan0 up by DHCP with promiscuous mode', () => {
      const run = root.run('ifup -n -v -i /tmp/interfaces wlan0');
      assert.equal(run.status, 0, run.stderr);
      const commands = `${run.stdout}${run.stderr}`;
      assert.match(commands, /udhcpc .*-i wlan0/);
      assert.match(commands, /ip link set dev wlan0 promisc on/);
    });
  });
});
