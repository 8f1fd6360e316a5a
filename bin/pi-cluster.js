#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`, or by `prepare` on install).
// `pi-cluster --help | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
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
