// Benchmark (issue 11): `pi-cluster discover` on 3 virtual Pis that answer at once, wall time from spawn of
// the real CLI to its exit with pi-hosts, known_hosts and ssh_config written (a fresh project each run),
// median of 5 (BENCH_RUNS_DISCOVER), target <= 4 s. References measured interleaved in the same run:
// `avahi-browse -rtp _ssh._tcp` (spawn to exit: it browses, resolves and ends once its cache is dumped; a
// fresh daemon each round, see avahi.ts) and `ansible all -m ping` on the same 3 hosts (one SSH round trip
// per host, no browse). discover does both jobs: find, then check over SSH and write.
// The CLI's --verbose timing lines give where its time goes (first query, each probe, browse end, files).
// BENCH_DISCOVER_BASELINE=/path/to/bin/pi-cluster.js times another build (e.g. the previous commit) too.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { playbookEnv } from '../src/ansible/index.js';
import { packageRoot } from '../src/paths.js';
import { makeProject } from '../test/bootstrap/lab-helpers.js';
import { Lab, labSkipReason } from '../test/lab/index.js';
import { ReferenceAvahi } from './avahi.js';
import { median, ratioLine, timeAnsiblePing } from './stats.js';

const HOSTS = 3;
const RUNS = Number(process.env.BENCH_RUNS_DISCOVER ?? 5);
const GAP_MS = 1500; // longer than avahi's 1 s multicast rate limit: one run's queries never serve the next
const BASELINE_BIN = process.env.BENCH_DISCOVER_BASELINE;

interface Run {
  ms: number;
  /** From --verbose, in ms after the process started (absent in builds without those lines). */
  firstQuery?: number;
  probesDone?: number;
  browseOver?: number;
  written?: number;
}

/** Spawn to exit of a command; its stdout and stderr. */
function timed(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }) {
  return new Promise<{ ms: number; code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
  });
}

async function timeDiscover(bin: string, lab: Lab): Promise<Run> {
  const project = mkdtempSync(join(tmpdir(), 'pi-cluster-bench-inventory-'));
  try {
    const args = [bin, '--no-color', '--verbose', 'discover', '--interface', lab.bridgeInterface, '--ssh-key', lab.privateKeyPath];
    const run = await timed(process.execPath, [...args, '--masters', '1', '--yes', '--timeout', '10s'], { cwd: project });
    const hosts = readFileSync(join(project, 'pi-hosts'), 'utf8').match(/^pi\d+ ansible_host=/gm) ?? [];
    if (run.code !== 0 || hosts.length !== HOSTS)
      throw new Error(`discover: exit ${run.code}, ${hosts.length} hosts in pi-hosts\n${run.stderr}`);
    const at = (pattern: RegExp) => {
      const all = [...run.stderr.matchAll(pattern)].map((m) => Number(m[1]));
      return all.length ? Math.max(...all) : undefined;
    };
    return {
      ms: run.ms,
      firstQuery: at(/^mDNS query 1 at 0 ms \((\d+) ms after the process started\)$/gm),
      probesDone: at(/^pi\d+: SSH connect.*\(done (\d+) ms after the process started\)$/gm),
      browseOver: at(/^browse over (\d+) ms after/gm),
      written: at(/^files written (\d+) ms after/gm),
    };
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const skip = labSkipReason();
  if (skip) {
    console.log(`discover-inventory: skipped (${skip})`);
    return;
  }
  const lab = new Lab({ name: 'discinv' });
  const reference = new ReferenceAvahi(lab.bridgeInterface);
  try {
    await lab.up(HOSTS, { prefix: 'pi' });
    await delay(5000); // let the hosts finish their start-up announcements
    await reference.startBus();
    const project = makeProject(lab, lab.hosts);
    const env = { ...process.env, ...playbookEnv(project.knownHosts) };
    const cli: Run[] = [];
    const baseline: Run[] = [];
    const avahi: number[] = [];
    const ping: number[] = [];
    const runAvahi = async () => {
      await reference.startDaemon();
      try {
        const run = await timed('avahi-browse', ['-rtp', '_ssh._tcp'], { env: reference.env });
        const resolved = new Set(
          run.stdout
            .split('\n')
            .filter((l) => l.startsWith('=;') && l.split(';')[2] === 'IPv4')
            .map((l) => l.split(';')[3]),
        );
        if (resolved.size !== HOSTS) throw new Error(`avahi-browse resolved ${resolved.size}/${HOSTS}: ${run.stdout}${run.stderr}`);
        avahi.push(run.ms);
      } finally {
        await reference.stopDaemon();
      }
    };
    const runs: Array<(round: number) => Promise<void>> = [
      async () => void cli.push(await timeDiscover(join(packageRoot(), 'bin', 'pi-cluster.js'), lab)),
      runAvahi,
      async (round) => void ping.push(timeAnsiblePing(project, lab.privateKeyPath, HOSTS, env, round)),
    ];
    if (BASELINE_BIN) runs.push(async () => void baseline.push(await timeDiscover(BASELINE_BIN, lab)));
    for (let round = 0; round < RUNS; round++) {
      // Each round starts with another tool, so none always runs first.
      for (let i = 0; i < runs.length; i++) {
        await runs[(round + i) % runs.length]!(round);
        await delay(GAP_MS);
      }
    }
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const med = (list: Run[], key: keyof Run) => median(list.map((r) => r[key] ?? Number.NaN));
    const breakdown = (list: Run[]) =>
      `first mDNS query ${med(list, 'firstQuery').toFixed(0)} ms, last SSH probe done ${med(list, 'probesDone').toFixed(0)} ms, browse over ${med(list, 'browseOver').toFixed(0)} ms, files written ${med(list, 'written').toFixed(0)} ms, exit ${med(list, 'ms').toFixed(0)} ms (medians, after spawn)`;
    console.log(
      `discover-inventory: ${HOSTS} virtual Pis, spawn to pi-hosts written, median of ${RUNS}: ${s(med(cli, 'ms'))} (target <= 4 s); runs ${cli.map((r) => s(r.ms)).join(' ')}`,
    );
    console.log(`  pi-cluster discover: ${breakdown(cli)}`);
    if (BASELINE_BIN) {
      console.log(`  baseline (${BASELINE_BIN}): median ${s(med(baseline, 'ms'))}; runs ${baseline.map((r) => s(r.ms)).join(' ')}`);
      console.log(`  baseline: ${breakdown(baseline)}`);
    }
    console.log(`  avahi-browse -rtp _ssh._tcp: median ${s(median(avahi))}; ansible all -m ping: median ${s(median(ping))}`);
    console.log(
      ratioLine(
        'discover-inventory: pi-cluster discover / avahi-browse -rtp (find only)',
        med(cli, 'ms') / median(avahi),
        'report',
        `(${s(med(cli, 'ms'))} / ${s(median(avahi))})`,
      ),
    );
    console.log(
      ratioLine(
        'discover-inventory: pi-cluster discover / ansible -m ping (SSH only)',
        med(cli, 'ms') / median(ping),
        'report',
        `(${s(med(cli, 'ms'))} / ${s(median(ping))})`,
      ),
    );
  } finally {
    await reference.close();
    await lab.down();
  }
}

await main();
