// Benchmark: how fast `pi-cluster --help` starts, against a bare `node -e 0` on the same Node.js in the same run
// (issue 2), for the machine's Node and every Node that `make test-node` has cached (issue 18).
// Runs are interleaved so machine noise hits both sides alike; prints medians and their ratio per Node.js.
// BENCH_NODES=/path/to/node,... picks the Node binaries instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';
import { median, ratioLine, timeCommand } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const bin = join(packageRoot(), 'bin', 'pi-cluster.js');

/** The Node binaries `.ci/node.sh` unpacked: ${XDG_CACHE_HOME:-~/.cache}/pi-cluster/node/<version>/bin/node. */
function cachedNodes(): string[] {
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pi-cluster', 'node');
  if (!existsSync(cache)) return [];
  return readdirSync(cache)
    .filter((name) => /^\d/.test(name))
    .map((name) => join(cache, name, 'bin', 'node'))
    .filter((node) => existsSync(node));
}

const nodes = process.env.BENCH_NODES ? process.env.BENCH_NODES.split(',') : [process.execPath, ...cachedNodes()];
for (const node of nodes) {
  const version = spawnSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).stdout.trim();
  const reference: number[] = [];
  const help: number[] = [];
  timeCommand(node, [bin, '--help']); // warm the file cache (and the binary) once
  for (let i = 0; i < RUNS; i++) {
    reference.push(timeCommand(node, ['-e', '0']));
    help.push(timeCommand(node, [bin, '--help']));
  }
  const ratio = median(help) / median(reference);
  console.log(
    ratioLine(
      `cli (Node.js ${version}): pi-cluster --help / node -e 0`,
      ratio,
      '<= 2.5',
      `(medians ${median(help).toFixed(1)} ms / ${median(reference).toFixed(1)} ms, ${RUNS} runs each)`,
    ),
  );
}
