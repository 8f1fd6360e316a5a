/**
 * A card's identity through the real CLI: what lands in the card's overlay (read back with mtools
 * and GNU tar, not with our own code), and bad input refused with one line, nothing written.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sha512Crypt } from '../../src/config/crypt-hash.js';
import { wpaPsk } from '../../src/config/wifi.js';
import { carvePartition, cli, mtoolsFiles, needRoot, needTools, workspace } from './helpers.js';
import { readWithWpaSupplicant } from './wpa-supplicant.js';

/** The card's <hostname>.apkovl.tar.gz unpacked by GNU tar into a folder; returns that folder. */
export function unpackCardOverlay(image: string, hostname: string, dir: string): string {
  const files = mtoolsFiles(carvePartition(image, dir), dir);
  const archive = files.get(`${hostname}.apkovl.tar.gz`);
  assert.ok(archive, `no ${hostname}.apkovl.tar.gz on the card`);
  const out = join(dir, `ovl-${hostname}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(out);
  execFileSync('tar', ['-C', out, '--numeric-owner', '-xzf', '-'], { input: archive });
  return out;
}

describe("flash: root's console password", () => {
  const space = workspace();
  const { dir } = space;
  const run = (args: string[], cwd = dir) =>
    spawnSync(process.execPath, [cli, 'flash', '--image', space.image, '--ssh-key', space.key, '--boot-size', '64MiB', ...args], {
      cwd,
      env: { ...process.env, PI_CLUSTER_IMAGE_CACHE: join(dir, 'cache'), NO_COLOR: '1', CI: '' },
    });
  const minirootfsUsers = [
    'root',
    'bin',
    'daemon',
    'lp',
    'sync',
    'shutdown',
    'halt',
    'mail',
    'news',
    'uucp',
    'cron',
    'ftp',
    'sshd',
    'games',
    'ntp',
    'guest',
    'nobody',
  ];

  it('is locked by default: root is "*" in a complete /etc/shadow (0640), every other account "!"', () => {
    const image = join(dir, 'locked.img');
    const result = run(['--output', image, '--hostname', 'pi0']);
    assert.equal(result.status, 0, `${result.stderr}`);
    const root = unpackCardOverlay(image, 'pi0', dir);
    const shadow = readFileSync(join(root, 'etc/shadow'), 'utf8');
    assert.ok(shadow.startsWith('root:') && shadow.endsWith(':::::\n') && !shadow.includes('\n\n'), 'no blank lines');
    const lines = shadow.trim().split('\n');
    assert.deepEqual(
      lines.map((l) => l.split(':')[0]),
      minirootfsUsers,
    );
    assert.equal(lines[0], 'root:*::0:::::');
    for (const line of lines.slice(1)) assert.match(line, /^[a-z]+:!::0:::::$/);
    for (const line of lines) assert.equal(line.split(':').length, 9, `${line}: shadow has nine fields`);
    assert.equal(statSync(join(root, 'etc/shadow')).mode & 0o7777, 0o640);
  });

  it("takes a SHA-512 hash from --console-password-file and puts exactly it in root's field", () => {
    const hash = sha512Crypt('console password 1', { salt: 'cardsalt' });
    writeFileSync(join(dir, 'root.hash'), `${hash}\n`);
    const image = join(dir, 'hashed.img');
    const result = run(['--output', image, '--hostname', 'pi1', '--console-password-file', 'root.hash']);
    assert.equal(result.status, 0, `${result.stderr}`);
    const shadow = readFileSync(join(unpackCardOverlay(image, 'pi1', dir), 'etc/shadow'), 'utf8').split('\n');
    assert.equal(shadow[0], `root:${hash}::0:::::`);
    assert.ok(!`${result.stdout}${result.stderr}`.includes(hash.split('$').pop()!), 'the hash is not printed');
  });

  it('takes console.passwordHashFile from pi-cluster.yaml', () => {
    const project = join(dir, 'project');
    mkdirSync(project, { recursive: true });
    const hash = sha512Crypt('console password 2', { salt: 'yamlsalt' });
    writeFileSync(join(project, 'root.hash'), hash);
    writeFileSync(join(project, 'pi-cluster.yaml'), 'console:\n  passwordHashFile: root.hash\n');
    const image = join(project, 'pi2.img');
    const result = run(['--output', image, '--hostname', 'pi2'], project);
    assert.equal(result.status, 0, `${result.stderr}`);
    assert.equal(readFileSync(join(unpackCardOverlay(image, 'pi2', dir), 'etc/shadow'), 'utf8').split('\n')[0], `root:${hash}::0:::::`);
  });

  const refusals: Array<[string, () => string[], RegExp]> = [
    ['a plain password in argv', () => ['--console-password', 'hunter2hunter2'], /too many arguments/],
    ['--console-password without a terminal', () => ['--console-password'], /--console-password asks at a terminal, and there is none/],
    [
      'a hash file that does not exist',
      () => ['--console-password-file', 'missing.hash'],
      /--console-password-file missing\.hash does not exist/,
    ],
    ['a hash file that is a folder', () => ['--console-password-file', '.'], /--console-password-file \. is a folder/],
    [
      'a yescrypt hash',
      () => {
        writeFileSync(join(dir, 'y.hash'), '$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7\n');
        return ['--console-password-file', 'y.hash'];
      },
      /yescrypt/,
    ],
    [
      'a plain password in the hash file',
      () => {
        writeFileSync(join(dir, 'plain.hash'), 'hunter2hunter2\n');
        return ['--console-password-file', 'plain.hash'];
      },
      /not a crypt hash/,
    ],
    [
      'a hash file with a second line',
      () => {
        writeFileSync(join(dir, 'two.hash'), `${sha512Crypt('console password 3', { salt: 'x' })}\nevil::0:::::\n`);
        return ['--console-password-file', 'two.hash'];
      },
      /newline/,
    ],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what} with one line and a hint, writing nothing`, () => {
      const image = join(dir, 'refused.img');
      const before = readdirSync(dir).sort();
      const result = run(['--output', image, '--hostname', 'pi0', ...args()]);
      assert.equal(result.status, 1, `${result.stdout}${result.stderr}`);
      const lines = result.stderr.toString().trim().split('\n');
      assert.match(lines[0]!, message);
      assert.ok(lines.length <= 2 && (lines.length === 1 || lines[1]!.startsWith('hint: ')), lines.join('\n'));
      assert.doesNotMatch(result.stderr.toString(), /hunter2|\$y\$j9T|rounds=|evil/);
      assert.equal(existsSync(image), false);
      assert.deepEqual(
        readdirSync(dir)
          .sort()
          .filter((f) => !f.endsWith('.hash')),
        before.filter((f) => !f.endsWith('.hash')),
      );
    });
  }
});

describe('flash: fixed addresses, time zone, NTP servers', () => {
  const space = workspace();
  const { dir } = space;
  const yaml =
    'network:\n  subnet: 192.168.1.0/24\n  gateway: 192.168.1.1\n  dns: [192.168.1.1]\nhosts:\n  pi1:\n    address: 192.168.1.51/24\n';
  const run = (args: string[], config = yaml) => {
    writeFileSync(join(dir, 'pi-cluster.yaml'), config);
    return spawnSync(process.execPath, [cli, 'flash', '--image', space.image, '--ssh-key', space.key, '--boot-size', '64MiB', ...args], {
      cwd: dir,
      env: { ...process.env, PI_CLUSTER_IMAGE_CACHE: join(dir, 'cache'), NO_COLOR: '1', CI: '' },
    });
  };

  it("puts each host's address on its card (config and --address), DHCP for the others", () => {
    const result = run(['--output', join(dir, '{hostname}.img'), '--hostnames', 'pi0,pi1,pi2', '--address', 'pi2=192.168.1.52/24']);
    assert.equal(result.status, 0, `${result.stderr}`);
    const expected: Record<string, string | undefined> = { pi0: undefined, pi1: '192.168.1.51', pi2: '192.168.1.52' };
    for (const [hostname, ip] of Object.entries(expected)) {
      const root = unpackCardOverlay(join(dir, `${hostname}.img`), hostname, dir);
      const interfaces = readFileSync(join(root, 'etc/network/interfaces'), 'utf8');
      if (ip) {
        assert.match(interfaces, /^iface eth0 inet static$/m);
        assert.match(interfaces, new RegExp(`^\\s+address ${ip.replaceAll('.', '\\.')}$`, 'm'));
        assert.match(interfaces, /^\s+netmask 255\.255\.255\.0$/m);
        assert.match(interfaces, /^\s+gateway 192\.168\.1\.1$/m);
        assert.equal(
          readFileSync(join(root, 'etc/resolv.conf'), 'utf8')
            .split('\n')
            .filter((l) => l.startsWith('nameserver'))
            .join(),
          'nameserver 192.168.1.1',
        );
      } else {
        assert.match(interfaces, /^iface eth0 inet dhcp$/m);
        assert.equal(existsSync(join(root, 'etc/resolv.conf')), false);
      }
      assert.match(interfaces, /^\s+up ip link set dev eth0 promisc on$/m);
    }
  });

  const refusals: Array<[string, string[], string | undefined, RegExp]> = [
    [
      'an address outside the subnet',
      ['--address', 'pi0=192.168.2.50/24'],
      undefined,
      /^pi-cluster: --address pi0: 192\.168\.2\.50\/24 is not inside network\.subnet 192\.168\.1\.0\/24$/,
    ],
    [
      'a duplicate address',
      ['--address', 'pi0=192.168.1.51/24'],
      undefined,
      /^pi-cluster: --address pi0: 192\.168\.1\.51 is also pi1's address$/,
    ],
    ["the gateway's address", ['--address', 'pi0=192.168.1.1/24'], undefined, /--address pi0: 192\.168\.1\.1\/24 is the gateway's address/],
    ['an address in the MetalLB range', ['--address', 'pi0=192.168.1.201/24'], undefined, /--address pi0: .*inside the MetalLB range/],
    [
      'a newline in the address',
      ['--address', 'pi0=192.168.1.50/24\n\tup reboot'],
      undefined,
      /--address pi0: "192\.168\.1\.50\/24\\n\\tup reboot" is not an IPv4 address with a prefix length/,
    ],
    [
      'a host not in the run',
      ['--address', 'pi9=192.168.1.59/24'],
      undefined,
      /--address pi9=\.\.\.: pi9 is not one of the cards of this run/,
    ],
    ['no hostname', ['--address', '192.168.1.50/24'], undefined, /--address "192\.168\.1\.50\/24" is not HOSTNAME=ADDRESS\/PREFIX/],
    [
      'a gateway inside the MetalLB range (config)',
      [],
      'network:\n  subnet: 192.168.1.0/24\n  gateway: 192.168.1.210\n',
      /network\.gateway: 192\.168\.1\.210 is inside the MetalLB range/,
    ],
    ['no gateway', ['--address', 'pi0=192.168.1.50/24'], 'network:\n  subnet: 192.168.1.0/24\n', /fixed addresses need network\.gateway/],
    [
      'a time zone this computer does not know',
      [],
      'alpine:\n  timezone: Mars/Olympus_Mons\n',
      /^pi-cluster: alpine\.timezone Mars\/Olympus_Mons is not in this computer's time zone database/,
    ],
    [
      'a time zone that is a folder',
      [],
      'alpine:\n  timezone: Europe\n',
      /Europe is not in this computer's time zone database|is not a TZif time zone file/,
    ],
    ['a time zone path', [], 'alpine:\n  timezone: ../../etc/passwd\n', /alpine\.timezone: .*must be a time zone name/],
    [
      'an NTP server with a newline',
      [],
      'network:\n  ntp: ["pool.ntp.org\\nserver evil"]\n',
      /network\.ntp\.0: "pool\.ntp\.org\\nserver evil" is not a host name or an IPv4 address/,
    ],
    ['an NTP server with $()', [], 'network:\n  ntp: ["$(reboot)"]\n', /network\.ntp\.0: "\$\(reboot\)" is not a host name/],
  ];
  for (const [what, args, config, message] of refusals) {
    it(`refuses ${what} with one line and a hint, writing nothing`, () => {
      const image = join(dir, 'refused.img');
      const before = readdirSync(dir).sort();
      const result = run(['--output', image, '--hostname', 'pi0', ...args], config);
      assert.equal(result.status, 1, `${result.stdout}${result.stderr}`);
      const lines = result.stderr.toString().trim().split('\n');
      assert.equal(lines.length, 2, lines.join('\n'));
      assert.doesNotMatch(result.stderr.toString(), /\n\s+at /, 'no stack trace');
      assert.match(lines[0]!, message);
      assert.match(lines[1]!, /^hint: /);
      assert.equal(existsSync(image), false);
      assert.deepEqual(readdirSync(dir).sort(), before);
    });
  }
});

describe('flash: Wi-Fi', () => {
  const space = workspace();
  const { dir } = space;
  const PASSPHRASE = 'the wifi passphrase 42';
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [cli, 'flash', '--image', space.image, '--ssh-key', space.key, '--boot-size', '64MiB', ...args], {
      cwd: dir,
      env: { ...process.env, PI_CLUSTER_IMAGE_CACHE: join(dir, 'cache'), NO_COLOR: '1', CI: '', ...env },
    });

  it('writes wpa_supplicant.conf 0600 with the PSK; the passphrase is nowhere on the card', () => {
    const image = join(dir, 'wifi.img');
    const result = run(
      ['--output', image, '--hostname', 'pi0', '--wifi-ssid', 'home', '--wifi-country', 'DE', '--wifi-passphrase-env', 'PI_WIFI'],
      { PI_WIFI: PASSPHRASE },
    );
    assert.equal(result.status, 0, `${result.stderr}`);
    const root = unpackCardOverlay(image, 'pi0', dir);
    const conf = join(root, 'etc/wpa_supplicant/wpa_supplicant.conf');
    assert.equal(statSync(conf).mode & 0o7777, 0o600);
    assert.match(readFileSync(conf, 'utf8'), new RegExp(`psk=${wpaPsk('home', PASSPHRASE)}`));
    assert.equal(readFileSync(image).indexOf(PASSPHRASE), -1, 'the image holds no passphrase');
    assert.doesNotMatch(`${result.stdout}${result.stderr}`, new RegExp(PASSPHRASE));
  });

  const refusals: Array<[string, () => string[], NodeJS.ProcessEnv, RegExp]> = [
    [
      'an SSID with a newline',
      () => ['--wifi-ssid', 'home\nnetwork={', '--wifi-country', 'DE', '--wifi-passphrase-env', 'PI_WIFI'],
      { PI_WIFI: PASSPHRASE },
      /--wifi-ssid "home\\nnetwork=\{" holds a newline/,
    ],
    [
      'an SSID with a quote',
      () => ['--wifi-ssid', 'home"', '--wifi-country', 'DE', '--wifi-passphrase-env', 'PI_WIFI'],
      { PI_WIFI: PASSPHRASE },
      /holds a newline, a control character, a quote/,
    ],
    [
      'an SSID over 32 bytes',
      () => ['--wifi-ssid', 'x'.repeat(33), '--wifi-country', 'DE', '--wifi-passphrase-env', 'PI_WIFI'],
      { PI_WIFI: PASSPHRASE },
      /33 bytes long/,
    ],
    [
      'a passphrase of 7 characters',
      () => ['--wifi-ssid', 'home', '--wifi-country', 'DE', '--wifi-passphrase-env', 'PI_WIFI'],
      { PI_WIFI: 'seven77' },
      /has 7 characters; a WPA passphrase has 8 to 63/,
    ],
    [
      'a passphrase of 64 characters',
      () => ['--wifi-ssid', 'home', '--wifi-country', 'DE', '--wifi-passphrase-env', 'PI_WIFI'],
      { PI_WIFI: 'p'.repeat(64) },
      /has 64 characters/,
    ],
    [
      'a passphrase with a newline (two lines in the file)',
      () => {
        writeFileSync(join(dir, 'wifi.txt'), `${PASSPHRASE}\nsecond line\n`);
        return ['--wifi-ssid', 'home', '--wifi-country', 'DE', '--wifi-passphrase-file', 'wifi.txt'];
      },
      {},
      /outside printable ASCII \(a newline/,
    ],
    [
      'a passphrase with a quote',
      () => ['--wifi-ssid', 'home', '--wifi-country', 'DE', '--wifi-passphrase-env', 'PI_WIFI'],
      { PI_WIFI: 'quote"inside' },
      /holds a quote/,
    ],
    [
      'an unset variable',
      () => ['--wifi-ssid', 'home', '--wifi-country', 'DE', '--wifi-passphrase-env', 'PI_WIFI_UNSET'],
      {},
      /PI_WIFI_UNSET \(the Wi-Fi passphrase\) is not set/,
    ],
    ['no country', () => ['--wifi-ssid', 'home', '--wifi-passphrase-env', 'PI_WIFI'], { PI_WIFI: PASSPHRASE }, /needs a country/],
    [
      'a bad country',
      () => ['--wifi-ssid', 'home', '--wifi-country', 'de;', '--wifi-passphrase-env', 'PI_WIFI'],
      { PI_WIFI: PASSPHRASE },
      /not a two-letter country code/,
    ],
    [
      '--wifi-passphrase without a terminal',
      () => ['--wifi-ssid', 'home', '--wifi-country', 'DE', '--wifi-passphrase'],
      {},
      /--wifi-passphrase asks at a terminal/,
    ],
    [
      'a passphrase in argv',
      () => ['--wifi-ssid', 'home', '--wifi-country', 'DE', '--wifi-passphrase', PASSPHRASE],
      {},
      /too many arguments/,
    ],
  ];
  for (const [what, args, env, message] of refusals) {
    it(`refuses ${what} with one line and a hint, writing nothing`, () => {
      const image = join(dir, 'refused.img');
      const argv = args();
      const before = readdirSync(dir).sort();
      const result = run(['--output', image, '--hostname', 'pi0', ...argv], env);
      assert.equal(result.status, 1, `${result.stdout}${result.stderr}`);
      const lines = result.stderr.toString().trim().split('\n');
      assert.match(lines[0]!, message);
      assert.ok(lines.length <= 2 && (lines.length === 1 || lines[1]!.startsWith('hint: ')), lines.join('\n'));
      assert.ok(!result.stderr.toString().includes(PASSPHRASE), 'the passphrase is not printed');
      assert.equal(existsSync(image), false);
      assert.deepEqual(readdirSync(dir).sort(), before);
    });
  }
});

describe('flash: Wi-Fi per host (hosts.<name>.wifi)', () => {
  const space = workspace();
  const { dir } = space;
  const HOME = 'the home passphrase 1';
  const GARAGE = 'garage passphrase 22';
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [cli, 'flash', '--image', space.image, '--ssh-key', space.key, '--boot-size', '64MiB', ...args], {
      cwd: dir,
      env: { ...process.env, PI_CLUSTER_IMAGE_CACHE: join(dir, 'cache'), NO_COLOR: '1', CI: '', ...env },
    });
  const config = (hosts: string) =>
    writeFileSync(join(dir, 'pi-cluster.yaml'), `network:\n  wifi: {ssid: home, country: DE, passphraseEnv: HOME_WIFI}\nhosts:\n${hosts}`);

  it("pi0 takes the cluster's network, pi1 its own SSID, country and passphrase, pi2 none; wpa_supplicant reads each card's file", (t) => {
    config('  pi1: {wifi: {ssid: garage, country: AT, passphraseEnv: GARAGE_WIFI}}\n  pi2: {wifi: false}\n');
    const result = run(['--output', join(dir, '{hostname}.img'), '--hostnames', 'pi0,pi1,pi2'], { HOME_WIFI: HOME, GARAGE_WIFI: GARAGE });
    assert.equal(result.status, 0, `${result.stderr}`);
    const roots = Object.fromEntries(['pi0', 'pi1', 'pi2'].map((name) => [name, unpackCardOverlay(join(dir, `${name}.img`), name, dir)]));
    const conf = (name: string) => join(roots[name]!, 'etc/wpa_supplicant/wpa_supplicant.conf');
    assert.equal(existsSync(conf('pi2')), false, 'pi2 opted out');
    assert.ok(!readFileSync(join(roots.pi2!, 'etc/apk/world'), 'utf8').split('\n').includes('wpa_supplicant'));
    assert.doesNotMatch(readFileSync(join(roots.pi2!, 'etc/network/interfaces'), 'utf8'), /wlan0/);
    for (const name of ['pi0', 'pi1']) {
      assert.equal(statSync(conf(name)).mode & 0o7777, 0o600, name);
      assert.ok(readFileSync(join(roots[name]!, 'etc/apk/world'), 'utf8').split('\n').includes('wpa_supplicant'), name);
    }
    for (const name of ['pi0', 'pi1', 'pi2']) {
      const image = readFileSync(join(dir, `${name}.img`));
      assert.equal(image.indexOf(HOME), -1);
      assert.equal(image.indexOf(GARAGE), -1);
    }
    assert.doesNotMatch(`${result.stdout}${result.stderr}`, new RegExp(`${HOME}|${GARAGE}`));
    if (!needTools(t, 'wpa_supplicant', 'ip') || !needRoot(t)) return;
    const expected = { pi0: ['DE', 'home', wpaPsk('home', HOME)], pi1: ['AT', 'garage', wpaPsk('garage', GARAGE)] };
    for (const [name, [country, ssid, psk]] of Object.entries(expected)) {
      const read = readWithWpaSupplicant(conf(name));
      assert.ok(read.parsed, `${name}: ${read.output}`);
      assert.deepEqual([read.country, read.ssids, read.psks], [country, [ssid], [psk]], name);
    }
  });

  it("a host's own passphrase file with the cluster's SSID: the PSK is made for that SSID", () => {
    writeFileSync(join(dir, 'pi1-wifi.txt'), `${GARAGE}\n`);
    config('  pi1: {wifi: {passphraseFile: pi1-wifi.txt}}\n');
    const image = join(dir, 'own-file.img');
    const result = run(['--output', image, '--hostname', 'pi1'], { HOME_WIFI: HOME });
    assert.equal(result.status, 0, `${result.stderr}`);
    const text = readFileSync(join(unpackCardOverlay(image, 'pi1', dir), 'etc/wpa_supplicant/wpa_supplicant.conf'), 'utf8');
    assert.match(text, new RegExp(`^\\s+psk=${wpaPsk('home', GARAGE)}$`, 'm'));
    assert.match(text, /^country=DE$/m);
  });

  const refusals: Array<[string, string, NodeJS.ProcessEnv, RegExp]> = [
    [
      'an SSID with a newline',
      '  pi0: {wifi: {ssid: "home\\nnetwork={"}}\n',
      { HOME_WIFI: HOME },
      /hosts\.pi0\.wifi\.ssid.*holds a newline/,
    ],
    ['an SSID with a quote', "  pi0: {wifi: {ssid: 'ho\"me'}}\n", { HOME_WIFI: HOME }, /hosts\.pi0\.wifi\.ssid.*a quote/],
    [
      'a passphrase of 7 characters',
      '  pi0: {wifi: {passphraseEnv: PI0_WIFI}}\n',
      { HOME_WIFI: HOME, PI0_WIFI: 'seven77' },
      /\$PI0_WIFI \(pi0\) has 7 characters; a WPA passphrase has 8 to 63/,
    ],
    [
      'a passphrase of 64 characters',
      '  pi0: {wifi: {passphraseEnv: PI0_WIFI}}\n',
      { HOME_WIFI: HOME, PI0_WIFI: 'p'.repeat(64) },
      /\(pi0\) has 64 characters/,
    ],
    [
      'a passphrase with a quote',
      '  pi0: {wifi: {passphraseEnv: PI0_WIFI}}\n',
      { HOME_WIFI: HOME, PI0_WIFI: 'quote"inside' },
      /\(pi0\) holds a quote/,
    ],
    [
      'a passphrase file of two lines',
      '  pi0: {wifi: {passphraseFile: two-lines.txt}}\n',
      { HOME_WIFI: HOME },
      /two-lines\.txt \(pi0\) holds a character outside printable ASCII \(a newline/,
    ],
    [
      'a missing passphrase file',
      '  pi0: {wifi: {passphraseFile: nowhere.txt}}\n',
      { HOME_WIFI: HOME },
      /hosts\.pi0\.wifi\.passphraseFile: Wi-Fi passphrase file nowhere\.txt does not exist/,
    ],
    [
      'an unset variable',
      '  pi0: {wifi: {passphraseEnv: PI0_UNSET}}\n',
      { HOME_WIFI: HOME },
      /hosts\.pi0\.wifi\.passphraseEnv: the environment variable PI0_UNSET \(the Wi-Fi passphrase\) is not set/,
    ],
    [
      'a file and a variable',
      '  pi0: {wifi: {passphraseFile: a.txt, passphraseEnv: PI0_WIFI}}\n',
      { HOME_WIFI: HOME },
      /hosts\.pi0\.wifi.*passphraseFile or passphraseEnv, not both/,
    ],
    ['a lower-case country', '  pi0: {wifi: {country: de}}\n', { HOME_WIFI: HOME }, /hosts\.pi0\.wifi\.country.*two-letter country code/],
    ['wifi: true', '  pi0: {wifi: true}\n', { HOME_WIFI: HOME }, /hosts\.pi0\.wifi.*must be false \(no Wi-Fi on this host\)/],
    [
      'a passphrase on the host line itself',
      '  pi0: {wifi: {passphrase: "in the file 123"}}\n',
      { HOME_WIFI: HOME },
      /hosts\.pi0\.wifi.*passphrase/,
    ],
  ];
  for (const [what, hosts, env, message] of refusals) {
    it(`refuses ${what} with one line and a hint, writing nothing`, () => {
      writeFileSync(join(dir, 'two-lines.txt'), 'first line 123\nsecond line\n');
      config(hosts);
      const image = join(dir, 'refused.img');
      const before = readdirSync(dir).sort();
      const result = run(['--output', image, '--hostname', 'pi0'], env);
      assert.equal(result.status, 1, `${result.stdout}${result.stderr}`);
      const lines = result.stderr.toString().trim().split('\n');
      assert.match(lines[0]!, message);
      assert.ok(lines.length <= 2 && (lines.length === 1 || lines[1]!.startsWith('hint: ')), lines.join('\n'));
      assert.ok(!/the home passphrase|seven77|quote"inside|pppppppp/.test(result.stderr.toString()), 'no passphrase is printed');
      assert.equal(existsSync(image), false);
      assert.deepEqual(readdirSync(dir).sort(), before);
    });
  }

  it('refuses a host without an SSID when the cluster has no Wi-Fi', () => {
    writeFileSync(join(dir, 'pi-cluster.yaml'), 'hosts:\n  pi0: {wifi: {country: DE, passphraseEnv: PI0_WIFI}}\n');
    const result = run(['--output', join(dir, 'refused.img'), '--hostname', 'pi0'], { PI0_WIFI: GARAGE });
    assert.equal(result.status, 1);
    assert.match(
      result.stderr.toString().split('\n')[0]!,
      /^pi-cluster: hosts\.pi0\.wifi has no ssid, and the cluster has no Wi-Fi to take it from$/,
    );
  });
});

describe('flash: keymap (alpine.keymap)', () => {
  const space = workspace();
  const { dir } = space;
  const run = (args: string[]) =>
    spawnSync(process.execPath, [cli, 'flash', '--image', space.image, '--ssh-key', space.key, '--boot-size', '64MiB', ...args], {
      cwd: dir,
      env: { ...process.env, PI_CLUSTER_IMAGE_CACHE: join(dir, 'cache'), NO_COLOR: '1', CI: '' },
    });

  it('a card without one has no loadkmap settings and no kbd-bkeymaps', () => {
    writeFileSync(join(dir, 'pi-cluster.yaml'), 'alpine: {}\n');
    const image = join(dir, 'plain.img');
    const result = run(['--output', image, '--hostname', 'pi0']);
    assert.equal(result.status, 0, `${result.stderr}`);
    const root = unpackCardOverlay(image, 'pi0', dir);
    assert.equal(readFileSync(join(root, 'etc/apk/world'), 'utf8'), 'alpine-base\nchrony\nopenssh\n');
    for (const path of ['etc/conf.d/loadkmap', 'etc/keymap', 'etc/runlevels/boot/loadkmap'])
      assert.equal(existsSync(join(root, path)), false, path);
  });

  const refusals: Array<[string, RegExp]> = [
    ['qwertz', /alpine\.keymap: "qwertz" is not a keyboard layout of Alpine's kbd-bkeymaps/],
    ['de;reboot', /alpine\.keymap: "de;reboot" is not a keymap name/],
    ['../../etc/shadow', /alpine\.keymap: .* is not a keymap name/],
    ['fi', /alpine\.keymap: "fi" has no file in kbd-bkeymaps: Finnish is fi-kotoistus/],
  ];
  for (const [keymap, message] of refusals) {
    it(`refuses keymap ${JSON.stringify(keymap)} with one line and a hint, writing nothing`, () => {
      writeFileSync(join(dir, 'pi-cluster.yaml'), `alpine:\n  keymap: ${JSON.stringify(keymap)}\n`);
      const image = join(dir, 'refused.img');
      const before = readdirSync(dir).sort();
      const result = run(['--output', image, '--hostname', 'pi0']);
      assert.equal(result.status, 1, `${result.stdout}${result.stderr}`);
      const lines = result.stderr.toString().trim().split('\n');
      assert.match(lines[0]!, message);
      assert.ok(lines.length === 2 && lines[1]!.startsWith('hint: '), lines.join('\n'));
      assert.equal(existsSync(image), false);
      assert.deepEqual(readdirSync(dir).sort(), before);
    });
  }
});

describe('flash --dry-run', () => {
  const space = workspace();
  const { dir } = space;
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [cli, 'flash', '--ssh-key', space.key, ...args], {
      cwd: dir,
      env: { ...process.env, PI_CLUSTER_IMAGE_CACHE: join(dir, 'cache'), NO_COLOR: '1', CI: '', ...env },
    });
  const listing = () => execFileSync('find', [dir, '-printf', '%P %s %T@\n']).toString().split('\n').sort().join('\n');

  it("prints each card's identity and overlay files, and writes (and downloads) nothing", () => {
    writeFileSync(
      join(dir, 'pi-cluster.yaml'),
      'network:\n  subnet: 192.168.1.0/24\n  gateway: 192.168.1.1\n  ntp: [192.168.1.1]\nalpine:\n  timezone: Europe/Berlin\n  keymap: de-nodeadkeys\nhosts:\n  pi1: {address: 192.168.1.51/24}\n',
    );
    const before = listing();
    // No --image: a real run would download the release; the dry run must not even look it up.
    const result = run(['--count', '2', '--dry-run', '--wifi-ssid', 'home', '--wifi-country', 'DE', '--wifi-passphrase-env', 'PI_WIFI'], {
      PI_WIFI: 'passphrase123',
      PI_CLUSTER_ALPINE_MIRROR: 'http://198.51.100.250:9/alpine',
    });
    assert.equal(result.status, 0, `${result.stderr}`);
    const out = result.stdout.toString();
    assert.match(out, /^pi0\n {2}address {8}DHCP on eth0$/m);
    assert.match(out, /^pi1\n {2}address {8}192\.168\.1\.51\/24 on eth0, gateway 192\.168\.1\.1, dns 192\.168\.1\.1$/m);
    assert.match(out, /^ {2}wifi {11}home \(country DE\) on wlan0, wired preferred$/m);
    assert.match(out, /^ {2}ssh host key {3}new \(made when the card is written\)$/m);
    assert.match(out, /^ {2}console login {2}root: locked$/m);
    assert.match(out, /^ {2}time {11}Europe\/Berlin, NTP 192\.168\.1\.1$/m);
    assert.match(out, /^ {2}keymap {9}de-nodeadkeys$/m);
    for (const file of [
      '-0644  etc/conf.d/loadkmap',
      'l0777  etc/keymap/de-nodeadkeys.bmap.gz -> /usr/share/bkeymaps/de/de-nodeadkeys.bmap.gz',
      'l0777  etc/runlevels/boot/loadkmap -> /etc/init.d/loadkmap',
    ])
      assert.ok(out.includes(`    ${file}\n`), file);
    for (const file of [
      '-0640  etc/shadow',
      '-0600  etc/wpa_supplicant/wpa_supplicant.conf',
      '-0600  root/.ssh/authorized_keys',
      'l0777  etc/localtime -> /etc/zoneinfo/Europe/Berlin',
    ])
      assert.ok(out.includes(`    ${file}\n`), file);
    assert.equal((out.match(/ {4}-0644 {2}etc\/resolv\.conf\n/g) ?? []).length, 1, 'only pi1 has resolv.conf');
    assert.match(out, /Dry run: 2 cards checked, nothing written\.\n$/);
    assert.doesNotMatch(out, /passphrase123|PRIVATE KEY/);
    assert.equal(listing(), before, 'no file made or changed (no host key, no cache, no image)');
  });

  it('shows the fingerprint of a host key kept from an earlier flash', () => {
    writeFileSync(join(dir, 'pi-cluster.yaml'), '');
    const real = run(['--image', space.image, '--output', join(dir, 'pi0.img'), '--hostname', 'pi0', '--boot-size', '64MiB']);
    assert.equal(real.status, 0, `${real.stderr}`);
    const flashed = /pi0: SSH host key (SHA256:[A-Za-z0-9+/]+)/.exec(real.stdout.toString())?.[1];
    assert.ok(flashed);
    const dry = run(['--hostname', 'pi0', '--dry-run']);
    assert.equal(dry.status, 0, `${dry.stderr}`);
    assert.match(
      dry.stdout.toString(),
      new RegExp(`ssh host key {3}${flashed.replace(/[+/]/g, '\\$&')} \\(kept in \\.pi-cluster/host-keys\\)`),
    );
  });

  it('refuses the same bad input as a real run, with one line', () => {
    const result = run(['--hostname', 'pi0', '--dry-run', '--address', 'pi0=10.0.0.5/8']);
    assert.equal(result.status, 1);
    assert.match(result.stderr.toString(), /^pi-cluster: fixed addresses need network\.gateway .*\nhint: [^\n]*\n$/);
  });
});
