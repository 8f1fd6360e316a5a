// Benchmark (issue 5), on 12 virtual Pis (BENCH_HOSTS to change):
//  1. preflight wall time / `ansible all -m ping` wall time on the same inventory, interleaved runs (target <= 0.5);
//  2. a re-run of a completed bootstrap: layers re-executed (target 0) and wall time (target <= 5 s).
//     The lab has no kubeadm, so "completed" means every layer up to 30-node (--to 30-node).
import { join } from 'node:path';
import { clusterHosts } from '../src/inventory/cluster.js';
import { playbookEnv } from '../src/ansible/index.js';
import { runPreflight } from '../src/bootstrap/preflight.js';
import { bootstrap } from '../src/bootstrap/bootstrap.js';
import { readFileSync } from 'node:fs';
import { Lab } from '../test/lab/index.js';
import { labBootstrapOptions, labPolicy, makeProject } from '../test/bootstrap/lab-helpers.js';
import { median, ratioLine, timeAnsiblePing } from './stats.js';

if (process.getuid?.() !== 0) {
  console.log('bootstrap: skipped (the virtual Pi lab needs root)');
} else {
  await benchmark();
}

async function benchmark(): Promise<void> {
  const HOSTS = Number(process.env.BENCH_HOSTS ?? 12);
  const RUNS = Number(process.env.BENCH_RUNS_BOOTSTRAP ?? 3);
  const lab = new Lab({ name: 'pcbench' });
  try {
    const t0 = Date.now();
    await lab.up(HOSTS);
    console.log(`bootstrap: ${HOSTS} virtual Pis up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const project = makeProject(lab, lab.hosts);
    const hosts = clusterHosts(readFileSync(project.inventory, 'utf8')).hosts;
    const env = { ...process.env, ...playbookEnv(project.knownHosts), ANSIBLE_SSH_CONTROL_PATH_DIR: join(project.dir, 'cp-bench') };

    const preflight: number[] = [];
    const ping: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = Date.now();
      const result = await runPreflight({
        hosts,
        privateKeyPath: lab.privateKeyPath,
        knownHostsPath: project.knownHosts,
        done: { prepare: false, disk: false, node: false },
        interfaceName: 'eth0',
        policy: labPolicy,
      });
      preflight.push(Date.now() - start);
      if (result.findings.some((f) => f.severity === 'fail')) throw new Error(`preflight failed: ${JSON.stringify(result.findings)}`);
      ping.push(timeAnsiblePing(project, lab.privateKeyPath, HOSTS, env, i));
    }
    console.log(
      ratioLine(
        `bootstrap: preflight / ansible -m ping (${HOSTS} hosts)`,
        median(preflight) / median(ping),
        '<= 0.5',
        `(medians ${median(preflight).toFixed(0)} ms / ${median(ping).toFixed(0)} ms, ${RUNS} runs each)`,
      ),
    );

    const options = labBootstrapOptions(lab, project, { forks: HOSTS });
    const first = Date.now();
    await bootstrap(options);
    console.log(`bootstrap: first run 00-preflight..30-node on ${HOSTS} hosts: ${((Date.now() - first) / 1000).toFixed(1)} s`);
    const rerun: number[] = [];
    let executed = 0;
    for (let i = 0; i < RUNS; i++) {
      const start = Date.now();
      const result = await bootstrap(options);
      rerun.push(Date.now() - start);
      executed += result.outcomes.filter((o) => o.status === 'ran' && /^\d\d-/.test(o.title)).length;
    }
    console.log(
      `bootstrap: re-run of a completed bootstrap: ${executed} layers re-executed (target 0), median ${(median(rerun) / 1000).toFixed(2)} s (target <= 5 s, preflight included, ${RUNS} runs)`,
    );
  } finally {
    await lab.down();
  }
}
