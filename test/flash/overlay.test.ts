import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { packOverlay } from '../../src/flash/overlay/archive.js';
import { loadOverlay, overlayDir, type OverlayEntry, type OverlayVariables } from '../../src/flash/overlay/render.js';
import { ensureSshdPrivsepDir } from '../helpers/sshd.js';
import { needTools, sshKeyPair, tempDir } from './helpers.js';

const dir = tempDir();
const key = readFileSync(sshKeyPair(dir).publicKey, 'utf8').trim();
const hostKeyFiles = sshKeyPair(dir, 'pi3_host_key');
const hostKey = { private: readFileSync(hostKeyFiles.privateKey, 'utf8'), public: readFileSync(hostKeyFiles.publicKey, 'utf8').trim() };
const variables: OverlayVariables = {
  hostname: 'pi3',
  domain: 'home.arpa',
  interface: 'eth0',
  sshPublicKeys: [key],
  hostKey,
  alpine: { version: '3.23.0', branch: 'v3.23', mirror: 'https://dl-cdn.alpinelinux.org/alpine' },
  bootMedia: '/media/mmcblk0p1',
  consolePasswordHash: '*',
};

interface TarEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  linkname?: string | null;
  data: Buffer;
}

async function untar(archive: Buffer): Promise<TarEntry[]> {
  const extract = tar.extract();
  const entries: TarEntry[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const h = entry.header;
      entries.push({
        name: h.name,
        type: h.type ?? 'file',
        mode: h.mode ?? 0,
        uid: h.uid ?? -1,
        gid: h.gid ?? -1,
        linkname: h.linkname,
        data: Buffer.concat(chunks),
      });
    }
  })();
  extract.end(gunzipSync(archive));
  await done;
  return entries;
}

describe('the per-host overlay (<hostname>.apkovl.tar.gz)', () => {
  let entries: OverlayEntry[];
  let archive: Buffer;
  let listed: TarEntry[];
  const file = (name: string) => listed.find((e) => e.name === name)?.data.toString() ?? assert.fail(`${name} is not in the overlay`);

  before(async () => {
    entries = (await loadOverlay()).render(variables);
    archive = await packOverlay(entries);
    listed = await untar(archive);
  });

  it('holds the files the Pi needs, all owned by root with the right modes', () => {
    const expect: Record<string, [string, number]> = {
      'etc/hostname': ['file', 0o644],
      'etc/hosts': ['file', 0o644],
      'etc/network/interfaces': ['file', 0o644],
      'etc/ssh/sshd_config': ['file', 0o644],
      'root/': ['directory', 0o700],
      'root/.ssh/': ['directory', 0o700],
      'root/.ssh/authorized_keys': ['file', 0o600],
      'etc/ssh/ssh_host_ed25519_key': ['file', 0o600],
      'etc/ssh/ssh_host_ed25519_key.pub': ['file', 0o644],
      'etc/apk/repositories': ['file', 0o644],
      'etc/apk/world': ['file', 0o644],
      'etc/.default_boot_services': ['file', 0o644],
      'etc/init.d/pi-cluster-mdns': ['file', 0o755],
      'usr/local/sbin/pi-cluster-mdns': ['file', 0o755],
      'etc/avahi/services/ssh.service': ['file', 0o644],
      'etc/runlevels/boot/networking': ['symlink', 0o777],
      'etc/runlevels/default/sshd': ['symlink', 0o777],
      'etc/runlevels/default/chronyd': ['symlink', 0o777],
      'etc/runlevels/default/pi-cluster-mdns': ['symlink', 0o777],
    };
    for (const [name, [type, mode]] of Object.entries(expect)) {
      const entry = listed.find((e) => e.name === name);
      assert.ok(entry, `${name} missing`);
      assert.equal(entry.type, type, name);
      assert.equal(entry.mode & 0o7777, mode, `${name} mode ${entry.mode.toString(8)}`);
    }
    for (const entry of listed) {
      assert.equal(entry.uid, 0, `${entry.name} uid`);
      assert.equal(entry.gid, 0, `${entry.name} gid`);
      assert.ok(!entry.name.startsWith('/') && !entry.name.includes('..'), entry.name);
    }
    assert.equal(listed.find((e) => e.name === 'etc/runlevels/default/sshd')?.linkname, '/etc/init.d/sshd');
    assert.equal(file('etc/.default_boot_services'), '');
  });

  it('GNU tar agrees: root:root, paths without a leading slash', (t) => {
    if (!needTools(t, 'tar')) return;
    const path = join(dir, 'pi3.apkovl.tar.gz');
    writeFileSync(path, archive);
    const listing = execFileSync('tar', ['--numeric-owner', '-tvzf', path]).toString().trim().split('\n');
    assert.ok(listing.length >= 20);
    for (const line of listing) assert.match(line, /^\S+ 0\/0 /, line);
    assert.ok(listing.some((line) => /^-rw------- 0\/0 .* root\/\.ssh\/authorized_keys$/.test(line)));
  });

  it('names the host and sets eth0 to DHCP with promiscuous mode on up, off on down', () => {
    assert.equal(file('etc/hostname'), 'pi3\n');
    assert.match(file('etc/hosts'), /^127\.0\.0\.1\s+pi3\.home\.arpa pi3 /m);
    const interfaces = file('etc/network/interfaces');
    assert.match(interfaces, /^auto eth0$/m);
    assert.match(interfaces, /^iface eth0 inet dhcp$/m);
    assert.match(interfaces, /^\s+up ip link set dev eth0 promisc on$/m);
    assert.match(interfaces, /^\s+down ip link set dev eth0 promisc off$/m);
  });

  it('uses the boot medium and the network mirror of the same version', () => {
    assert.deepEqual(file('etc/apk/repositories').trim().split('\n'), [
      '/media/mmcblk0p1/apks',
      'https://dl-cdn.alpinelinux.org/alpine/v3.23/main',
      'https://dl-cdn.alpinelinux.org/alpine/v3.23/community',
    ]);
    const world = file('etc/apk/world').trim().split('\n');
    for (const pkg of ['alpine-base', 'openssh', 'chrony']) assert.ok(world.includes(pkg), pkg);
    assert.ok(!world.includes('avahi'), 'avahi is not on the medium: it comes from the network at first boot');
  });

  it('has an sshd config that sshd -t accepts: root by key only, never passwords', (t) => {
    if (!needTools(t, 'sshd', 'ssh-keygen')) return;
    const config = join(dir, 'sshd_config');
    writeFileSync(config, file('etc/ssh/sshd_config'));
    const hostKey = join(dir, 'host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    ensureSshdPrivsepDir();
    const check = spawnSync('/usr/sbin/sshd', ['-t', '-f', config, '-h', hostKey]);
    assert.equal(check.status, 0, `${check.stderr}`);
    const effective = execFileSync('/usr/sbin/sshd', [
      '-T',
      '-f',
      config,
      '-h',
      hostKey,
      '-C',
      'user=root,host=x,addr=198.51.100.9',
    ]).toString();
    assert.match(effective, /^permitrootlogin without-password$/m);
    assert.match(effective, /^passwordauthentication no$/m);
    assert.match(effective, /^permitemptypasswords no$/m);
    assert.match(effective, /^kbdinteractiveauthentication no$/m);
    assert.match(effective, /^authenticationmethods publickey$/m);
  });

  it('carries the host key flash made (0600, root) and sshd offers only that one', (t) => {
    if (!needTools(t, 'sshd', 'ssh-keygen')) return;
    const entry = listed.find((e) => e.name === 'etc/ssh/ssh_host_ed25519_key');
    assert.equal(entry?.mode, 0o600);
    assert.equal(entry?.uid, 0);
    assert.equal(file('etc/ssh/ssh_host_ed25519_key'), hostKey.private);
    assert.equal(file('etc/ssh/ssh_host_ed25519_key.pub').trim(), hostKey.public);
    const keyFile = join(dir, 'card_host_key');
    writeFileSync(keyFile, file('etc/ssh/ssh_host_ed25519_key'), { mode: 0o600 });
    // The public half sshd derives from the card's private key is the one recorded in known_hosts.
    assert.equal(
      execFileSync('ssh-keygen', ['-y', '-f', keyFile]).toString().trim().split(' ').slice(0, 2).join(' '),
      hostKey.public.split(' ').slice(0, 2).join(' '),
    );
    const config = join(dir, 'sshd_config_card');
    writeFileSync(config, file('etc/ssh/sshd_config').replace('/etc/ssh/ssh_host_ed25519_key', keyFile));
    const effective = execFileSync('/usr/sbin/sshd', ['-T', '-f', config, '-C', 'user=root,host=x,addr=198.51.100.9']).toString();
    assert.deepEqual(
      effective.split('\n').filter((l) => l.startsWith('hostkey ')),
      [`hostkey ${keyFile}`],
    );
  });

  it('has authorized_keys that ssh-keygen -l parses', (t) => {
    if (!needTools(t, 'ssh-keygen')) return;
    const path = join(dir, 'authorized_keys');
    writeFileSync(path, file('root/.ssh/authorized_keys'));
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', path]).toString();
    assert.match(fingerprint, /SHA256:\S+ pi-cluster-test \(ED25519\)/);
    assert.equal(file('root/.ssh/authorized_keys'), `${key}\n`);
  });

  it('announces _ssh._tcp with a well-formed avahi service file, and installs avahi at first boot', (t) => {
    const xml = file('etc/avahi/services/ssh.service');
    assert.match(xml, /<type>_ssh\._tcp<\/type>/);
    assert.match(xml, /<port>22<\/port>/);
    if (needTools(t, 'python3')) {
      const parse = spawnSync(
        'python3',
        ['-c', 'import sys, xml.dom.minidom as m; d = m.parseString(sys.stdin.buffer.read()); print(d.documentElement.tagName)'],
        { input: xml },
      );
      assert.equal(parse.status, 0, `${parse.stderr}`);
      assert.equal(parse.stdout.toString().trim(), 'service-group');
    }
    const script = file('usr/local/sbin/pi-cluster-mdns');
    assert.match(script, /apk add .*avahi dbus/);
    assert.match(script, /rc-service "\$service" start/);
    assert.match(script, /sleep "\$delay"/, 'retries with backoff');
    const service = file('etc/init.d/pi-cluster-mdns');
    assert.match(service, /^#!\/sbin\/openrc-run/);
    assert.match(service, /need net/);
    if (needTools(t, 'sh')) {
      for (const [name, text] of [
        ['mdns', script],
        ['initd', service],
      ]) {
        const syntax = spawnSync('sh', ['-n'], { input: text.replace(/^#!\/sbin\/openrc-run/, '#!/bin/sh') });
        assert.equal(syntax.status, 0, `${name}: ${syntax.stderr}`);
      }
    }
  });

  it('is the same bytes for the same input, and different for another host', async () => {
    const overlay = await loadOverlay();
    const again = await packOverlay(overlay.render(variables));
    assert.ok(again.equals(archive));
    assert.equal(archive[9], 3, 'gzip OS byte is Unix on every platform');
    const other = await packOverlay(overlay.render({ ...variables, hostname: 'pi4' }));
    assert.ok(!other.equals(archive));
  });

  it('leaves out desktop junk (._*, .DS_Store) found in the overlay folder', async () => {
    const copy = join(dir, 'overlay-copy');
    cpSync(overlayDir(), copy, { recursive: true });
    writeFileSync(join(copy, 'files', 'etc', '.DS_Store'), 'junk');
    writeFileSync(join(copy, 'files', 'etc', '._hostname'), 'junk');
    mkdirSync(join(copy, 'files', '__MACOSX'), { recursive: true });
    const junky = await loadOverlay(copy);
    const names = junky.render(variables).map((e) => e.path);
    assert.ok(!names.some((n) => n.includes('.DS_Store') || n.includes('/._')), names.join(' '));
    const clean = await packOverlay(junky.render(variables));
    assert.ok(clean.equals(archive), 'junk does not change the archive');
  });
});
