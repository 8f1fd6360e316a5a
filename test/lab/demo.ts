// `make demo`: the whole pi-cluster walk-through with no SD card and no Pi.
// Three virtual Pis (test/lab) stand in for the Raspberry Pis and image files stand in for the cards.
// Every step runs the real `pi-cluster` CLI, exactly as a user would type it:
//   1. flash      one card image per host (needs the real Alpine release: downloaded, or ALPINE_IMAGE=path)
//   2. discover   finds the virtual Pis over mDNS, checks them over SSH, writes pi-hosts
//   3. bootstrap  preflight and the Ansible layers 00-preflight .. 30-node (the lab has no kubeadm)
// Work files land in .pi-cluster-demo/ (git-ignored). KEEP_LAB=1 leaves the lab up to explore it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { Lab } from './lab.js';
import { labSkipReason } from './root-required.js';

const HOSTS = Number(process.env.DEMO_HOSTS ?? 3);
const root = packageRoot();
const work = join(root, '.pi-cluster-demo');
const bin = join(root, 'bin', 'pi-cluster.js');

function say(text: string): void {
  process.stdout.write(`\n\x1b[1m### ${text}\x1b[0m\n`);
}

/** Runs the real CLI in the demo folder, showing the command and its output. */
function pi(args: string[]): number {
  process.stdout.write(`$ pi-cluster ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: work, stdio: 'inherit', env: { ...process.env, CI: '' } });
  return result.status ?? 1;
}

function flashedHostKey(name: string): { private: string; public: string } | undefined {
  const path = join(work, '.pi-cluster', 'host-keys', name);
  if (!existsSync(path)) return undefined;
  return { private: readFileSync(path, 'utf8'), public: readFileSync(`${path}.pub`, 'utf8') };
}

async function main(): Promise<number> {
  const skip = labSkipReason();
  if (skip) {
    process.stderr.write(`demo: ${skip} (sudo make demo)\n`);
    return 1;
  }
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'cards'), { recursive: true });
  const lab = new Lab({ name: 'demo', cleanupOnExit: !process.env.KEEP_LAB, log: (line) => process.stdout.write(`  lab: ${line}\n`) });
  try {
    // The lab's network and SSH key first: the cards carry that key for root.
    await lab.up(0);
    const hostNames = Array.from({ length: HOSTS }, (_, i) => `pi${i}`);
    const names = hostNames.join(',');

    say("1. flash: a card image per host (Alpine for the Raspberry Pi + each host's overlay and SSH host key)");
    const image = process.env.ALPINE_IMAGE ? ['--image', process.env.ALPINE_IMAGE] : [];
    const flashed = pi([
      'flash',
      '--output',
      join(work, 'cards', '{hostname}.img'),
      '--hostnames',
      names,
      '--ssh-key',
      lab.publicKeyPath,
      ...image,
    ]);
    if (flashed !== 0) {
      process.stdout.write(
        '\n  The Alpine release could not be had (offline?), so no card images were written this time.\n' +
          '  pi-cluster never passes anything else off as Alpine. Give a downloaded release with\n' +
          '  ALPINE_IMAGE=/path/to/alpine-rpi-<version>-aarch64.tar.gz make demo. The rest of the demo goes on:\n' +
          '  the virtual Pis run Debian, not the cards, so discover and bootstrap do not need them.\n',
      );
    }

    say(`Starting ${HOSTS} virtual Raspberry Pis (network namespaces with OpenRC, sshd and avahi, 198.51.100.0/24)`);
    const started = Date.now();
    // Each virtual Pi's sshd uses the host key its card carries (kept in .pi-cluster/host-keys), so
    // discover verifies it as a real Pi booted from that card; without cards they make their own.
    await Promise.all(hostNames.map((name) => lab.addHost(name, { hostKey: flashedHostKey(name) })));
    process.stdout.write(
      `  ${HOSTS} hosts up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${lab.hosts.map((h) => `${h.name} ${h.ip}`).join(', ')}\n`,
    );

    say('2. discover: find the Pis over mDNS, check them over SSH, write pi-hosts');
    if (
      pi([
        'discover',
        '--interface',
        lab.bridgeInterface,
        '--masters',
        '1',
        '--yes',
        '--ssh-key',
        lab.privateKeyPath,
        '--expect',
        String(HOSTS),
      ]) !== 0
    )
      return 1;
    process.stdout.write(`\n$ cat pi-hosts\n${spawnSync('cat', [join(work, 'pi-hosts')], { encoding: 'utf8' }).stdout}`);

    say('3. bootstrap: preflight, then the Ansible layers up to 30-node (kubeadm needs real Pis)');
    if (pi(['bootstrap', '--to', '30-node', '--ssh-key', lab.privateKeyPath, '-e', 'pi_cluster_lab=true', '--yes']) !== 0) return 1;

    say('Re-run: completed layers are skipped');
    if (pi(['bootstrap', '--to', '30-node', '--ssh-key', lab.privateKeyPath, '-e', 'pi_cluster_lab=true', '--yes']) !== 0) return 1;

    say('Done');
    process.stdout.write(
      `  Files: ${work}/{pi-hosts,.pi-cluster/}${flashed === 0 ? `, cards/*.img` : ''}\n` +
        '  On real Pis the next steps are `pi-cluster bootstrap` (all layers) and `make apply` (add-ons).\n',
    );
    if (process.env.KEEP_LAB) {
      process.stdout.write(
        `  The lab stays up: ${lab.sshCommand('pi0').join(' ')}\n  Take it down: node dist/test/lab/cli.js down --name demo\n`,
      );
    }
    return 0;
  } finally {
    if (!process.env.KEEP_LAB) await lab.down();
  }
}

process.exitCode = await main();
