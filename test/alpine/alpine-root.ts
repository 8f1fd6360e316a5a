/**
 * An Alpine root file system to run Alpine's own tools in: the official minirootfs (x86_64, so no
 * emulation) with alpine-conf's `lbu`, `setup-disk`, `genfstab` and `libalpine.sh` installed from
 * their sources the way alpine-conf's Makefile does (only @VERSION@, @PREFIX@ and @sysconfdir@ are
 * substituted). Commands run in it with chroot, as root.
 *
 * What stands in for what (everything else is Alpine's own code and data):
 * - `apk`: `apk audit` (what lbu packages) is Alpine's real apk 2.14 of the minirootfs. Commands that
 *   would install packages need a package repository, which no test here can reach; they go to
 *   alpine-conf's own test stand-in (`tests/bin/apk`, which "installs" linux-<flavour> as a kernel
 *   file plus a modules folder), and each such call is logged to /var/log/apk-stand-in.log.
 * - /proc inside the root (with `withPiProc`): a Raspberry Pi's device-tree model, the card's
 *   cmdline.txt, and the kernel's own mount table. This machine's kernel has no vfat driver, so the
 *   card's FAT partition is mounted as a tmpfs that holds its files (named after the partition) and
 *   its lines in /proc/mounts say vfat.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifact, type ArtifactName } from './upstream.js';

export type AlpineConfVersion = '3.20.0' | '3.22.0';

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

const STAND_IN_BIN = '/usr/local/lib/alpine-conf-tests/bin';
const ROUTER_BIN = '/usr/local/lib/pi-cluster-test/bin';
export const PI_MODEL = 'Raspberry Pi 4 Model B Rev 1.5';

export class AlpineRoot {
  readonly dir: string;
  readonly sources: string[] = [];
  private mounted: string[] = [];

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** A fresh root with the given alpine-conf; `sources` says where each upstream piece came from. */
  static async create(confVersion: AlpineConfVersion): Promise<AlpineRoot> {
    const root = new AlpineRoot(mkdtempSync(join(tmpdir(), `pi-cluster-alpine-${confVersion}-`)));
    // Its own private mount: what is mounted inside (the card's partitions) never propagates into other
    // mount namespaces of this machine (e.g. `ip netns exec` of a lab running at the same time), where it
    // would keep the device busy after the test unmounts it.
    root.mount(['--bind', root.dir], '');
    execFileSync('mount', ['--make-private', root.dir]);
    const minirootfs = await artifact('minirootfs');
    execFileSync('tar', ['-C', root.dir, '-xzf', minirootfs.path]);
    root.sources.push(`minirootfs 3.20.3 x86_64 from ${minirootfs.source}`);
    await root.installAlpineConf(confVersion);
    return root;
  }

  private async installAlpineConf(version: AlpineConfVersion): Promise<void> {
    const name = `alpine-conf-${version}` as ArtifactName;
    const archive = await artifact(name);
    this.sources.push(`alpine-conf ${version} from ${archive.source}`);
    const scratch = mkdtempSync(join(tmpdir(), 'pi-cluster-alpine-conf-'));
    try {
      execFileSync('tar', ['-C', scratch, '-xzf', archive.path]);
      const src = join(scratch, readdirSync(scratch)[0]!);
      const substitute = (text: string) =>
        text.replaceAll('@VERSION@', version).replaceAll('@PREFIX@', '').replaceAll('@sysconfdir@', '/etc/lbu');
      const install = (from: string, to: string, mode: number) => {
        if (!existsSync(join(src, from))) return;
        writeFileSync(join(this.dir, to), substitute(readFileSync(join(src, from), 'utf8')));
        chmodSync(join(this.dir, to), mode);
      };
      for (const tool of ['lbu', 'setup-disk', 'genfstab', 'setup-keymap']) install(`${tool}.in`, `sbin/${tool}`, 0o755);
      for (const lib of ['libalpine.sh', 'dasd-functions.sh']) install(`${lib}.in`, `lib/${lib}`, 0o644);
      mkdirSync(join(this.dir, 'etc/lbu'), { recursive: true });
      copyFileSync(join(src, 'lbu.conf'), join(this.dir, 'etc/lbu/lbu.conf'));
      // alpine-conf's own stand-ins for its test suite, and the router that sends apk to them or to apk.
      const standIns = join(this.dir, STAND_IN_BIN);
      mkdirSync(standIns, { recursive: true });
      copyFileSync(join(src, 'tests/bin/apk'), join(standIns, 'apk'));
      chmodSync(join(standIns, 'apk'), 0o755);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    mkdirSync(join(this.dir, ROUTER_BIN), { recursive: true });
    writeFileSync(
      join(this.dir, ROUTER_BIN, 'apk'),
      [
        '#!/bin/sh',
        "# apk audit (what lbu packages) is the real apk; what would install packages goes to alpine-conf's stand-in.",
        'for arg; do',
        '\tcase "$arg" in audit) exec /sbin/apk "$@" ;; esac',
        'done',
        'echo "apk $*" >>/var/log/apk-stand-in.log',
        `exec ${STAND_IN_BIN}/apk "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  }

  /** Runs a shell script in the root (chroot, /bin/sh is Alpine's busybox ash). */
  run(script: string, env: Record<string, string> = {}, input?: string | Buffer): RunResult {
    const result = spawnSync('chroot', [this.dir, '/bin/sh', '-c', `cd /tmp && ${script}`], {
      env: { PATH: `${ROUTER_BIN}:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: '/root', LANG: 'C', ...env },
      input,
      maxBuffer: 64 * 2 ** 20,
    });
    return { status: result.status ?? -1, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
  }

  /** Like run, but throws with the output when the script fails. */
  must(script: string, env: Record<string, string> = {}, input?: string | Buffer): string {
    const result = this.run(script, env, input);
    if (result.status !== 0) throw new Error(`in the Alpine root: ${script}\nexit ${result.status}\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  }

  /** The calls that went to alpine-conf's apk stand-in (they need a package repository). */
  standInCalls(): string[] {
    const log = join(this.dir, 'var/log/apk-stand-in.log');
    return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
  }

  /** Mounts inside the root, remembered for dispose (innermost last). */
  mount(args: string[], where: string): void {
    const target = join(this.dir, where);
    mkdirSync(target, { recursive: true });
    execFileSync('mount', [...args, target]);
    this.mounted.push(target);
  }

  /**
   * The Pi's view of /proc: device-tree model, cmdline, and the mount table (refreshed by
   * `refreshMounts`). /dev and /sys are the machine's (the loop device stands in for the card).
   */
  withPiProc(cmdline: string): void {
    this.mount(['--bind', '/dev'], 'dev');
    this.mount(['--bind', '/sys'], 'sys');
    this.mount(['-t', 'proc', 'proc'], '.hostproc');
    this.mount(['-t', 'tmpfs', 'pi-proc'], 'proc');
    mkdirSync(join(this.dir, 'proc/device-tree'));
    writeFileSync(join(this.dir, 'proc/device-tree/model'), `${PI_MODEL}\0`);
    writeFileSync(join(this.dir, 'proc/cmdline'), cmdline);
    copyFileSync('/proc/filesystems', join(this.dir, 'proc/filesystems'));
    execFileSync('ln', ['-s', '/.hostproc/self', join(this.dir, 'proc/self')]);
    this.refreshMounts([]);
  }

  /**
   * Writes /proc/mounts from the kernel's table as the root sees it; lines of the devices in
   * `fatDevices` (tmpfs stand-ins of FAT partitions) say vfat.
   */
  refreshMounts(fatDevices: string[]): void {
    const table = this.must('cat /.hostproc/self/mounts');
    const lines = table
      .trim()
      .split('\n')
      .map((line) => {
        const fields = line.split(' ');
        if (fatDevices.includes(fields[0]!) && fields[2] === 'tmpfs') {
          fields[2] = 'vfat';
          fields[3] = 'rw,relatime,fmask=0022,dmask=0022';
        }
        return fields.join(' ');
      });
    writeFileSync(join(this.dir, 'proc/mounts'), `${lines.join('\n')}\n`);
  }

  dispose(): void {
    for (const target of this.mounted.reverse()) spawnSync('umount', ['-R', '-l', target]);
    this.mounted = [];
    // Mounts a test made by running commands in the root (its /mnt, /media/...).
    const left = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(`${this.dir}/`));
    for (const target of left.sort().reverse()) spawnSync('umount', ['-l', target]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
