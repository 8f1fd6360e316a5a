import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stateDir } from '../paths.js';
import type { ClusterConfig } from '../config/schema.js';
import { parseSize } from '../config/schema.js';
import { CancelledError, UserError } from '../errors.js';
import { silent, type Reporter } from '../events.js';
import { composedKey, dropComposed, loadComposed, storeComposed } from './card/cache.js';
import { composeCard, diskSignatureFor, type CardImage } from './card/compose.js';
import { FatError } from './card/fat.js';
import { MiB } from './card/sectors.js';
import type { RunTool } from './drives/platform.js';
import { assertWritable, judgeDrive, largeDriveWarning } from './drives/safety.js';
import { drivesFrom, snapshotDrives, type Drive, type DriveSnapshot } from './drives/scan.js';
import { outputFor, resolveHostnames } from './hostnames.js';
import { packOverlay } from './overlay/archive.js';
import { loadOverlay, type OverlayEntry } from './overlay/render.js';
import { checkAlpineVersion, resolveAlpineVersion } from './release/latest.js';
import { hostKeyFor, publicHostKey, recordFlashedKeys, type HostKeyPair } from './host-keys.js';
import { fingerprint } from '../remote/known-hosts.js';
import { prepareRelease, type PreparedRelease } from './release/prepare.js';
import { imageCacheDir } from './release/cache.js';
import { locateRelease, obtainRelease, type ObtainedRelease, type ReleaseRequest } from './release/source.js';
import { cardPublicKeys } from './ssh-key.js';
import { overlayVariables, resolveRunIdentity } from './identity.js';
import type { WifiOptions } from './wifi.js';
import { candidates, checkDevices, confirmation, sameDrive, type FlashPrompts } from './targets.js';
import { DeviceDestination, FileDestination, type Destination } from './write/destination.js';
import { startCopy } from './write/copy.js';
import { CacheCorruptError } from './write/errors.js';
import { writeCard, writeCards, type WriteJob, type WriteResult } from './write/write.js';

export type { FlashPrompts } from './targets.js';
export { planCards, type CardPlan } from './dry-run.js';
export type { WriteResult } from './write/write.js';

export interface FlashOptions {
  config: ClusterConfig;
  /** --device, repeatable. */
  devices?: string[];
  /** --output, repeatable (or one with {hostname}, or one for several cards: name-<host>.img). */
  outputs?: string[];
  /** --image PATH|URL */
  image?: string;
  /** --alpine VERSION */
  alpine?: string;
  hostname?: string;
  hostnames?: string[];
  count?: number | true;
  /** --ssh-key: a .pub path or the key itself; default ssh.publicKey or ~/.ssh/id_*.pub. */
  sshKey?: string;
  /** --boot-size, e.g. "1GiB"; default card.bootSize. */
  bootSize?: string | number;
  yes?: boolean;
  verify?: boolean;
  force?: boolean;
  report?: Reporter;
  signal?: AbortSignal;
  /** Questions for the user; absent when there is no terminal. */
  prompts?: FlashPrompts;
  /** Reuse (and keep) the composed card of a release seen before; default true. */
  composedCache?: boolean;
  /** Benchmark only: write every byte of the card, holes as zeros (what copying a plain image does). */
  writeAll?: boolean;
  /** --rotate-host-key: hostnames whose SSH host key is made anew (default: each keeps its key). */
  rotateHostKeys?: string[];
  /** Root's console password as a crypt hash made from what was typed at the prompt (--console-password). */
  consolePasswordHash?: string;
  /** --console-password-file: a file holding a crypt hash (as `openssl passwd -6` prints). */
  consolePasswordFile?: string;
  /** --address NAME=a.b.c.d/n, repeatable: a fixed IPv4 address instead of DHCP (over hosts.NAME.address). */
  addresses?: string[];
  /** --wifi-ssid, --wifi-country, the passphrase (prompted), --wifi-passphrase-file/-env: over network.wifi. */
  wifi?: WifiOptions;
  /** Seam for tests: where the tz database is (default /usr/share/zoneinfo). */
  zoneinfoDir?: string;
  /** The project's `.pi-cluster/` (host keys, known_hosts); default in the working directory. */
  stateDir?: string;
  // Seams for tests:
  cacheDir?: string;
  overlayDir?: string;
  scanDrives?: () => Promise<DriveSnapshot>;
  runTool?: RunTool;
  platform?: NodeJS.Platform;
  home?: string;
}

export interface FlashOutcome {
  release: { label: string; version: string; sha256: string; form: string };
  results: WriteResult[];
  /** The host key each written card carries, as recorded in `.pi-cluster/known_hosts`. */
  hostKeys: Array<{ hostname: string; fingerprint: string; rotated: boolean }>;
}

const MIN_BOOT = 64 * MiB;
const MAX_BOOT = 2 ** 41 - MiB; // MBR: 32-bit sector numbers

/**
 * `pi-cluster flash`: check everything that can be checked without writing (names, key, targets and
 * their safety, the release and its checksum), compose each host's card in memory, then write and
 * verify every target. Per-target failures are results, not exceptions; bad input throws a
 * UserError before any target is touched.
 */
export async function flash(options: FlashOptions): Promise<FlashOutcome> {
  const report = options.report ?? silent;
  const config = options.config;
  const devices = options.devices ?? [];
  const outputs = options.outputs ?? [];
  const force = Boolean(options.force);
  if (devices.length && outputs.length)
    throw new UserError('use either --device or --output, not both', { hint: 'flash drives in one run and image files in another' });

  const bootSize = checkBootSize(options.bootSize ?? config.card.bootSize);
  const cardSize = MiB + bootSize;
  const keys = await cardPublicKeys(options, config);
  const asked = checkAlpineVersion(options.alpine ?? config.alpine.version);
  const hostnames = resolveHostnames(options, config, Math.max(devices.length, outputs.length, 1));
  const rotate = new Set(options.rotateHostKeys ?? []);
  for (const name of rotate) {
    if (!hostnames.includes(name))
      throw new UserError(`--rotate-host-key ${name}: not one of the cards of this run (${hostnames.join(', ')})`, {
        hint: 'name a hostname this run flashes',
      });
  }
  const projectState = options.stateDir ?? stateDir();
  const identity = await resolveRunIdentity(options, config, hostnames);
  // A branch (3.24) is looked up on the mirror only once the local checks above have passed.
  const version = options.image
    ? asked
    : await resolveAlpineVersion(asked, {
        mirror: config.alpine.mirror,
        arch: config.alpine.arch,
        cacheDir: imageCacheDir(options.cacheDir),
        report,
        signal: options.signal,
      });
  const request: ReleaseRequest = {
    image: options.image,
    version,
    mirror: config.alpine.mirror,
    arch: config.alpine.arch,
    cacheDir: options.cacheDir,
  };
  const source = locateRelease(request);

  // Targets: every check that writes nothing, before the (possibly long) download.
  let plan: TargetPlan;
  if (outputs.length) plan = await planOutputs(outputs, hostnames, source.path, force);
  else plan = await planDrives(options, devices, hostnames, { requiredSize: cardSize, sourcePath: source.path, force });

  const obtained = await obtainRelease(request, report, options.signal);
  stopIfInterrupted(options.signal);
  const { base, about, cacheKey } = await baseCard(
    obtained,
    bootSize,
    report,
    options.composedCache === false ? undefined : imageCacheDir(options.cacheDir),
    options.image ? undefined : version,
  );
  stopIfInterrupted(options.signal); // before any host key is made or any file started
  // Image files made from the cached card start as copies of it now, in the kernel, while the overlays are made.
  const early = plan.kind === 'files' ? plan.files.map(({ destination }) => destination) : [];
  for (const destination of early) startCopy(base, destination, options.writeAll);
  const cards = new Map<string, CardImage>();
  const hostKeys = new Map<string, HostKeyPair>();
  try {
    const overlay = await loadOverlay(options.overlayDir);
    for (const hostname of hostnames) {
      const hostKey = await hostKeyFor(projectState, hostname, rotate.has(hostname));
      hostKeys.set(hostname, hostKey);
      cards.set(
        hostname,
        await hostCard(
          base,
          hostname,
          overlay.render(overlayVariables(hostname, identity, { keys, hostKey, version: about.version }, config), identity.extraEntries),
        ),
      );
    }
    stopIfInterrupted(options.signal);
  } catch (error) {
    await Promise.all(early.map((destination) => destination.abort()));
    throw error;
  }
  const writeOptions = { verify: options.verify !== false, report, signal: options.signal, full: options.writeAll };
  let results: WriteResult[];
  if (plan.kind === 'files') {
    results = await writeCards(
      plan.files.map(({ hostname, destination }) => ({ hostname, card: cards.get(hostname) as CardImage, destination })),
      writeOptions,
    );
  } else if (plan.drives.length > 1 || hostnames.length === 1) {
    // The download may have taken a while: the same drives must still be there, and still pass the filter.
    const now = checkDevices(
      plan.drives.map((drive) => drive.device),
      await scan(options),
      { requiredSize: cardSize, sourcePath: source.path, force },
    );
    const jobs: WriteJob[] = plan.drives.map((drive, index) => {
      if (!sameDrive(drive, now[index]))
        throw new UserError(`${drive.device} changed since it was chosen (another card?)`, { hint: 'run the command again' });
      return {
        hostname: hostnames[index],
        card: cards.get(hostnames[index]) as CardImage,
        destination: new DeviceDestination(now[index], options.runTool, options.platform),
      };
    });
    results = await writeCards(jobs, writeOptions);
  } else {
    results = await swapCards(options, plan.drives[0], hostnames, cards, cardSize, source.path, writeOptions);
  }
  // Only cards that were written carry their key: those are the Pis discover can verify.
  const written = results.filter((r) => r.ok).map((r) => ({ hostname: r.hostname, pair: hostKeys.get(r.hostname)! }));
  await recordFlashedKeys(join(projectState, 'known_hosts'), written);
  if (cacheKey && results.some((r) => r.error instanceof CacheCorruptError || r.error?.cause instanceof CacheCorruptError))
    await dropComposed(imageCacheDir(options.cacheDir), cacheKey);
  return {
    release: about,
    results,
    hostKeys: written.map(({ hostname, pair }) => ({
      hostname,
      fingerprint: fingerprint(publicHostKey(pair)),
      rotated: rotate.has(hostname),
    })),
  };
}

/** What a composed card remembers of its release (stored with it in the cache). */
interface ReleaseAbout {
  label: string;
  version: string;
  sha256: string;
  form: string;
}

/**
 * The card every host shares: from the composed-card cache when this exact release (by its published
 * sha256) was composed before at this boot size, else read, checked and composed now (and cached
 * when its checksum is known: then the card returned is the cached one, so image files are copies of it).
 */
async function baseCard(
  obtained: ObtainedRelease,
  bootSize: number,
  report: Reporter,
  cacheDir: string | undefined,
  expectedVersion?: string,
): Promise<{ base: CardImage; about: ReleaseAbout; cacheKey?: string }> {
  let cacheKey: string | undefined;
  if (cacheDir && obtained.expectedSha256) {
    const file = await stat(obtained.path);
    cacheKey = composedKey({ sha256: obtained.expectedSha256, size: file.size, mtimeMs: file.mtimeMs, bootSize });
    const cached = await loadComposed<ReleaseAbout>(cacheDir, cacheKey);
    if (cached) {
      report({
        kind: 'step',
        step: 'compose',
        detail: `using the card composed earlier from ${obtained.label} (checked as it is written)`,
      });
      return { base: cached.card, about: cached.about, cacheKey };
    }
  }
  const release = await prepareRelease(obtained, report, expectedVersion);
  const base = await composeBase(release, bootSize, report);
  const about: ReleaseAbout = { label: release.label, version: release.info.version, sha256: release.sha256, form: release.form };
  if (cacheKey && cacheDir) {
    try {
      return { base: (await storeComposed(cacheDir, cacheKey, base, about)).card, about, cacheKey };
    } catch (error) {
      report({ kind: 'debug', message: `composed card not cached: ${(error as Error).message}` });
    }
  }
  return { base, about, cacheKey };
}

type TargetPlan = { kind: 'files'; files: Array<{ hostname: string; destination: Destination }> } | { kind: 'drives'; drives: Drive[] };

async function planOutputs(outputs: string[], hostnames: string[], sourcePath: string, force: boolean): Promise<TargetPlan> {
  let paths: string[];
  if (outputs.length === hostnames.length) paths = outputs;
  else if (outputs.length === 1) paths = hostnames.map((hostname) => outputFor(outputs[0], hostname, hostnames.length > 1));
  else
    throw new UserError(`${outputs.length} --output files for ${hostnames.length} hostnames`, {
      hint: 'give one --output per hostname, or one --output with {hostname} in it',
    });
  const files = hostnames.map((hostname, index) => ({ hostname, destination: new FileDestination(paths[index], force) }));
  const seen = new Set<string>();
  for (const { destination } of files) {
    const path = resolve(destination.label);
    if (path === sourcePath)
      throw new UserError(`--output ${destination.label} is the source image itself`, { hint: 'give another file name' });
    if (seen.has(path)) throw new UserError(`--output ${destination.label} is given twice`, { hint: 'every card needs its own file' });
    seen.add(path);
    await destination.check();
  }
  return { kind: 'files', files };
}

async function planDrives(
  options: FlashOptions,
  devices: string[],
  hostnames: string[],
  safety: { requiredSize: number; sourcePath: string; force: boolean },
): Promise<TargetPlan> {
  const snapshot = await scan(options);
  let drives: Drive[];
  if (devices.length) {
    drives = checkDevices(devices, snapshot, safety);
    if (drives.length > 1 && drives.length !== hostnames.length) {
      throw new UserError(`${drives.length} --device drives for ${hostnames.length} hostnames`, {
        hint: 'give one hostname per drive (--hostnames a,b), or one drive to swap cards in',
      });
    }
  } else {
    if (!options.prompts) {
      throw new UserError('no target: pass --device PATH (a card reader) or --output FILE (an image file)', {
        hint: 'with a terminal, `pi-cluster flash` lists the cards you can write and asks',
      });
    }
    const { offered, refused } = candidates(snapshot, safety);
    if (offered.length === 0) {
      throw new UserError('no SD card found that could be written', {
        hint: 'insert a card (or a USB card reader) and run again; system drives and fixed disks are never listed',
      });
    }
    drives = [await options.prompts.pickDrive(offered, refused)];
    assertWritable(judgeDrive(drives[0], { ...safety, drives: drivesFrom(snapshot) }), safety.force);
  }
  if (drives.length === 1 && hostnames.length > 1 && !options.prompts) {
    throw new UserError(`${hostnames.length} hostnames and one drive: swapping cards needs a terminal`, {
      hint: 'run it in a terminal, or give one --device per card',
    });
  }
  const explicit = devices.length > 0;
  for (const [index, drive] of drives.entries()) {
    const names = drives.length === 1 ? hostnames : [hostnames[index]];
    await confirmDrive(options, drive, names, explicit, safety.force);
  }
  return { kind: 'drives', drives };
}

async function confirmDrive(options: FlashOptions, drive: Drive, hostnames: string[], explicit: boolean, force: boolean): Promise<void> {
  // A drive larger than cards usually are is asked about again: --yes does not skip it, --force does.
  const large = force ? undefined : largeDriveWarning(drive);
  if (options.yes && explicit && !large) return;
  if (!options.prompts && large) {
    throw new UserError(`refusing to write ${drive.device} without asking: ${large}`, {
      hint: `if it is the card, pass --force together with --device ${drive.device} (--yes alone does not skip this question)`,
    });
  }
  if (!options.prompts) {
    throw new UserError(`about to erase ${drive.device}: confirmation needed`, {
      hint: `pass --yes together with --device ${drive.device} to write it without asking`,
    });
  }
  const needsForce = judgeDrive(drive, { requiredSize: 0, drives: [], force }).needsForce;
  if (!(await options.prompts.confirm(await confirmation(drive, hostnames, needsForce, large))))
    throw new CancelledError(`nothing written to ${drive.device}`);
}

async function swapCards(
  options: FlashOptions,
  first: Drive,
  hostnames: string[],
  cards: Map<string, CardImage>,
  cardSize: number,
  sourcePath: string,
  writeOptions: { verify: boolean; report: Reporter; signal?: AbortSignal; full?: boolean },
): Promise<WriteResult[]> {
  const prompts = options.prompts as FlashPrompts;
  const results: WriteResult[] = [];
  let drive = first;
  for (const [index, hostname] of hostnames.entries()) {
    if (index > 0) {
      await prompts.nextCard(hostname, first.device);
      const snapshot = await scan(options);
      drive = checkDevices([first.device], snapshot, { requiredSize: cardSize, sourcePath, force: Boolean(options.force) })[0];
      await confirmDrive(options, drive, [hostname], true, Boolean(options.force));
    }
    results.push(
      await writeCard(
        { hostname, card: cards.get(hostname) as CardImage, destination: new DeviceDestination(drive, options.runTool, options.platform) },
        writeOptions,
      ),
    );
  }
  return results;
}

function stopIfInterrupted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError('flash interrupted before anything was written');
}

function scan(options: FlashOptions): Promise<DriveSnapshot> {
  return (options.scanDrives ?? snapshotDrives)();
}

function checkBootSize(value: string | number): number {
  const bytes = typeof value === 'number' ? value : parseSize(value);
  if (typeof bytes === 'string') throw new UserError(`--boot-size: ${bytes}`, { hint: 'e.g. --boot-size 1GiB or 512MiB' });
  if (bytes % MiB !== 0)
    throw new UserError(`--boot-size must be a whole number of MiB, got ${bytes} bytes`, { hint: 'e.g. --boot-size 1GiB or 512MiB' });
  if (bytes < MIN_BOOT)
    throw new UserError(`--boot-size ${bytes / MiB} MiB is too small (FAT32 needs at least ${MIN_BOOT / MiB} MiB)`, {
      hint: 'the default, 1GiB, leaves room for kernel upgrades',
    });
  if (bytes > MAX_BOOT)
    throw new UserError('--boot-size is larger than an MBR partition can be (2 TiB)', { hint: 'the default, 1GiB, is plenty' });
  return bytes;
}

async function composeBase(release: PreparedRelease, bootSize: number, report: Reporter): Promise<CardImage> {
  report({
    kind: 'step',
    step: 'compose',
    detail: `${release.files.length} files of Alpine ${release.info.version} into a ${bootSize / MiB} MiB FAT32 partition`,
  });
  try {
    return await composeCard(release.files, { bootSize, directories: release.directories });
  } catch (error) {
    if (error instanceof FatError && error.operation !== 'format') {
      const total = release.files.reduce((sum, file) => sum + file.size, 0);
      throw new UserError(
        `the release (${(total / 1e6).toFixed(0)} MB) does not fit in a ${bootSize / MiB} MiB boot partition (${error.message})`,
        { hint: 'pass a larger --boot-size, e.g. 1GiB', cause: error },
      );
    }
    if (error instanceof FatError)
      throw new UserError(`cannot format a ${bootSize / MiB} MiB FAT32 partition: ${error.message}`, {
        hint: 'pass a larger --boot-size, e.g. 1GiB',
        cause: error,
      });
    throw error;
  }
}

async function hostCard(base: CardImage, hostname: string, entries: OverlayEntry[]): Promise<CardImage> {
  const archive = await packOverlay(entries);
  try {
    return await base.withFile({ path: `${hostname}.apkovl.tar.gz`, size: archive.length, chunks: [archive] }, diskSignatureFor(hostname));
  } catch (error) {
    if (error instanceof FatError)
      throw new UserError(`no room for ${hostname}'s overlay in the boot partition (${error.message})`, {
        hint: 'pass a larger --boot-size',
        cause: error,
      });
    throw error;
  }
}
