/**
 * Time zone and NTP servers on a card, read by the programs that read them on a Pi: Alpine's musl
 * (busybox `date` in the 3.20.3 minirootfs) with the card's /etc/localtime, and chronyd's own config
 * parser (`chronyd -p`, Debian's chrony 4.3 in the lab's root file system; Alpine ships the same
 * chrony) on the card's /etc/chrony/chrony.conf.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureRootfs } from '../lab/rootfs.js';
import { tempDir } from '../flash/helpers.js';
import { AlpineRoot } from './alpine-root.js';
import { flashCard } from './card.js';

const rootOnly = process.getuid?.() === 0 ? false : process.env.CI ? false : 'needs root (chroot)';

describe("a card's time zone and NTP servers, read by musl and chronyd", { skip: rootOnly }, () => {
  const dir = tempDir('pi-cluster-alpine-time-');
  let root: AlpineRoot;
  before(async () => {
    writeFileSync(join(dir, 'pi-cluster.yaml'), 'alpine:\n  timezone: Europe/Berlin\nnetwork:\n  ntp: [ntp1.example.net, 198.51.100.9]\n');
    const card = await flashCard(dir, 'pi0');
    root = await AlpineRoot.create('3.22.0');
    copyFileSync(join(card.bootDir, 'pi0.apkovl.tar.gz'), join(root.dir, 'tmp/ovl.tar.gz'));
    root.must('tar -C / -zxf /tmp/ovl.tar.gz');
  });
  after(() => root?.dispose());

  it('leaves what setup-timezone leaves: /etc/zoneinfo/<zone> and /etc/localtime linking to it', () => {
    assert.equal(root.must('readlink /etc/localtime').trim(), '/etc/zoneinfo/Europe/Berlin');
    assert.ok(readFileSync(join(root.dir, 'etc/zoneinfo/Europe/Berlin')).equals(readFileSync('/usr/share/zoneinfo/Europe/Berlin')));
  });

  it("Alpine's musl tells Berlin time from it (summer and winter)", () => {
    // 2024-07-01 12:00 UTC and 2024-01-15 12:00 UTC; TZ unset, so musl reads /etc/localtime.
    assert.equal(root.must('date -d @1719835200 "+%H:%M %Z"').trim(), '14:00 CEST');
    assert.equal(root.must('date -d @1705320000 "+%H:%M %Z"').trim(), '13:00 CET');
  });

  it("chronyd -p reads the card's chrony.conf with exactly the configured servers", async () => {
    const rootfs = await ensureRootfs();
    const scratch = mkdtempSync(join(dir, 'chrony-'));
    try {
      copyFileSync(join(root.dir, 'etc/chrony/chrony.conf'), join(scratch, 'chrony.conf'));
      // The lab's root file system is shared read-only: bind the scratch folder over its /mnt in a private mount namespace.
      const run = spawnSync('unshare', [
        '--mount',
        'sh',
        '-c',
        `mount --bind "${scratch}" "${rootfs}/mnt" && chroot "${rootfs}" /usr/sbin/chronyd -p -f /mnt/chrony.conf`,
      ]);
      assert.equal(run.status, 0, `${run.stderr}`);
      const servers = run.stdout
        .toString()
        .split('\n')
        .filter((line) => line.startsWith('server '));
      assert.deepEqual(servers, ['server ntp1.example.net iburst', 'server 198.51.100.9 iburst']);
      assert.doesNotMatch(run.stdout.toString(), /pool\.ntp\.org/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
