import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { flash } from '../../src/flash/flash.js';
import { unmountDrive } from '../../src/flash/drives/platform.js';
import { assertWritable, driveHolding, judgeDrive } from '../../src/flash/drives/safety.js';
import { drivesFrom, type Drive, type DriveSnapshot, type LsblkNode } from '../../src/flash/drives/scan.js';
import { candidates, checkDevices, findDrive } from '../../src/flash/targets.js';
import { config, driveFixture, MiB, release, sshKeyPair, tempDir, TEST_BOOT } from './helpers.js';

const REQUIRED = MiB + 1024 * MiB;
const context = (force = false, sourcePath?: string) => ({ requiredSize: REQUIRED, sourcePath, force });
const offered = (snapshot: DriveSnapshot, force = false, sourcePath?: string) =>
  candidates(snapshot, context(force, sourcePath)).offered.map((v) => v.drive.device);
const drive = (snapshot: DriveSnapshot, device: string): Drive => findDrive(device, drivesFrom(snapshot));
const refusal = (snapshot: DriveSnapshot, device: string, force = false, sourcePath?: string): string => {
  try {
    checkDevices([device], snapshot, context(force, sourcePath));
  } catch (error) {
    assert.ok(error instanceof UserError);
    return error.message;
  }
  return 'allowed';
};

describe('drive safety: a laptop with an SD reader (LUKS root)', () => {
  const laptop = driveFixture('laptop-sd-reader');

  it('offers the SD cards only: built-in reader (reports rm=0) and USB reader', () => {
    assert.deepEqual(offered(laptop).sort(), ['/dev/mmcblk0', '/dev/sda']);
  });

  it('sees the root file system on LUKS inside the NVMe disk, which drivelist alone misses', () => {
    const nvme = drive(laptop, '/dev/nvme0n1');
    assert.equal(nvme.isSystem, true);
    assert.ok(nvme.mountpoints.includes('/'));
    assert.match(refusal(laptop, '/dev/nvme0n1'), /system drive/);
    assert.match(refusal(laptop, '/dev/nvme0n1', true), /system drive/, '--force is never enough for the system drive');
  });

  it('never takes zram, even with --force', () => {
    assert.match(refusal(laptop, '/dev/zram0', true), /zram device/);
  });

  it('names the partition a user passed and the drive to pass instead', () => {
    assert.throws(
      () => findDrive('/dev/sda1', drivesFrom(laptop)),
      (e: unknown) => e instanceof UserError && e.hint === 'pass the drive: --device /dev/sda',
    );
    assert.throws(() => findDrive('/dev/sdz', drivesFrom(laptop)), /not a drive this computer lists/);
  });
});

describe('drive safety: a Pi-like system with zram', () => {
  const pi = driveFixture('pi-zram');

  it('offers the USB card reader and nothing else', () => {
    assert.deepEqual(offered(pi), ['/dev/sda']);
    assert.deepEqual(offered(pi, true), ['/dev/sda'], '--force adds no drive that is mounted somewhere fixed');
  });

  it('refuses its own card, its zram and a fixed disk mounted at /srv/backup', () => {
    assert.match(refusal(pi, '/dev/mmcblk0', true), /system drive \(\/boot\/firmware is mounted from it\)/);
    assert.match(refusal(pi, '/dev/zram0', true), /zram device.*no size/);
    assert.match(refusal(pi, '/dev/sdb', true), /system drive \(\/srv\/backup is mounted from it\)/);
  });

  it('refuses the drive holding the source image', () => {
    assert.match(refusal(pi, '/dev/sda', false, '/media/pi/PIBOOT/alpine-rpi-3.23.0-aarch64.tar.gz'), /holds the source image/);
    assert.deepEqual(offered(pi, false, '/media/pi/PIBOOT/x.tar.gz'), []);
    assert.equal(driveHolding('/media/pi/PIBOOT/x', drivesFrom(pi))?.device, '/dev/sda');
    assert.equal(driveHolding('/home/pi/x', drivesFrom(pi))?.device, '/dev/mmcblk0');
  });

  it("unmounts the card's file systems before writing it (deepest first)", async () => {
    const calls: string[][] = [];
    await unmountDrive(drive(pi, '/dev/sda'), async (command, args) => void calls.push([command, ...args]), 'linux');
    assert.deepEqual(calls, [['umount', '/media/pi/PIBOOT']]);
    const mac: string[][] = [];
    await unmountDrive(
      drive(driveFixture('mac-external-disk'), '/dev/disk5'),
      async (command, args) => void mac.push([command, ...args]),
      'darwin',
    );
    assert.deepEqual(mac, [['diskutil', 'unmountDisk', '/dev/disk5']]);
  });
});

describe('drive safety: a Mac with an external disk', () => {
  const mac = driveFixture('mac-external-disk');

  it('offers the SD card; --force adds the external disk but never the disk image', () => {
    assert.deepEqual(offered(mac), ['/dev/disk5']);
    assert.deepEqual(offered(mac, true).sort(), ['/dev/disk4', '/dev/disk5']);
  });

  it('needs --force for the non-removable external disk, and accepts /dev/rdiskN', () => {
    assert.match(refusal(mac, '/dev/disk4'), /not removable/);
    assert.equal(refusal(mac, '/dev/disk4', true), 'allowed');
    assert.equal(drive(mac, '/dev/rdisk5').device, '/dev/disk5');
    assert.equal(drive(mac, '/dev/disk5').raw, '/dev/rdisk5', 'the raw device is what gets written');
  });

  it('never writes the internal disk or the APFS container', () => {
    assert.match(refusal(mac, '/dev/disk0', true), /system drive/);
    assert.match(refusal(mac, '/dev/disk3', true), /system drive/);
  });

  it('takes a virtual disk only with an explicit --device and --force', () => {
    assert.match(refusal(mac, '/dev/disk6'), /virtual disk/);
    assert.equal(refusal(mac, '/dev/disk6', true), 'allowed');
  });

  it('refuses the disk holding the source image even with --force', () => {
    assert.match(refusal(mac, '/dev/disk4', true, '/Volumes/T7/Downloads/alpine-rpi-3.23.0-aarch64.tar.gz'), /holds the source image/);
  });
});

describe('drive safety: captured on this build VM', () => {
  const vm = driveFixture('build-vm');

  it('offers nothing: the virtio system disk and zram are never candidates', () => {
    assert.deepEqual(offered(vm, true), []);
    assert.match(refusal(vm, '/dev/vda', true), /system drive/);
  });
});

describe('drive safety: single rules', () => {
  const base: Drive = {
    device: '/dev/sdx',
    raw: '/dev/sdx',
    description: 'SD',
    size: 32e9,
    kind: 'disk',
    isRemovable: true,
    isReadOnly: false,
    isSystem: false,
    mountpoints: [],
    inUse: false,
  };
  const judge = (d: Partial<Drive>, force = false) => judgeDrive({ ...base, ...d }, { requiredSize: REQUIRED, drives: [], force });

  it('refuses read-only, size-less and too-small drives, with reasons a user understands', () => {
    assert.throws(() => assertWritable(judge({ isReadOnly: true }), true), /read-only.*lock switch/);
    assert.throws(() => assertWritable(judge({ size: null }), true), /no size/);
    assert.throws(
      () => assertWritable(judge({ size: 512 * MiB }), true),
      (e: unknown) => e instanceof UserError && /too small/.test(e.message) && /smaller --boot-size/.test(e.hint ?? ''),
    );
  });

  it('accepts a loop device only with --force, and never lists it', () => {
    const loop = judge({ kind: 'loop', isRemovable: false }, true);
    assert.equal(loop.allowed, true);
    assert.equal(loop.offer, false);
    assert.throws(() => assertWritable(judge({ kind: 'loop', isRemovable: false }), false), /loop device/);
  });
});

describe('flash with a bad --device', () => {
  it('refuses the system drive, says why, and runs nothing', async () => {
    const dir = tempDir();
    const built = await release(join(dir, 'r'));
    const calls: string[] = [];
    await assert.rejects(
      flash({
        stateDir: join(dir, 'state'),
        config: config(),
        devices: ['/dev/nvme0n1'],
        image: built.path,
        hostname: 'pi0',
        sshKey: sshKeyPair(dir).publicKey,
        bootSize: TEST_BOOT,
        yes: true,
        force: true,
        cacheDir: join(dir, 'cache'),
        scanDrives: async () => driveFixture('laptop-sd-reader'),
        runTool: async (command) => void calls.push(command),
      }),
      /refusing to write \/dev\/nvme0n1.*system drive/,
    );
    assert.deepEqual(calls, [], 'nothing was unmounted or written');
    assert.equal(existsSync(join(dir, 'cache', 'composed')), false, 'refused before the release was even read');
  });

  it('lets the user pick from the safe drives only, then shows the drive and asks', async () => {
    const dir = tempDir();
    let listed: string[] = [];
    let greyed: string[] = [];
    let shown = '';
    const prompts = {
      pickDrive: async (offer: Array<{ drive: Drive }>, refused: Array<{ drive: Drive; reasons: string[] }>) => {
        listed = offer.map((v) => v.drive.device);
        greyed = refused.map((v) => `${v.drive.device}: ${v.reasons[0]}`);
        return offer[0].drive;
      },
      confirm: async (info: { drive: Drive; hostnames: string[] }) => {
        shown = `${info.drive.device} ${info.drive.description} ${info.hostnames.join(',')}`;
        return false;
      },
      nextCard: async () => undefined,
    };
    const calls: string[] = [];
    await assert.rejects(
      flash({
        stateDir: join(dir, 'state'),
        config: config(),
        hostnames: ['pi0', 'pi1'],
        sshKey: sshKeyPair(dir).publicKey,
        bootSize: TEST_BOOT,
        yes: true,
        image: join(dir, 'none.tar.gz'),
        prompts,
        scanDrives: async () => driveFixture('pi-zram'),
        runTool: async (c) => void calls.push(c),
      }),
      (e: unknown) => e instanceof UserError && e.exitCode === 130 && /nothing written to \/dev\/sda/.test(e.message),
    );
    assert.deepEqual(listed, ['/dev/sda']);
    assert.ok(
      greyed.some((g) => g.startsWith('/dev/mmcblk0: it is the system drive')),
      greyed.join('\n'),
    );
    assert.equal(shown, '/dev/sda Generic STORAGE DEVICE (PIBOOT) pi0,pi1', '--yes does not skip the question for a picked drive');
    assert.deepEqual(calls, []);
  });

  it('asks for --yes when there is no terminal to confirm on', async () => {
    const dir = tempDir();
    await assert.rejects(
      flash({
        stateDir: join(dir, 'state'),
        config: config(),
        devices: ['/dev/sda'],
        hostname: 'pi0',
        sshKey: sshKeyPair(dir).publicKey,
        bootSize: TEST_BOOT,
        image: join(dir, 'none.tar.gz'),
        scanDrives: async () => driveFixture('pi-zram'),
      }),
      (e: unknown) => e instanceof UserError && /confirmation needed/.test(e.message) && /--yes/.test(e.hint ?? ''),
    );
  });
});

describe('drive safety: the drive holding the source image, by real path and device number (issue 12, item 5)', () => {
  const card = (mount: string): Drive => ({
    device: '/dev/sdz',
    raw: '/dev/sdz',
    description: 'USB card reader',
    size: 32e9,
    kind: 'disk',
    isRemovable: true,
    isReadOnly: false,
    isSystem: false,
    mountpoints: [mount],
    inUse: false,
  });
  const verdict = (mount: string, sourcePath: string) =>
    judgeDrive(card(mount), { requiredSize: REQUIRED, sourcePath, drives: [card(mount)], force: true });

  it("an --image reached through a symlink (to the file or to a folder) into the card's mount is refused", () => {
    const dir = tempDir();
    const mount = join(dir, 'media', 'PIBOOT');
    mkdirSync(mount, { recursive: true });
    writeFileSync(join(mount, 'alpine.tar.gz'), 'x');
    symlinkSync(join(mount, 'alpine.tar.gz'), join(dir, 'alpine.tar.gz'));
    symlinkSync(mount, join(dir, 'downloads'));
    for (const source of [join(dir, 'alpine.tar.gz'), join(dir, 'downloads', 'alpine.tar.gz')]) {
      const judged = verdict(mount, source);
      assert.equal(judged.allowed, false, source);
      assert.match(judged.reasons.join('; '), /holds the source image/);
    }
    assert.equal(verdict(mount, join(dir, 'elsewhere.tar.gz')).allowed, true, 'a file beside it is not on the card');
  });

  it('a mount point named by another path is matched by its device number; a plain folder is not', (t) => {
    assert.notEqual(statSync('/dev/shm').dev, statSync('/dev').dev, '/dev/shm is a mount point of its own (tmpfs)');
    const dir = tempDir();
    const image = join('/dev/shm', `pi-cluster-item5-${process.pid}.tar.gz`);
    writeFileSync(image, 'x');
    t.after(() => rmSync(image, { force: true }));
    symlinkSync('/dev/shm', join(dir, 'card')); // the drive's mount point, as lsblk might name it through a link
    assert.equal(verdict(join(dir, 'card'), image).allowed, false);
    mkdirSync(join(dir, 'plain'));
    assert.equal(
      verdict(join(dir, 'plain'), join(dir, 'x.tar.gz')).allowed,
      true,
      'same file system as its parent: not a mount point, no match',
    );
  });
});

describe('drive safety gaps of issue 12, item 10', () => {
  const GB = 1e9;
  /** A Linux machine whose only drive besides nothing is `node` (lsblk) as drivelist reports it. */
  const machine = (
    device: string,
    size: number,
    options: { removable?: boolean; children?: LsblkNode[]; extra?: LsblkNode[] } = {},
  ): DriveSnapshot => ({
    platform: 'linux',
    drivelist: [
      {
        device,
        raw: device,
        description: 'Test drive',
        size,
        mountpoints: [],
        isReadOnly: false,
        isSystem: !options.removable,
        isVirtual: false,
        isRemovable: Boolean(options.removable),
      },
    ],
    lsblk: {
      blockdevices: [
        {
          name: device,
          type: 'disk',
          size,
          ro: false,
          rm: Boolean(options.removable),
          mountpoint: null,
          fstype: null,
          children: options.children ?? [],
        },
        ...(options.extra ?? []),
      ],
    },
  });
  const keys = new Map<string, string>();
  const keyIn = (dir: string) => keys.get(dir) ?? keys.set(dir, sshKeyPair(dir).publicKey).get(dir)!;
  const flashTo = (dir: string, snapshot: DriveSnapshot | (() => DriveSnapshot), more: Record<string, unknown> = {}) =>
    flash({
      stateDir: join(dir, 'state'),
      config: config(),
      devices: ['/dev/sdc'],
      hostname: 'pi0',
      sshKey: keyIn(dir),
      bootSize: TEST_BOOT,
      image: join(dir, 'none.tar.gz'),
      scanDrives: async () => (typeof snapshot === 'function' ? snapshot() : snapshot),
      runTool: async () => undefined,
      ...more,
    });

  it('a removable disk over 128 GB is asked about again: --yes does not skip the question, --force does', async () => {
    const dir = tempDir();
    const big = machine('/dev/sdc', 500 * GB, { removable: true });
    await assert.rejects(
      flashTo(dir, big, { yes: true }),
      (e: unknown) =>
        e instanceof UserError &&
        /^refusing to write \/dev\/sdc without asking: \/dev\/sdc is 500\.0 GB, larger than SD cards usually are \(over 128\.0 GB\)/.test(
          e.message,
        ) &&
        /--force/.test(e.hint ?? ''),
    );
    // Past the drive checks, flash stops at the missing image: the drive was accepted.
    await assert.rejects(flashTo(dir, big, { yes: true, force: true }), /--image .*none\.tar\.gz does not exist/);
    await assert.rejects(
      flashTo(dir, machine('/dev/sdc', 64 * GB, { removable: true }), { yes: true }),
      /--image .*none\.tar\.gz does not exist/,
      '--yes is enough for a card-sized drive',
    );
    let asked: string | undefined;
    const prompts = {
      pickDrive: async () => assert.fail('not asked'),
      confirm: async (info: { large?: string }) => ((asked = info.large), false),
      nextCard: async () => undefined,
    };
    await assert.rejects(flashTo(dir, big, { yes: true, prompts }), (e: unknown) => e instanceof UserError && e.exitCode === 130);
    assert.match(asked ?? '', /500\.0 GB, larger than SD cards usually are/);
  });

  it('"in use" refuses any drive, removable too (an LVM member on a USB stick)', () => {
    const lvm = machine('/dev/sdc', 32 * GB, {
      removable: true,
      children: [
        {
          name: '/dev/sdc1',
          type: 'part',
          fstype: 'LVM2_member',
          children: [{ name: '/dev/mapper/vg-data', type: 'lvm', mountpoint: null }],
        },
      ],
    });
    assert.match(
      refusal(lvm, '/dev/sdc', true),
      /refusing to write \/dev\/sdc .*it is in use \(swap, LVM, RAID, ZFS or an open encrypted volume\)/,
    );
    assert.deepEqual(offered(lvm), []);
  });

  it('an mmcblk drive is taken as a removable card only when it is not eMMC (no boot0/boot1 areas)', () => {
    const sd = machine('/dev/mmcblk1', 32 * GB);
    assert.equal(drive(sd, '/dev/mmcblk1').isRemovable, true);
    assert.deepEqual(offered(sd), ['/dev/mmcblk1']);
    const emmc = machine('/dev/mmcblk1', 32 * GB, {
      extra: [
        { name: '/dev/mmcblk1boot0', type: 'disk', size: 4_194_304, ro: true },
        { name: '/dev/mmcblk1boot1', type: 'disk', size: 4_194_304, ro: true },
      ],
    });
    assert.equal(drive(emmc, '/dev/mmcblk1').isRemovable, false);
    assert.deepEqual(offered(emmc), [], 'a spare eMMC is not offered');
    assert.match(refusal(emmc, '/dev/mmcblk1'), /it is not removable/);
    assert.equal(refusal(emmc, '/dev/mmcblk1', true), 'allowed', 'with --device and --force it may be written');
  });

  it('a RAM disk is never written, not even with --force', () => {
    const ram = machine('/dev/ram0', 64 * GB, { removable: true });
    assert.equal(drive(ram, '/dev/ram0').kind, 'ram');
    assert.match(refusal(ram, '/dev/ram0', true), /it is a ram device \(memory, not a card\)/);
  });

  it('a drive that changed between the choice and the write (another card) is not written', async () => {
    const dir = tempDir();
    const built = await release(join(dir, 'release'));
    const snapshots = [machine('/dev/sdc', 32 * GB, { removable: true }), machine('/dev/sdc', 64 * GB, { removable: true })];
    let scans = 0;
    const tools: string[] = [];
    await assert.rejects(
      flashTo(dir, () => snapshots[Math.min(scans++, 1)], {
        yes: true,
        image: built.path,
        cacheDir: join(dir, 'cache'),
        runTool: async (command: string) => void tools.push(command),
      }),
      (e: unknown) => e instanceof UserError && e.message === '/dev/sdc changed since it was chosen (another card?)',
    );
    assert.equal(scans, 2, 'scanned when chosen and again right before the write');
    assert.deepEqual(tools, [], 'nothing was unmounted or written');
  });
});
