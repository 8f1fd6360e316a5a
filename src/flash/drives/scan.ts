import { execa } from 'execa';

/** One entry of `drivelist.list()` (the fields we use), as captured in test/fixtures/flash/drives/. */
export interface DrivelistDrive {
  device: string;
  raw: string;
  description: string;
  size: number | null;
  mountpoints: Array<{ path: string; label?: string | null }>;
  isReadOnly: boolean;
  isSystem: boolean;
  isVirtual: boolean | null;
  isRemovable: boolean;
  busType?: string;
  enumerator?: string;
}

/** A node of `lsblk --json --paths` (Linux): the whole tree, so mounts on LUKS/LVM children are seen. */
export interface LsblkNode {
  name: string;
  type?: string;
  size?: number | string | null;
  ro?: boolean | string | number;
  rm?: boolean | string | number;
  mountpoint?: string | null;
  fstype?: string | null;
  model?: string | null;
  children?: LsblkNode[];
}

export type DriveKind = 'disk' | 'loop' | 'zram' | 'ram' | 'virtual';

/** A drive as the safety filter sees it: drivelist's view, corrected with what the OS tree shows. */
export interface Drive {
  device: string;
  /** The path to open for writing (macOS: /dev/rdiskN, unbuffered and much faster). */
  raw: string;
  description: string;
  size: number | null;
  kind: DriveKind;
  isRemovable: boolean;
  isReadOnly: boolean;
  isSystem: boolean;
  /** Why it counts as the system drive (for messages). */
  systemReason?: string;
  /** Mount points anywhere on the drive, including on encrypted or LVM volumes inside it. */
  mountpoints: string[];
  /** Something holds it without a mount: swap, LVM/RAID/ZFS member, an open LUKS volume. */
  inUse: boolean;
}

export interface DriveSnapshot {
  platform: NodeJS.Platform;
  drivelist: DrivelistDrive[];
  /** Linux only: `lsblk` tree; absent elsewhere or when lsblk failed. */
  lsblk?: { blockdevices: LsblkNode[] };
}

/** Mount points that make a drive the system drive (its own OS lives there). */
const SYSTEM_MOUNTS = new Set([
  '/',
  '/boot',
  '/boot/efi',
  '/boot/firmware',
  '/efi',
  '/usr',
  '/var',
  '/home',
  '/etc',
  '/opt',
  '/srv',
  '/nix',
  '[SWAP]',
]);
/** Where desktops and users mount removable media; a fixed disk mounted only there is not the system's. */
const MEDIA_MOUNT = /^\/(media|run\/media|mnt)\//;
const MEMBER_FSTYPES = /^(LVM2_member|linux_raid_member|zfs_member|crypto_LUKS|swap|bcache|ceph_bluestore)$/;

/** Reads the machine's drives (drivelist, plus the lsblk tree on Linux). */
export async function snapshotDrives(): Promise<DriveSnapshot> {
  const { list } = await import('drivelist');
  const drivelist = (await list()) as unknown as DrivelistDrive[];
  const snapshot: DriveSnapshot = { platform: process.platform, drivelist };
  if (process.platform === 'linux') snapshot.lsblk = await lsblkTree();
  return snapshot;
}

export async function lsblkTree(device?: string): Promise<{ blockdevices: LsblkNode[] } | undefined> {
  try {
    const args = ['--bytes', '--json', '--paths', '--output', 'NAME,TYPE,SIZE,RO,RM,MOUNTPOINT,FSTYPE,MODEL'];
    const { stdout } = await execa('lsblk', device ? [...args, device] : args);
    return JSON.parse(stdout) as { blockdevices: LsblkNode[] };
  } catch {
    return undefined;
  }
}

/** Normalizes a snapshot into Drives; loop devices (which drivelist omits) come from the lsblk tree. */
export function drivesFrom(snapshot: DriveSnapshot): Drive[] {
  const tree = new Map((snapshot.lsblk?.blockdevices ?? []).map((node) => [node.name, node]));
  const listed = new Set([...tree.keys(), ...snapshot.drivelist.map((entry) => entry.device)]);
  const drives = snapshot.drivelist.map((entry) => normalize(entry, snapshot, tree.get(entry.device), listed.has(`${entry.device}boot0`)));
  for (const node of tree.values()) {
    if (!/^\/dev\/loop\d+$/.test(node.name) || drives.some((drive) => drive.device === node.name)) continue;
    const mounts = collectMounts(node);
    drives.push({
      device: node.name,
      raw: node.name,
      description: 'loop device',
      size: Number(node.size) || null,
      kind: 'loop',
      isRemovable: false,
      isReadOnly: truthy(node.ro),
      isSystem: mounts.some((m) => SYSTEM_MOUNTS.has(m)),
      systemReason: mounts.find((m) => SYSTEM_MOUNTS.has(m)),
      mountpoints: mounts,
      inUse: collectInUse(node),
    });
  }
  return drives;
}

/** `hasBootAreas`: the kernel lists <device>boot0, the hardware boot partitions only eMMC chips have. */
function normalize(entry: DrivelistDrive, snapshot: DriveSnapshot, node: LsblkNode | undefined, hasBootAreas = false): Drive {
  const mountpoints = node ? collectMounts(node) : entry.mountpoints.map((m) => m.path);
  const systemMount = mountpoints.find((m) => SYSTEM_MOUNTS.has(m) || /^\/System\/Volumes\//.test(m));
  const inUse = node ? collectInUse(node) : false;
  const kind: DriveKind = /\/(zram)\d*/.test(entry.device)
    ? 'zram'
    : /\/dev\/ram\d*/.test(entry.device)
      ? 'ram'
      : /\/dev\/loop\d*/.test(entry.device)
        ? 'loop'
        : entry.isVirtual && snapshot.platform !== 'linux'
          ? 'virtual'
          : 'disk';
  let isSystem = Boolean(systemMount);
  let systemReason = systemMount ? `${systemMount} is mounted from it` : undefined;
  let isRemovable = entry.isRemovable;
  if (!isSystem && entry.isSystem) {
    if (snapshot.platform === 'linux' && node) {
      // drivelist's Linux "system" only means "not removable". With the whole lsblk tree in view, a fixed
      // disk that is idle, or mounted only where desktops mount media, is a non-removable drive (allowed
      // with --force); one mounted anywhere else or held by swap/LVM/RAID/ZFS/LUKS stays the system's.
      const fixedMount = mountpoints.find((m) => !MEDIA_MOUNT.test(m));
      isSystem = Boolean(fixedMount) || inUse;
      systemReason = fixedMount
        ? `${fixedMount} is mounted from it`
        : inUse
          ? 'in use (swap, LVM, RAID, ZFS or an open encrypted volume)'
          : undefined;
    } else {
      isSystem = true;
      systemReason = 'the operating system reports it as a system drive';
    }
  }
  // Built-in SD card readers (mmcblk) often report "not removable": the card in them is, unless it holds
  // this system or is soldered eMMC (it has hardware boot areas mmcblkNboot0/1; an SD card has none).
  if (snapshot.platform === 'linux' && /^\/dev\/mmcblk\d+$/.test(entry.device) && !isSystem && !hasBootAreas) isRemovable = true;
  return {
    device: entry.device,
    raw: entry.raw || entry.device,
    description: entry.description || node?.model || '',
    size: entry.size || null,
    kind,
    isRemovable,
    isReadOnly: entry.isReadOnly,
    isSystem,
    systemReason,
    mountpoints,
    inUse,
  };
}

function collectMounts(node: LsblkNode): string[] {
  const out: string[] = [];
  const walk = (n: LsblkNode) => {
    if (n.mountpoint) out.push(n.mountpoint);
    for (const child of n.children ?? []) walk(child);
  };
  walk(node);
  return out;
}

function collectInUse(node: LsblkNode): boolean {
  const walk = (n: LsblkNode): boolean => {
    if (n.fstype && MEMBER_FSTYPES.test(n.fstype) && (n.children?.length || n.fstype === 'swap' || n.fstype === 'zfs_member')) return true;
    if (n.mountpoint === '[SWAP]') return true;
    return (n.children ?? []).some((child) => walk(child));
  };
  return walk(node);
}

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}
