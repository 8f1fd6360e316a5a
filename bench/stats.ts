import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Wall time of one synchronous command run, in milliseconds. */
export function timeCommand(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'ignore' });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
  return elapsed;
}

export function ratioLine(name: string, ratio: number, target: string, detail: string): string {
  return `${name}: ${ratio.toFixed(2)} (target ${target}) ${detail}`;
}

/**
 * The reference run of the SSH benchmarks: `ansible all -m ping` over every host of an inventory, with a fresh
 * control-path folder each time so no SSH master connection is reused between runs. Milliseconds.
 */
export function timeAnsiblePing(
  project: { dir: string; inventory: string },
  privateKey: string,
  hosts: number,
  env: NodeJS.ProcessEnv,
  run: number,
): number {
  return timeCommand('ansible', ['all', '-i', project.inventory, '--private-key', privateKey, '--forks', String(hosts), '-m', 'ping'], {
    cwd: project.dir,
    env: { ...env, ANSIBLE_SSH_CONTROL_PATH_DIR: join(project.dir, `cp-bench-${run}`) },
  });
}
