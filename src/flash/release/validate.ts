import { UserError } from '../../errors.js';
import type { ReleaseContents } from './archive.js';

export const REQUIRED_ARCH = 'aarch64';

export interface ReleaseInfo {
  /** From `.alpine-release`, e.g. "3.23.0". */
  version: string;
  arch: string;
  /** `.alpine-release` as shipped, e.g. "alpine-rpi-3.23.0 251203". */
  releaseLine: string;
}

const HINT =
  'pass an Alpine Raspberry Pi release for aarch64 (alpine-rpi-<version>-aarch64.tar.gz or .img.gz), or leave out --image to download one';

/**
 * Checks that an archive is an Alpine Raspberry Pi release for aarch64, before anything touches a
 * target: `.alpine-release`, a kernel and initramfs in `boot/`, `apks/aarch64/APKINDEX.tar.gz`,
 * and the Pi's `cmdline.txt` and `config.txt`.
 */
export function validateRelease(contents: ReleaseContents, name: string): ReleaseInfo {
  const paths = new Set(contents.files.map((file) => file.path));
  const missing = (what: string) => new UserError(`${name} is not an Alpine Raspberry Pi release: ${what}`, { hint: HINT });

  const releaseFile = contents.files.find((file) => file.path === '.alpine-release');
  if (!releaseFile) throw missing('no .alpine-release');
  const releaseLine = Buffer.concat(releaseFile.chunks).toString('utf8').trim().split('\n')[0] ?? '';
  const version = /(\d+\.\d+\.\d+(?:_[a-z]+\d*)?)/.exec(releaseLine)?.[1];
  if (!version) throw missing(`.alpine-release says ${JSON.stringify(releaseLine)}, not a version`);

  const bootFiles = [...paths].filter((path) => path.startsWith('boot/'));
  if (bootFiles.length === 0) throw missing('no boot/ folder');
  if (!bootFiles.some((path) => /^boot\/vmlinuz-/.test(path))) throw missing('no kernel (boot/vmlinuz-*)');
  if (!bootFiles.some((path) => /^boot\/initramfs-/.test(path))) throw missing('no initramfs (boot/initramfs-*)');

  const arches = new Set(
    [...paths].map((path) => /^apks\/([^/]+)\/APKINDEX\.tar\.gz$/.exec(path)?.[1]).filter((arch): arch is string => Boolean(arch)),
  );
  if (![...paths].some((path) => path.startsWith('apks/'))) throw missing('no apks/ folder');
  if (!arches.has(REQUIRED_ARCH)) {
    if (arches.size > 0) {
      throw new UserError(`${name} is an Alpine release for ${[...arches].join(', ')}, not ${REQUIRED_ARCH}`, {
        hint: `Kubernetes on the Pi needs the 64-bit release: alpine-rpi-<version>-${REQUIRED_ARCH}.tar.gz`,
      });
    }
    throw missing(`no apks/${REQUIRED_ARCH}/APKINDEX.tar.gz`);
  }
  for (const required of ['cmdline.txt', 'config.txt']) {
    if (!paths.has(required)) throw missing(`no ${required} (is it the generic ARM release rather than the Raspberry Pi one?)`);
  }
  return { version, arch: REQUIRED_ARCH, releaseLine };
}
