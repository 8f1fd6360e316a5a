/**
 * Layer 20-disk's sys install (ansible/roles/sysdisk/files/pi-cluster-sysdisk, the script the role
 * runs step by step) against a card image written by `pi-cluster flash`, on a loop device this test
 * makes, with Alpine's real setup-disk, lbu and apk audit running in an Alpine root that has the
 * card's overlay unpacked (a diskless Pi's RAM root).
 *
 * Where a step needs what only a Pi or a package repository has, the test says so:
 * - partition and format run on this machine with its util-linux sfdisk/partx and e2fsprogs: on the
 *   Pi the role installs Alpine's packages of the same tools (sfdisk, partx, e2fsprogs) first.
 * - setup-disk's package installs (raspberrypi-bootloader, sfdisk, dosfstools, e2fsprogs, and the new
 *   system's linux-rpi, alpine-base, ...) go to alpine-conf's own apk stand-in; they are listed in the
 *   test output. raspberrypi-bootloader's trigger (which points config.txt at the new kernel) is
 *   therefore not run here.
 * - the FAT boot partition is a tmpfs holding its files (this kernel has no vfat driver); /proc/mounts
 *   says vfat for it. Partition 2 is a real ext4 on the loop device.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { evaluateFacts, LAB_POLICY, preflightFacts, SYSTEM_PARTITION_LABEL } from '../../src/bootstrap/preflight.js';
import { factsScript, PREFLIGHT_PROBES } from '../../src/facts/index.js';
import { packageRoot } from '../../src/paths.js';
import { MiB, tempDir } from '../flash/helpers.js';
import { AlpineRoot, type AlpineConfVersion } from './alpine-root.js';
import { flashCard, type FlashedCard } from './card.js';

const rootOnly = process.getuid?.() === 0 ? false : process.env.CI ? false : 'needs root (loop devices, mounts, chroot)';
const SCRIPT = join(packageRoot(), 'ansible/roles/sysdisk/files/pi-cluster-sysdisk');
const CARD_SIZE = 400 * MiB;

interface Step {
  status: number;
  out: string;
}

/** A diskless Pi: the Alpine root with the card's overlay, the card on a loop device, the boot partition at /media. */
class VirtualDisklessPi {
  root!: AlpineRoot;
  loop = '';
  card!: FlashedCard;
  env: Record<string, string> = {};

  constructor(
    readonly dir: string,
    readonly version: AlpineConfVersion,
  ) {}

  get bootPart(): string {
    return `${this.loop}p1`;
  }

  get rootPart(): string {
    return `${this.loop}p2`;
  }

  get media(): string {
    return `/media/${this.bootPart.split('/').pop()}`;
  }

  async start(): Promise<void> {
    this.card = await flashCard(this.dir);
    execFileSync('truncate', ['-s', String(CARD_SIZE), this.card.image]);
    this.loop = execFileSync('losetup', ['-f', '-P', '--show', this.card.image]).toString().trim();
    spawnSync('partx', ['-a', this.loop]);
    this.root = await AlpineRoot.create(this.version);
    for (const line of this.root.sources) console.log(`upstream source: ${line}`);
    copyFileSync(join(this.card.bootDir, `${this.card.hostname}.apkovl.tar.gz`), join(this.root.dir, 'tmp/ovl.tar.gz'));
    this.root.must('tar -C / -zxf /tmp/ovl.tar.gz && rm /tmp/ovl.tar.gz');
    // The diskless Pi mounts its boot partition at /media/<partition> (here: a tmpfs holding the FAT's files).
    this.root.mount(['-t', 'tmpfs', this.bootPart], this.media);
    execFileSync('cp', ['-a', `${this.card.bootDir}/.`, join(this.root.dir, this.media)]);
    this.root.withPiProc(readFileSync(join(this.card.bootDir, 'cmdline.txt'), 'utf8'));
    copyFileSync(SCRIPT, join(this.root.dir, 'tmp/pi-cluster-sysdisk'));
    this.env = {
      SYSDISK_DEVICE: this.loop,
      SYSDISK_TARGET: '/mnt',
      SYSDISK_KERNEL_OPTS: 'cgroup_enable=memory cgroup_memory=1',
      SYSDISK_MIN_BYTES: String(200 * MiB),
    };
  }

  /** A step where the Pi runs it (in the Alpine root, as Ansible's script module would: /bin/sh SCRIPT STEP). */
  onPi(step: string): Step {
    this.root.refreshMounts([this.bootPart]);
    const result = this.root.run(`/bin/sh /tmp/pi-cluster-sysdisk ${step}`, this.env);
    return { status: result.status, out: `${result.stdout}${result.stderr}` };
  }

  /** partition/format: this machine's sfdisk, partx and mkfs.ext4 stand in for Alpine's packages of them. */
  onHost(step: string): Step {
    const result = spawnSync('/bin/sh', [SCRIPT, step], { env: { PATH: process.env.PATH, ...this.env } });
    return { status: result.status ?? -1, out: `${result.stdout}${result.stderr}` };
  }

  file(path: string): string {
    return readFileSync(join(this.root.dir, path), 'utf8');
  }

  bootFile(name: string): string {
    return this.file(join(this.media, name));
  }

  uuid(device: string): string {
    return execFileSync('blkid', ['-s', 'UUID', '-o', 'value', device]).toString().trim();
  }

  stop(): void {
    this.root?.dispose();
    if (this.loop) spawnSync('losetup', ['-d', this.loop]);
  }
}

const ok = (step: Step, name: string) => assert.equal(step.status, 0, `${name}: ${step.out}`);

for (const version of ['3.22.0', '3.20.0'] satisfies AlpineConfVersion[]) {
  describe(`20-disk on a flashed card with Alpine's setup-disk (alpine-conf ${version})`, { skip: rootOnly }, () => {
    const pi = new VirtualDisklessPi(tempDir('pi-cluster-sysdisk-'), version);
    let diskless = '';
    before(async () => {
      await pi.start();
      diskless = pi.bootFile('cmdline.txt');
    });
    after(() => pi.stop());

    it('partition and format make partition 2 in the free space, and a second run keeps it', () => {
      ok(pi.onHost('partition'), 'partition');
      const again = pi.onHost('partition');
      ok(again, 'partition again');
      assert.match(again.out, /is there already/);
      const table = JSON.parse(execFileSync('sfdisk', ['-J', pi.card.image]).toString()) as {
        partitiontable: { partitions: Array<{ start: number; size: number; type: string }> };
      };
      const [p1, p2] = table.partitiontable.partitions;
      assert.equal(table.partitiontable.partitions.length, 2);
      assert.equal(p2!.type, '83');
      assert.ok(p2!.start >= p1!.start + p1!.size, 'partition 2 starts after partition 1');
      assert.equal(p2!.start % 2048, 0, 'aligned to 1 MiB');
      ok(pi.onHost('format'), 'format');
      const formatted = pi.uuid(pi.rootPart);
      const formatAgain = pi.onHost('format');
      ok(formatAgain, 'format again');
      assert.equal(pi.uuid(pi.rootPart), formatted, 'a second format must not make a new file system');
      assert.equal(execFileSync('blkid', ['-s', 'LABEL', '-o', 'value', pi.rootPart]).toString().trim(), 'pi-cluster-root');
    });

    it("bootstrap's facts script (busybox on the Pi) reports partition 2, and preflight takes it as the target", () => {
      const script = factsScript(PREFLIGHT_PROBES)
        .replaceAll('mmcblk0p2', pi.rootPart.split('/').pop()!)
        .replaceAll('mmcblk0', pi.loop.split('/').pop()!);
      // (/proc/meminfo and /proc/cgroups are not in the stand-in /proc: those lines print nothing here.)
      const f = preflightFacts('pi0', pi.root.run(script).stdout, Date.now() / 1000);
      assert.deepEqual(f.cardSystemPartition, { bytes: CARD_SIZE - 65 * MiB, fstype: 'ext4', label: SYSTEM_PARTITION_LABEL });
      assert.equal(f.cardFreeBytes, 0);
      const policy = { ...LAB_POLICY, minSystemBytes: 200 * MiB };
      assert.deepEqual(
        evaluateFacts([{ ...f, rootFstype: 'tmpfs' }], [], { prepare: false, disk: false, node: false }, policy).filter((x) =>
          /card|partition/.test(x.problem),
        ),
        [],
      );
    });

    it("Alpine's setup-disk refuses a Pi with nothing at /mnt/boot (what 20-disk did before)", () => {
      pi.root.must(`mkdir -p /mnt && mount -t ext4 ${pi.rootPart} /mnt`);
      try {
        pi.root.refreshMounts([pi.bootPart]);
        const result = pi.root.run('setup-disk -m sys /mnt');
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /ext4 is not supported\. Only supported are: vfat/);
      } finally {
        pi.root.must('umount /mnt');
      }
    });

    it('mount puts partition 2 at /mnt and the boot partition at /mnt/boot; again is a no-op', () => {
      ok(pi.onPi('mount'), 'mount');
      ok(pi.onPi('mount'), 'mount again');
      pi.root.refreshMounts([pi.bootPart]);
      const mounts = pi.file('proc/mounts');
      assert.match(mounts, new RegExp(`^${pi.rootPart} /mnt ext4 `, 'm'));
      assert.match(mounts, new RegExp(`^${pi.bootPart} /mnt/boot vfat `, 'm'));
    });

    it('install runs setup-disk past its boot file system check, and can run again', () => {
      const first = pi.onPi('install');
      ok(first, 'install');
      console.log(`stood in for (need a package repository): ${pi.root.standInCalls().join(' | ')}`);
      assert.doesNotMatch(first.out, /is not supported/);
      ok(pi.onPi('install'), 'install again');
      assert.equal(pi.bootFile('cmdline.txt.diskless'), diskless, 'the diskless cmdline.txt is saved once, unchanged');
    });

    it("the new system has the flashed SSH key, host key, sshd config and hostname (through Alpine's lbu package)", () => {
      assert.equal(pi.file('mnt/root/.ssh/authorized_keys').trim(), pi.card.publicKey.trim());
      assert.equal(pi.file('mnt/etc/ssh/sshd_config'), pi.file('etc/ssh/sshd_config'));
      // The host key flash made (issue 15): the installed Pi keeps the identity discover verified.
      assert.match(pi.file('mnt/etc/ssh/ssh_host_ed25519_key'), /^-----BEGIN OPENSSH PRIVATE KEY-----/);
      assert.equal(pi.file('mnt/etc/ssh/ssh_host_ed25519_key'), pi.file('etc/ssh/ssh_host_ed25519_key'));
      assert.equal(pi.file('mnt/etc/hostname').trim(), pi.card.hostname);
      assert.ok(existsSync(join(pi.root.dir, 'mnt/etc/init.d/pi-cluster-mdns')));
    });

    it("cmdline.txt (written by setup-disk) is one line: root=UUID of partition 2, the card's options and the cgroup ones", () => {
      const cmdline = pi.bootFile('cmdline.txt');
      assert.equal(cmdline.split('\n').filter(Boolean).length, 1, cmdline);
      const words = cmdline.trim().split(/\s+/);
      assert.ok(words.includes(`root=UUID=${pi.uuid(pi.rootPart)}`), cmdline);
      for (const word of ['cgroup_enable=memory', 'cgroup_memory=1', 'console=tty1', 'rootfstype=ext4'])
        assert.ok(words.includes(word), `${word} in ${cmdline}`);
      assert.ok(!words.some((w) => w.startsWith('modules=loop')), 'the diskless modules= is gone');
      assert.equal(words.filter((w) => w.startsWith('root=')).length, 1);
    });

    it('fstab mounts partition 2 at / and the boot partition at /boot by UUID', () => {
      const fstab = pi.file('mnt/etc/fstab');
      assert.match(fstab, new RegExp(`^UUID=${pi.uuid(pi.rootPart)}\\s+/\\s+ext4`, 'm'));
      assert.match(fstab, new RegExp(`^UUID=${pi.uuid(pi.bootPart)}\\s+/boot\\s+vfat`, 'm'));
    });

    it('verify passes, finish unmounts, and mount + verify work again after finish', () => {
      ok(pi.onPi('verify'), 'verify');
      ok(pi.onPi('finish'), 'finish');
      assert.notEqual(pi.root.run('mountpoint -q /mnt').status, 0);
      ok(pi.onPi('mount'), 'mount after finish');
      ok(pi.onPi('verify'), 'verify after finish');
    });

    it('verify refuses a new system without the SSH key, and restore gives back the diskless card', () => {
      const keys = join(pi.root.dir, 'mnt/root/.ssh/authorized_keys');
      const saved = readFileSync(keys);
      rmSync(keys);
      const refused = pi.onPi('verify');
      assert.notEqual(refused.status, 0);
      assert.match(refused.out, /lock you out/);
      pi.root.must('cat >/mnt/root/.ssh/authorized_keys', {}, saved);
      ok(pi.onPi('restore'), 'restore');
      assert.equal(pi.bootFile('cmdline.txt'), diskless);
      assert.ok(!existsSync(join(pi.root.dir, pi.media, 'cmdline.txt.diskless')));
      assert.notEqual(pi.root.run('mountpoint -q /mnt').status, 0);
    });

    it('after a restore the whole layer runs again from the start', () => {
      for (const step of ['partition', 'format']) ok(pi.onHost(step), step);
      for (const step of ['mount', 'install', 'verify', 'finish']) ok(pi.onPi(step), step);
      assert.match(pi.bootFile('cmdline.txt'), new RegExp(`root=UUID=${pi.uuid(pi.rootPart)}`));
    });

    it('a partition 2 that pi-cluster did not make is refused, not formatted', () => {
      execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'photos', pi.rootPart]);
      const refused = pi.onHost('partition');
      assert.notEqual(refused.status, 0);
      assert.match(refused.out, /labelled 'photos', not one made by pi-cluster/);
      assert.notEqual(pi.onHost('format').status, 0);
      assert.equal(execFileSync('blkid', ['-s', 'LABEL', '-o', 'value', pi.rootPart]).toString().trim(), 'photos');
    });
  });
}

describe("the sysdisk role runs the script's steps in the order tested above", () => {
  it('partition, format, mount, install, verify, finish; restore on failure; reboot only after', async () => {
    const { parse } = await import('yaml');
    const tasks = parse(readFileSync(join(packageRoot(), 'ansible/roles/sysdisk/tasks/setup-Alpine.yml'), 'utf8')) as Array<
      Record<string, unknown>
    >;
    const steps = (list: unknown) =>
      (list as Array<Record<string, { cmd?: string }>>).map((t) => t['ansible.builtin.script']?.cmd).filter(Boolean);
    const block = tasks.find((t) => Array.isArray(t.block))!;
    assert.deepEqual(
      steps(block.block),
      ['partition', 'format', 'mount', 'install', 'verify', 'finish'].map((s) => `pi-cluster-sysdisk ${s}`),
    );
    assert.deepEqual(steps(block.rescue), ['pi-cluster-sysdisk restore']);
    const names = tasks.map((t) => String(t.name));
    assert.ok(names.indexOf('Reboot into the installed system') > tasks.indexOf(block), 'the reboot comes after the checked install');
  });
});
