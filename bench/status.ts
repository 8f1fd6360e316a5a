// Benchmark (issue 11): `pi-cluster status` on 12 virtual Pis (BENCH_HOSTS to change), wall time from
// spawn of the real CLI to its exit, median of 5 (target <= 2 s), against `ansible all -m ping` on the
// same inventory and keys, measured interleaved in the same run (the reference: one SSH round trip per
// host through Ansible). status does more per host (facts and a 20-write fsync probe) in one round trip.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { playbookEnv } from '../src/ansible/index.js';
import { packageRoot } from '../src/paths.js';
import { makeProject } from '../test/bootstrap/lab-helpers.js';
import { Lab } from '../test/lab/index.js';
import { median, ratioLine, timeAnsiblePing } from './stats.js';

let findingsOnce = true;

if (process.getuid?.() !== 0) {
  console.log('status: skipped (the virtual Pi lab needs root)');
} else {
  await benchmark();
}

/** One run from spawn to exit; exit 1 only means findings (e.g. a VM's slow fsync): every host must answer. */
function timeStatus(cli: string, key: string, cwd: string, hosts: number): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [cli, 'status', '--json', '--ssh-key', key], { cwd, encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  const json = JSON.parse(result.stdout || '{}') as { hosts?: Array<{ reachable: boolean }>; findings?: Array<{ problem: string }> };
  if (json.hosts?.filter((h) => h.reachable).length !== hosts) throw new Error(`status did not reach every host: ${result.stderr}`);
  if (findingsOnce) {
    findingsOnce = false;
    console.log(`status: findings on the lab: ${json.findings?.map((f) => f.problem).join('; ') || 'none'}`);
  }
  return elapsed;
}
/**
 * `status --watch 1 --json` for `rounds` rounds, then SIGINT: each round's own time (the `ms` of its line).
 * Round 1 opens the SSH connections; the later rounds reuse them.
 */
function watchRounds(cli: string, key: string, cwd: string, rounds: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'status', '--watch', '1', '--json', '--ssh-key', key], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.split('\n').length > rounds) child.kill('SIGINT');
    });
    child.on('exit', (code) => {
      const lines = stdout.trim().split('\n').slice(0, rounds);
      if (code !== 0 || lines.length !== rounds)
        return reject(new Error(`status --watch: exit ${code}, ${lines.length} rounds\n${stderr}`));
      resolve(lines.map((line) => (JSON.parse(line) as { ms: number }).ms));
    });
  });
}

async function benchmark(): Promise<void> {
  const HOSTS = Number(process.env.BENCH_HOSTS ?? 12);
  const RUNS = Number(process.env.BENCH_RUNS_STATUS ?? 5);
  const lab = new Lab({ name: 'stbench' });
  try {
    await lab.up(HOSTS);
    const project = makeProject(lab, lab.hosts);
    const cli = join(packageRoot(), 'bin', 'pi-cluster.js');
    const env = { ...process.env, ...playbookEnv(project.knownHosts) };
    const status: number[] = [];
    const ping: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      status.push(timeStatus(cli, lab.privateKeyPath, project.dir, HOSTS));
      ping.push(timeAnsiblePing(project, lab.privateKeyPath, HOSTS, env, i));
    }
    const rounds = await watchRounds(cli, lab.privateKeyPath, project.dir, 6);
    console.log(
      `status --watch: ${HOSTS} virtual Pis, round 1 (connects) ${rounds[0]} ms, rounds 2-6 (connections reused) median ${median(rounds.slice(1)).toFixed(0)} ms; rounds ${rounds.join(' ')} ms`,
    );
    console.log(
      `status: ${HOSTS} virtual Pis, from spawn, median of ${RUNS}: ${(median(status) / 1000).toFixed(2)} s (target <= 2 s); runs ${status.map((ms) => (ms / 1000).toFixed(2)).join(' ')} s`,
    );
    console.log(
      ratioLine(
        `status: pi-cluster status / ansible -m ping (${HOSTS} hosts)`,
        median(status) / median(ping),
        '<= 1.0',
        `(medians ${median(status).toFixed(0)} ms / ${median(ping).toFixed(0)} ms)`,
      ),
    );
  } finally {
    await lab.down();
  }
}
