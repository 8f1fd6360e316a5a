#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`, or by `prepare` on install).
import { readFileSync } from 'node:fs';

// `pi-cluster --help | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
// An older Node.js than package.json's engines would fail on a missing API with a SyntaxError: say what is needed.
const floor = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines?.node ?? '';
const needed = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(floor)?.slice(1).map(Number);
const running = process.versions.node.split('.').map(Number);
const older = needed && needed.findIndex((part, i) => part !== running[i]);
if (needed && older !== -1 && running[older] < needed[older]) {
  console.error(`pi-cluster: needs Node.js ${floor.replace(/\s+/g, ' ')}; this is ${process.version} (${process.execPath}).`);
  console.error('hint: install a current LTS release of Node.js (nodejs.org), then run pi-cluster again');
  process.exit(1);
}
let cli;
try {
  cli = await import('../dist/src/cli/main.js');
} catch (error) {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('cli/main.js')) {
    console.error('pi-cluster: the CLI is not built yet. Run `npm run build` (or `npm ci`) in the pi-cluster folder.');
    process.exit(1);
  }
  throw error;
}
process.exitCode = await cli.main(process.argv);
