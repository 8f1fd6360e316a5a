/**
 * The overlay `pi-cluster flash` writes, run through Alpine's own code: unpacked the way the
 * initramfs does (`tar -C $sysroot -zxvf OVL`, unpack_apkovl in mkinitfs' initramfs-init.in) with
 * Alpine's busybox, then packaged by Alpine's own `lbu package -` (alpine-conf 3.20.0 and 3.22.0,
 * with Alpine's real `apk audit`). setup-disk copies the running system into the new root only
 * through `lbu package`, and `lbu commit` on a diskless Pi writes its apkovl the same way: a file
 * the package drops is lost at the 20-disk reboot or the next commit (issue 9, defect 2).
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../flash/helpers.js';
import { AlpineRoot, type AlpineConfVersion } from './alpine-root.js';
import { flashCard, type FlashedCard } from './card.js';

const rootOnly = process.getuid?.() === 0 ? false : process.env.CI ? false : 'needs root (chroot into an Alpine root)';

/**
 * OpenRC services the overlay enables that come from packages, and the package in etc/apk/world that
 * brings each (aports: main/openrc ships networking.initd, main/openssh sshd.initd through
 * openssh-server-openrc, main/chrony chronyd.initd through chrony-openrc; alpine-base depends on openrc).
 */
// loadkmap: aports main/openrc/loadkmap.initd (openrc, which alpine-base depends on).
const SERVICE_PACKAGES: Record<string, string> = { networking: 'alpine-base', loadkmap: 'alpine-base', sshd: 'openssh', chronyd: 'chrony' };

describe("the flashed overlay through Alpine's initramfs unpack and lbu package", { skip: rootOnly }, () => {
  const dir = tempDir('pi-cluster-alpine-ovl-');
  let card: FlashedCard;
  before(async () => {
    // A time zone and NTP servers too, so their files (a binary TZif file, a link, chrony.conf) are checked as well.
    writeFileSync(
      join(dir, 'pi-cluster.yaml'),
      'alpine:\n  timezone: Europe/Berlin\n  keymap: de-nodeadkeys\nnetwork:\n  ntp: [198.51.100.9]\n',
    );
    card = await flashCard(dir);
  });

  for (const version of ['3.20.0', '3.22.0'] satisfies AlpineConfVersion[]) {
    describe(`alpine-conf ${version}`, () => {
      let root: AlpineRoot;
      let unpacked: string[];
      before(async () => {
        root = await AlpineRoot.create(version);
        for (const line of root.sources) console.log(`upstream source: ${line}`);
        copyFileSync(join(card.bootDir, `${card.hostname}.apkovl.tar.gz`), join(root.dir, 'tmp/ovl.tar.gz'));
        unpacked = root
          .must('tar -C / -zxvf /tmp/ovl.tar.gz')
          .trim()
          .split('\n')
          .map((p) => p.replace(/^\.\//, ''));
      });
      after(() => root?.dispose());

      it("every file and link of the overlay is in lbu's package (so setup-disk and lbu commit keep it)", () => {
        const packaged = new Set(
          root
            .must('lbu package - | tar -tzf -')
            .trim()
            .split('\n')
            .map((p) => p.replace(/^\.\//, '').replace(/\/$/, '')),
        );
        const shipped = unpacked.filter((p) => !p.endsWith('/'));
        assert.ok(
          shipped.includes('root/.ssh/authorized_keys') &&
            shipped.includes('etc/init.d/pi-cluster-mdns') &&
            shipped.includes('etc/shadow') &&
            shipped.includes('etc/localtime') &&
            shipped.includes('etc/zoneinfo/Europe/Berlin') &&
            shipped.includes('etc/conf.d/loadkmap') &&
            shipped.includes('etc/keymap/de-nodeadkeys.bmap.gz'),
          shipped.join(' '),
        );
        const missing = shipped.filter((p) => !packaged.has(p));
        assert.deepEqual(missing, [], `lbu package drops ${missing.join(', ')}`);
      });

      it("the overlay's /etc/shadow, which replaces Alpine's, has every account of Alpine's /etc/passwd, root locked", () => {
        // The minirootfs's own passwd (alpine-baselayout): an account missing from shadow could not be managed by passwd/chpasswd.
        const accounts = root.must('cut -d: -f1 /etc/passwd').trim().split('\n');
        const shadow = root
          .must('cat /etc/shadow')
          .trim()
          .split('\n')
          .map((line) => line.split(':'));
        assert.deepEqual(
          shadow.map((fields) => fields[0]),
          accounts,
        );
        assert.deepEqual(shadow[0], ['root', '*', '', '0', '', '', '', '', '']);
        assert.match(root.must('ls -l /etc/shadow'), /^-rw-r-----/);
      });

      it("without the overlay's lbu include list, Alpine's lbu drops the SSH key (the lockout this guards against)", () => {
        const list = join(root.dir, 'etc/apk/protected_paths.d/pi-cluster.list');
        const saved = readFileSync(list);
        root.must('rm /etc/apk/protected_paths.d/pi-cluster.list');
        try {
          const packaged = root.must('lbu package - | tar -tzf -');
          assert.doesNotMatch(packaged, /root\/\.ssh\/authorized_keys/);
        } finally {
          root.must('cat >/etc/apk/protected_paths.d/pi-cluster.list', {}, saved);
        }
      });

      it('the key in the package is the one flashed, mode 0600', () => {
        const listing = root.must('lbu package - | tar -tvzf - root/.ssh/authorized_keys');
        assert.match(listing, /^-rw-------/);
        const key = root.must('lbu package - | tar -xzOf - root/.ssh/authorized_keys');
        assert.equal(key.trim(), card.publicKey.trim());
      });

      it('every runlevel link points at a service the overlay ships or a package in etc/apk/world brings', () => {
        const world = readFileSync(join(root.dir, 'etc/apk/world'), 'utf8').split('\n').filter(Boolean);
        const links = root.must('for l in /etc/runlevels/*/*; do echo "$l $(readlink "$l")"; done').trim().split('\n');
        assert.ok(links.length >= 4, links.join('\n'));
        for (const line of links) {
          const [link, target] = line.split(' ') as [string, string];
          const service = link.split('/').pop()!;
          assert.equal(target, `/etc/init.d/${service}`, `${link} -> ${target}`);
          if (existsSync(join(root.dir, target))) continue;
          const pkg = SERVICE_PACKAGES[service];
          assert.ok(pkg, `${link}: /etc/init.d/${service} is neither in the overlay nor a known package service`);
          assert.ok(
            world.includes(pkg),
            `${link}: ${service} comes from ${pkg}, which etc/apk/world (${world.join(' ')}) does not install`,
          );
        }
      });
    });
  }
});
