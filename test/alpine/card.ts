/** A card image written by the real `pi-cluster flash` CLI, and its boot partition's files read back with mtools. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { carvePartition, mtoolsFiles, release, sshKeyPair, TEST_BOOT } from '../flash/helpers.js';

export interface FlashedCard {
  image: string;
  hostname: string;
  /** The boot partition's files, read with mtools (path -> bytes). */
  bootFiles: Map<string, Buffer>;
  /** A folder holding the boot partition's files (mcopy of the FAT). */
  bootDir: string;
  publicKey: string;
  privateKey: string;
}

export async function flashCard(dir: string, hostname = 'pi0', extraArgs: string[] = []): Promise<FlashedCard> {
  const built = await release(join(dir, 'release'), { size: 4 * 2 ** 20, level: 0 });
  const keys = sshKeyPair(dir);
  const image = join(dir, `${hostname}.img`);
  const result = await runCli(
    [
      'flash',
      '--output',
      image,
      '--image',
      built.path,
      '--hostname',
      hostname,
      '--ssh-key',
      keys.publicKey,
      '--yes',
      '--boot-size',
      TEST_BOOT,
      ...extraArgs,
    ],
    {
      cwd: dir,
      env: { XDG_CACHE_HOME: join(dir, 'cache') },
      timeoutMs: 120_000,
    },
  );
  if (result.code !== 0) throw new Error(`pi-cluster flash failed (${result.code}): ${result.stderr}`);
  const partition = carvePartition(image, dir);
  const bootFiles = mtoolsFiles(partition, dir);
  const bootDir = join(dir, `boot-${hostname}`);
  execFileSync('mkdir', ['-p', bootDir]);
  execFileSync('mcopy', ['-s', '-n', '-m', '-i', partition, '::/*', bootDir], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
  return { image, hostname, bootFiles, bootDir, publicKey: readFileSync(keys.publicKey, 'utf8'), privateKey: keys.privateKey };
}
