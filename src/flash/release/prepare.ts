import { basename } from 'node:path';
import type { Reporter } from '../../events.js';
import type { CardFile } from '../card/compose.js';
import { readReleaseArchive, type ReleaseContents } from './archive.js';
import { adjustCmdline, adjustUsercfg, includesUsercfg } from './boot-config.js';
import { checksumMismatch } from './checksum.js';
import { forgetCached, type ObtainedRelease } from './source.js';
import { validateRelease, type ReleaseInfo } from './validate.js';

export interface PreparedRelease {
  info: ReleaseInfo;
  /** The card's files: the release byte for byte, with cmdline.txt and usercfg.txt adjusted. */
  files: CardFile[];
  directories: string[];
  sha256: string;
  form: ReleaseContents['form'];
  label: string;
}

/**
 * Reads, checks and adapts a release: the sha256 (when one is known), the Alpine Raspberry Pi
 * layout for aarch64, then the boot files Kubernetes needs changed. Nothing is written anywhere;
 * a corrupt cached download is removed so the next run fetches it again.
 */
export async function prepareRelease(release: ObtainedRelease, report: Reporter, expectedVersion?: string): Promise<PreparedRelease> {
  report({ kind: 'step', step: 'compose', detail: `reading ${release.label}` });
  let contents: ReleaseContents;
  try {
    contents = await readReleaseArchive(release.path, report);
  } catch (error) {
    if (release.url) await forgetCached(release);
    throw error;
  }
  if (release.expectedSha256 && release.expectedSha256 !== contents.sha256) {
    if (release.url) await forgetCached(release);
    throw checksumMismatch(
      release.label,
      release.expectedSha256,
      contents.sha256,
      release.url
        ? 'the cached copy was removed; run again to download it anew'
        : `the file does not match ${basename(release.checksumFrom ?? '')}: download it again`,
    );
  }
  const info = validateRelease(contents, release.label);
  if (expectedVersion && info.version !== expectedVersion) {
    report({ kind: 'warn', message: `${release.label} says it is Alpine ${info.version}, not ${expectedVersion}` });
  }

  const files: CardFile[] = [];
  const text = (path: string) => {
    const file = contents.files.find((f) => f.path === path);
    return file ? Buffer.concat(file.chunks).toString('utf8') : undefined;
  };
  const configTxt = text('config.txt') ?? '';
  if (!includesUsercfg(configTxt))
    report({
      kind: 'warn',
      message: `${release.label}: config.txt does not include usercfg.txt; the card boots with Alpine's settings only`,
    });
  for (const file of contents.files) {
    if (!file.path.includes('/') && file.path.endsWith('.apkovl.tar.gz')) {
      report({ kind: 'warn', message: `${release.label} carries ${file.path}; left out so the host's own overlay is the one that boots` });
      continue;
    }
    if (file.path === 'cmdline.txt') files.push(textFile('cmdline.txt', adjustCmdline(text('cmdline.txt') ?? '')));
    else if (file.path !== 'usercfg.txt') files.push(file);
  }
  files.push(textFile('usercfg.txt', adjustUsercfg(configTxt, text('usercfg.txt'))));
  return { info, files, directories: contents.directories, sha256: contents.sha256, form: contents.form, label: release.label };
}

function textFile(path: string, text: string): CardFile {
  const data = Buffer.from(text);
  return { path, size: data.length, chunks: [data] };
}
