import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../src/paths.js';

const run = promisify(execFile);

export const ansibleRoot = (): string => join(packageRoot(), 'ansible');
export const fixture = (name: string): string => join(packageRoot(), 'test', 'fixtures', 'bootstrap', name);

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command, never throwing on a non-zero exit. */
export async function sh(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ANSIBLE_CONFIG: join(ansibleRoot(), 'ansible.cfg'), ANSIBLE_NOCOLOR: '1', ...options.env },
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Runs one of the test helper playbooks in test/fixtures/bootstrap on this machine. */
export function helperPlaybook(name: string, extraVars: Record<string, unknown>, inventory = fixture('pi-hosts')): Promise<Ran> {
  return sh('ansible-playbook', ['-i', inventory, '-e', JSON.stringify(extraVars), fixture(name)]);
}
