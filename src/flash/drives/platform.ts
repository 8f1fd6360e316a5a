import { realpathSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { execa } from 'execa';
import { UserError } from '../../errors.js';
import { parsePartitionTable, type PartitionTable } from '../card/mbr.js';
import { SECTOR } from '../card/sectors.js';
import type { Drive } from './scan.js';

/** Runs a system tool; injectable so tests can watch what would run. */
export type RunTool = (command: string, args: string[]) => Promise<void>;

export const runTool: RunTool = async (command, args) => {
  await execa(command, args);
};

/**
 * Unmounts every file system on the drive before it is written. Linux: `umount` each mount point,
 * deepest first; macOS: `diskutil unmountDisk`. A drive that stays mounted is not written.
 */
export async function unmountDrive(drive: Drive, run: RunTool = runTool, platform = process.platform): Promise<void> {
  if (platform === 'darwin') {
    await tool(run, 'diskutil', ['unmountDisk', drive.device], `could not unmount ${drive.device}`);
    return;
  }
  if (platform !== 'linux')
    throw new UserError(`writing drives is supported on Linux and macOS, not ${platform}`, {
      hint: 'write an image file with --output and copy it with your usual tool',
    });
  const mounts = [...drive.mountpoints].filter((m) => m.startsWith('/')).sort((a, b) => b.length - a.length);
  for (const mount of mounts) await tool(run, 'umount', [mount], `could not unmount ${mount} (on ${drive.device})`);
}

/** Ejects a removable drive after writing so the card can be pulled; failures are reported, not fatal. */
export async function ejectDrive(drive: Drive, run: RunTool = runTool, platform = process.platform): Promise<string | undefined> {
  if (!drive.isRemovable || drive.kind !== 'disk') return undefined;
  try {
    if (platform === 'darwin') await run('diskutil', ['eject', drive.device]);
    else if (platform === 'linux') await run('eject', [drive.device]);
    else return undefined;
    return `${drive.device} ejected: you can remove the card`;
  } catch {
    return `${drive.device} written and flushed; \`eject\` was not available or failed, so remove the card once your system shows it idle`;
  }
}

async function tool(run: RunTool, command: string, args: string[], what: string): Promise<void> {
  try {
    await run(command, args);
  } catch (error) {
    const detail =
      String((error as { stderr?: string }).stderr || (error as Error).message)
        .split('\n')
        .filter(Boolean)[0] ?? '';
    throw new UserError(`${what}: ${detail}`, {
      hint: 'close programs using the card (file managers, terminals inside it) and try again',
      cause: error,
    });
  }
}

/** Resolves symlinks such as /dev/disk/by-id/...; a path that does not exist is returned as given. */
export function resolveDevicePath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The drive's current partition table, to show before asking for confirmation. */
export async function readPartitions(device: string): Promise<PartitionTable | string> {
  try {
    const handle = await open(device, 'r');
    try {
      const head = Buffer.alloc(34 * SECTOR);
      await handle.read(head, 0, head.length, 0);
      return parsePartitionTable(head);
    } finally {
      await handle.close();
    }
  } catch (error) {
    return `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
}
