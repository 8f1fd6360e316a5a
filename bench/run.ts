// `npm run bench`: runs every benchmark script in dist/bench/ (each prints its own ratio lines), one after another.
// BENCH=cli,flash runs a subset. Benchmarks print ratios against a reference measured in the same run;
// nothing here asserts absolute times.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const helpers = new Set(['run.js', 'stats.js', 'avahi.js']);
const wanted = process.env.BENCH?.split(',').map((name) => `${name.trim()}.js`);
const scripts = readdirSync(here)
  .filter((file) => file.endsWith('.js') && !helpers.has(file))
  .filter((file) => !wanted || wanted.includes(file))
  .sort();

let failed = 0;
for (const script of scripts) {
  console.log(`== ${script.replace(/\.js$/, '')}`);
  const result = spawnSync(process.execPath, [join(here, script)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.log(`${script}: failed with exit code ${result.status}`);
  }
}
process.exitCode = failed ? 1 : 0;
