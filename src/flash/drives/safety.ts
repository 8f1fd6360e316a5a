import { realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../../errors.js';
import type { Drive } from './scan.js';

/**
 * The one place that decides which drives `flash` may write. Every path to a drive goes through
 * `judgeDrive`: the interactive list (only `offer`ed drives appear) and an explicit --device
 * (must be `allowed`, with --force when `needsForce`).
 *
 * Never, not even with --force: the system drive (or one in use by it), the drive holding the
 * source image, zram and RAM disks, read-only drives, drives without a size, drives too small.
 * Only with an explicit --device and --force: non-removable drives, loop devices and virtual disks.
 */
export interface DriveVerdict {
  drive: Drive;
  /** May appear in the interactive list. */
  offer: boolean;
  /** May be written at all (possibly only with --force). */
  allowed: boolean;
  needsForce: boolean;
  /** Why it is refused or needs --force: short phrases for lists and errors. */
  reasons: string[];
}

export interface SafetyContext {
  /** Bytes the card needs (end of partition 1). */
  requiredSize: number;
  /** The image being written (a file on some drive); that drive is never a target. */
  sourcePath?: string;
  /** All drives, to find the one holding the source. */
  drives: readonly Drive[];
  force: boolean;
}

/**
 * Above this size a "card" is more likely a disk with someone's data: flash asks again even with
 * --yes (only --force skips the question). The number is the one the issue names; balena-etcher's
 * drive-constraints uses the same kind of threshold (LARGE_DRIVE_SIZE, 64e9 in the versions read).
 */
export const LARGE_DRIVE_BYTES = 128e9;

/** The warning for a drive larger than SD cards usually are, or undefined. */
export function largeDriveWarning(drive: Drive): string | undefined {
  if (!drive.size || drive.size <= LARGE_DRIVE_BYTES) return undefined;
  return `${drive.device} is ${formatBytes(drive.size)}, larger than SD cards usually are (over ${formatBytes(LARGE_DRIVE_BYTES)}): is it a disk with data on it?`;
}

export function judgeDrive(drive: Drive, context: SafetyContext): DriveVerdict {
  const never: string[] = [];
  const force: string[] = [];
  if (drive.isSystem) never.push(`it is the system drive${drive.systemReason ? ` (${drive.systemReason})` : ''}`);
  if (context.sourcePath && holdsPath(drive, context.sourcePath, context.drives))
    never.push(`it holds the source image ${context.sourcePath}`);
  if (drive.kind === 'zram' || drive.kind === 'ram') never.push(`it is a ${drive.kind} device (memory, not a card)`);
  // Swap, LVM, RAID, ZFS or an open encrypted volume on it: whatever kind of drive it is.
  if (drive.inUse && !drive.isSystem) never.push('it is in use (swap, LVM, RAID, ZFS or an open encrypted volume)');
  if (drive.isReadOnly) never.push("it is read-only (is the card's lock switch on?)");
  if (!drive.size) never.push('it reports no size (no card in the reader?)');
  else if (drive.size < context.requiredSize)
    never.push(`it is too small: ${formatBytes(drive.size)}, the card needs ${formatBytes(context.requiredSize)}`);
  if (drive.kind === 'loop' || drive.kind === 'virtual') force.push(`it is a ${drive.kind === 'loop' ? 'loop device' : 'virtual disk'}`);
  else if (!drive.isRemovable) force.push('it is not removable');
  const allowed = never.length === 0;
  const needsForce = force.length > 0;
  return {
    drive,
    allowed,
    needsForce,
    // The list shows cards; with --force also fixed disks (never loop devices or virtual disks).
    offer: allowed && (!needsForce || (context.force && drive.kind === 'disk')),
    reasons: [...never, ...force],
  };
}

/** Throws unless `verdict` may be written with the given --force; the message says why, in one line. */
export function assertWritable(verdict: DriveVerdict, force: boolean): void {
  const { drive } = verdict;
  const name = `${drive.device}${drive.description ? ` (${drive.description})` : ''}`;
  if (!verdict.allowed) {
    throw new UserError(
      `refusing to write ${name}: ${verdict.reasons.filter((r) => !/not removable|loop device|virtual disk/.test(r)).join('; ')}`,
      {
        hint: drive.isSystem
          ? 'pick the SD card: `pi-cluster flash` without --device lists the drives you can write'
          : verdict.reasons.some((r) => r.startsWith('it is too small'))
            ? 'use a larger card, or a smaller --boot-size'
            : 'pick another drive; `pi-cluster flash` without --device lists the drives you can write',
      },
    );
  }
  if (verdict.needsForce && !force) {
    throw new UserError(`refusing to write ${name}: ${verdict.reasons.join('; ')}`, {
      hint: `if you are sure it is the card, pass --force together with --device ${drive.device}`,
    });
  }
}

/** The drive whose mount points hold `path` (longest mount point wins, as the kernel resolves it). */
export function driveHolding(path: string, drives: readonly Drive[]): Drive | undefined {
  let best: { drive: Drive; length: number } | undefined;
  for (const drive of drives) {
    for (const mount of drive.mountpoints) {
      if (!mount.startsWith('/')) continue;
      const prefix = mount.endsWith('/') ? mount : `${mount}/`;
      if ((path === mount || path.startsWith(prefix)) && (!best || mount.length > best.length)) best = { drive, length: mount.length };
    }
  }
  return best?.drive;
}

/**
 * Whether `drive` holds the file at `path`, compared the way the kernel sees it: the path with its
 * symlinks resolved (an --image reached through a link into the card's mount), and the device number
 * of the file against those of the drive's mount points (another path to the same file system).
 */
function holdsPath(drive: Drive, path: string, drives: readonly Drive[]): boolean {
  const real = realPath(path);
  if (driveHolding(path, drives)?.device === drive.device || driveHolding(real, drives)?.device === drive.device) return true;
  const file = statSync(real, { throwIfNoEntry: false });
  if (!file) return false;
  return drive.mountpoints.some((mount) => {
    if (!mount.startsWith('/') || mount === '/') return false;
    const at = statSync(mount, { throwIfNoEntry: false });
    const parent = statSync(dirname(realPath(mount)), { throwIfNoEntry: false });
    // Only a real mount point counts (its device differs from its parent's): a plain folder of the
    // same name on this machine says nothing about the drive.
    return Boolean(at && parent && at.dev !== parent.dev && at.dev === file.dev);
  });
}

function realPath(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(0)} MB`;
  return `${bytes} bytes`;
}
