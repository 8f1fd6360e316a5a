import { UserError } from '../errors.js';
import type { PartitionTable } from './card/mbr.js';
import { readPartitions, resolveDevicePath } from './drives/platform.js';
import { assertWritable, formatBytes, judgeDrive, type DriveVerdict, type SafetyContext } from './drives/safety.js';
import { drivesFrom, type Drive, type DriveSnapshot } from './drives/scan.js';

/** What the user sees before a drive is written. */
export interface DriveConfirmation {
  drive: Drive;
  hostnames: string[];
  partitions: PartitionTable | string;
  needsForce: boolean;
  /** Set for a drive larger than SD cards usually are: the question must say so. */
  large?: string;
}

/** The questions flash may ask; given only when there is a terminal (see src/ui/prompts.ts). */
export interface FlashPrompts {
  /** Pick one drive from the candidates (all passed the safety filter). */
  pickDrive(candidates: DriveVerdict[], refused: DriveVerdict[]): Promise<Drive>;
  /** Show model, size, partitions; true to go ahead. */
  confirm(info: DriveConfirmation): Promise<boolean>;
  /** Wait until the user has put the next card in (several hostnames, one drive). */
  nextCard(hostname: string, device: string): Promise<void>;
}

/** Finds the drive behind a --device path (symlinks resolved; macOS raw /dev/rdiskN accepted). */
export function findDrive(path: string, drives: readonly Drive[]): Drive {
  const wanted = resolveDevicePath(path);
  const drive = drives.find((d) => d.device === wanted || d.raw === wanted || d.device === path || d.raw === path);
  if (drive) return drive;
  const parent = /^(\/dev\/(?:sd[a-z]+|vd[a-z]+|mmcblk\d+|nvme\d+n\d+|disk\d+|loop\d+))(?:p?s?\d+)$/.exec(wanted)?.[1];
  if (parent && drives.some((d) => d.device === parent)) {
    throw new UserError(`${path} is a partition, not a whole drive`, { hint: `pass the drive: --device ${parent}` });
  }
  throw new UserError(`${path} is not a drive this computer lists`, {
    hint: 'run `pi-cluster flash` without --device to see the drives you can write',
  });
}

/** Judges every --device and throws at the first one that may not be written. */
export function checkDevices(paths: readonly string[], snapshot: DriveSnapshot, context: Omit<SafetyContext, 'drives'>): Drive[] {
  const drives = drivesFrom(snapshot);
  const chosen = paths.map((path) => {
    const drive = findDrive(path, drives);
    assertWritable(judgeDrive(drive, { ...context, drives }), context.force);
    return drive;
  });
  const unique = new Set(chosen.map((d) => d.device));
  if (unique.size !== chosen.length)
    throw new UserError('the same drive is given twice with --device', { hint: 'give each card reader once' });
  return chosen;
}

/** The interactive list: drives that passed the filter, and the refused ones with why (shown greyed). */
export function candidates(
  snapshot: DriveSnapshot,
  context: Omit<SafetyContext, 'drives'>,
): { offered: DriveVerdict[]; refused: DriveVerdict[] } {
  const drives = drivesFrom(snapshot);
  const verdicts = drives.map((drive) => judgeDrive(drive, { ...context, drives }));
  return { offered: verdicts.filter((v) => v.offer), refused: verdicts.filter((v) => !v.offer) };
}

export async function confirmation(drive: Drive, hostnames: string[], needsForce: boolean, large?: string): Promise<DriveConfirmation> {
  return { drive, hostnames, partitions: await readPartitions(drive.raw), needsForce, ...(large ? { large } : {}) };
}

/** One line per drive for lists and prompts: "/dev/sdb  32.0 GB  Generic SD/MMC  (mounted: /media/x)". */
export function describeDrive(drive: Drive): string {
  const parts = [drive.device, drive.size ? formatBytes(drive.size) : 'no size', drive.description || 'unknown model'];
  if (drive.mountpoints.length) parts.push(`(mounted: ${drive.mountpoints.join(', ')})`);
  return parts.join('  ');
}

/** The same drive must still be there, the same size and model, right before it is written. */
export function sameDrive(before: Drive, now: Drive): boolean {
  return before.device === now.device && before.size === now.size && before.description === now.description;
}
