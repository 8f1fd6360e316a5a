/**
 * A card's console keymap against Alpine's own setup-keymap (alpine-conf 3.20.0 and 3.22.0, run in the
 * official 3.20.3 minirootfs): the card must leave what `setup-keymap de de-nodeadkeys` leaves. Stood in
 * for, because no Alpine package can be had here: kbd-bkeymaps' file (setup-keymap's `apk add` goes to
 * alpine-conf's own test apk), and OpenRC's rc-service/rc-update (logged, as the minirootfs has no OpenRC).
 */
import assert from 'node:assert/strict';
import { copyFileSync, lstatSync, readFileSync, readlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../flash/helpers.js';
import { AlpineRoot, type AlpineConfVersion } from './alpine-root.js';
import { flashCard } from './card.js';

const rootOnly = process.getuid?.() === 0 ? false : process.env.CI ? false : 'needs root (chroot)';
const PACKAGE_FILE = 'usr/share/bkeymaps/de/de-nodeadkeys.bmap.gz';
/** Stand-in bytes for kbd-bkeymaps' file: busybox loadkmap's magic, then anything. */
const STAND_IN_MAP = gzipSync(Buffer.concat([Buffer.from('bkeymap'), Buffer.alloc(64, 7)]));

function placePackageFile(root: AlpineRoot): void {
  mkdirSync(join(root.dir, 'usr/share/bkeymaps/de'), { recursive: true });
  writeFileSync(join(root.dir, PACKAGE_FILE), STAND_IN_MAP);
}

describe("a card's keymap is what Alpine's setup-keymap leaves", { skip: rootOnly }, () => {
  const dir = tempDir('pi-cluster-alpine-keymap-');
  let card: string;
  before(async () => {
    writeFileSync(join(dir, 'pi-cluster.yaml'), 'alpine:\n  keymap: de-nodeadkeys\n');
    card = join((await flashCard(dir, 'pi0')).bootDir, 'pi0.apkovl.tar.gz');
  });

  for (const version of ['3.20.0', '3.22.0'] as AlpineConfVersion[]) {
    describe(`alpine-conf ${version}`, () => {
      let alpine: AlpineRoot;
      let ours: AlpineRoot;
      before(async () => {
        alpine = await AlpineRoot.create(version);
        placePackageFile(alpine);
        const log = '/var/log/openrc-stand-in.log';
        // Beside the apk router, first in the root's PATH.
        for (const tool of ['rc-service', 'rc-update']) {
          writeFileSync(join(alpine.dir, 'usr/local/lib/pi-cluster-test/bin', tool), `#!/bin/sh\necho "${tool} $*" >>${log}\n`, {
            mode: 0o755,
          });
        }
        const run = alpine.run('setup-keymap de de-nodeadkeys');
        assert.equal(run.status, 0, run.stderr);
        assert.doesNotMatch(run.stderr, /not found|No such file/, run.stderr);
        ours = await AlpineRoot.create(version);
        copyFileSync(card, join(ours.dir, 'tmp/ovl.tar.gz'));
        ours.must('tar -C / -zxf /tmp/ovl.tar.gz');
        placePackageFile(ours); // what apk installs from the boot medium for the world's kbd-bkeymaps
      });
      after(() => {
        alpine?.dispose();
        ours?.dispose();
      });

      it('the same /etc/conf.d/loadkmap, byte for byte', () => {
        const theirs = readFileSync(join(alpine.dir, 'etc/conf.d/loadkmap'), 'utf8');
        assert.equal(theirs, 'KEYMAP=/etc/keymap/de-nodeadkeys.bmap.gz\n');
        assert.equal(readFileSync(join(ours.dir, 'etc/conf.d/loadkmap'), 'utf8'), theirs);
      });

      it('/etc/keymap/de-nodeadkeys.bmap.gz: their copy of the package file, our link to it; busybox zcat reads the same map through both', () => {
        assert.ok(readFileSync(join(alpine.dir, 'etc/keymap/de-nodeadkeys.bmap.gz')).equals(STAND_IN_MAP));
        const link = join(ours.dir, 'etc/keymap/de-nodeadkeys.bmap.gz');
        assert.ok(lstatSync(link).isSymbolicLink());
        assert.equal(readlinkSync(link), `/${PACKAGE_FILE}`);
        const read = (root: AlpineRoot) => root.must('zcat /etc/keymap/de-nodeadkeys.bmap.gz | head -c 7');
        assert.equal(read(ours), 'bkeymap');
        assert.equal(read(ours), read(alpine));
      });

      it('loadkmap in the boot runlevel (their rc-update call, our link)', () => {
        const calls = readFileSync(join(alpine.dir, 'var/log/openrc-stand-in.log'), 'utf8');
        assert.match(calls, /^rc-update (--quiet|-q) add loadkmap boot$/m);
        assert.equal(readlinkSync(join(ours.dir, 'etc/runlevels/boot/loadkmap')), '/etc/init.d/loadkmap');
      });

      it('kbd-bkeymaps: setup-keymap installs it for the copy and removes it; the card keeps it in the world, for the link', () => {
        const apk = alpine.standInCalls();
        assert.ok(
          apk.some((c) => /^apk add .*--virtual \.setup-keymap-deps kbd-bkeymaps$/.test(c)),
          apk.join('\n'),
        );
        assert.ok(
          apk.some((c) => /^apk del .*\.setup-keymap-deps$/.test(c)),
          apk.join('\n'),
        );
        assert.ok(readFileSync(join(ours.dir, 'etc/apk/world'), 'utf8').split('\n').includes('kbd-bkeymaps'));
      });
    });
  }
});
