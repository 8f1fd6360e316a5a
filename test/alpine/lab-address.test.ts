/**
 * A card's fixed address on a (virtual) Pi: `pi-cluster flash --address` writes the card, the card's
 * overlay is unpacked into Alpine's 3.20.3 minirootfs with Alpine's tar, and Alpine's own busybox
 * `ifup` brings eth0 up from the card's etc/network/interfaces inside a lab Pi's network namespace
 * (in place of the address the lab gave it). The Pi must then answer SSH on the card's address,
 * with the card's promiscuous mode on. What stands in: the lab Pi (a Debian root with OpenRC and
 * sshd) for the Pi, busybox ifup for ifupdown-ng (both read the same keywords).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Lab, labSkipReason } from '../lab/index.js';
import { sshAnswers } from '../lab/readiness.js';
import { tempDir } from '../flash/helpers.js';
import { AlpineRoot } from './alpine-root.js';
import { flashCard } from './card.js';

const CARD_ADDRESS = '198.51.100.51';

describe("a lab Pi brought up with a card's fixed address answers on it", { skip: labSkipReason() }, () => {
  const dir = tempDir('pi-cluster-lab-address-');
  const lab = new Lab({ name: 'fixedip' });
  let root: AlpineRoot;
  let netns: string;

  before(async () => {
    const project = join(dir, 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'pi-cluster.yaml'), 'network:\n  subnet: 198.51.100.0/24\n  gateway: 198.51.100.254\n');
    const card = await flashCard(project, 'pi0', ['--address', `pi0=${CARD_ADDRESS}/24`]);
    root = await AlpineRoot.create('3.22.0');
    copyFileSync(join(card.bootDir, 'pi0.apkovl.tar.gz'), join(root.dir, 'tmp/ovl.tar.gz'));
    root.must('tar -C / -zxf /tmp/ovl.tar.gz etc/network/interfaces etc/resolv.conf && mkdir -p /run');
    await lab.up(1);
    netns = lab.host('pi0').netns;
  });
  after(async () => {
    await lab.down();
    root?.dispose();
  });

  it("Alpine's ifup applies the card's interfaces file; the Pi answers SSH there, promiscuous", async () => {
    const labAddress = lab.host('pi0').ip;
    assert.notEqual(labAddress, CARD_ADDRESS);
    assert.equal(await sshAnswers(CARD_ADDRESS), false, "nothing answers on the card's address before");
    // Forget the lab's own address, as a freshly booted Pi has none, then let Alpine's ifup read the card's file.
    const up = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        netns,
        'chroot',
        root.dir,
        '/bin/sh',
        '-c',
        'ip addr flush dev eth0 && ip route flush dev eth0 && ifup -v -i /etc/network/interfaces eth0',
      ],
      {
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      },
    );
    assert.equal(up.status, 0, `${up.stdout}${up.stderr}`);
    const addresses = execFileSync('ip', ['netns', 'exec', netns, 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']).toString();
    assert.match(addresses, new RegExp(`inet ${CARD_ADDRESS.replaceAll('.', '\\.')}/24 `));
    assert.doesNotMatch(addresses, new RegExp(`inet ${labAddress.replaceAll('.', '\\.')}/`));
    assert.match(
      execFileSync('ip', ['netns', 'exec', netns, 'ip', 'route', 'show', 'default']).toString(),
      /^default via 198\.51\.100\.254 dev eth0/m,
    );
    assert.match(execFileSync('ip', ['netns', 'exec', netns, 'ip', '-o', 'link', 'show', 'eth0']).toString(), /PROMISC/);
    assert.equal(await sshAnswers(CARD_ADDRESS, 3000), true, `the Pi answers SSH on ${CARD_ADDRESS}`);
    assert.equal(await sshAnswers(labAddress), false, "and no longer on the lab's address");
  });
});
