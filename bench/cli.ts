// Benchmark: how fast `pi-cluster --help` starts, against a bare `node -e 0` in the same run (issue 2).
// Runs are interleaved so machine noise hits both sides alike; prints medians and their ratio.
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';
import { median, ratioLine, timeCommand } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const bin = join(packageRoot(), 'bin', 'pi-cluster.js');
const reference: number[] = [];
const help: number[] = [];
timeCommand(process.execPath, [bin, '--help']); // warm the file cache once
for (let i = 0; i < RUNS; i++) {
  reference.push(timeCommand(process.execPath, ['-e', '0']));
  help.push(timeCommand(process.execPath, [bin, '--help']));
}
const ratio = median(help) / median(reference);
console.log(ratioLine('cli: pi-cluster --help / node -e 0', ratio, '<= 2.5', `(medians ${median(help).toFixed(1)} ms / ${median(reference).toFixed(1)} ms, ${RUNS} runs each)`));
