// A host's processes: booting its init in fresh namespaces, finding them, killing them, and
// running a command inside the host without SSH.
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import type { HostDirs } from './host-disk.js';
import { labSourcePath } from './sources.js';

/**
 * Powers a lab host must not have because they reach the whole machine: kernel modules, the one
 * clock, raw I/O, the kernel log. The boot script and `execInHost` both drop them.
 */
const DROPPED_CAPABILITIES = ['sys_module', 'sys_time', 'sys_rawio', 'syslog', 'wake_alarm', 'mac_admin', 'mac_override'];
const BOUNDING_SET = DROPPED_CAPABILITIES.map((capability) => `-${capability}`).join(',');

const HOST_ENVIRONMENT = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
};

export interface BootedHost {
  /** Settles when the host's outermost process ends: early means the boot failed. */
  exited: Promise<number | null>;
}

/** Starts the host's init (OpenRC) as PID 1 of a new PID namespace inside the host's network namespace. */
export function bootHost(netns: string, lower: string, dirs: HostDirs, hostname: string): BootedHost {
  const console = openSync(dirs.consoleLog, 'a');
  const bootScript = labSourcePath('boot-host.sh');
  const args = [
    'netns',
    'exec',
    netns,
    'unshare',
    '--mount',
    '--uts',
    '--ipc',
    '--pid',
    '--fork',
    bootScript,
    lower,
    dirs.upper,
    dirs.work,
    dirs.merged,
    hostname,
    BOUNDING_SET,
  ];
  // Detached: a host outlives the command that started it (the lab CLI's `up` returns at once).
  const child = spawn('ip', args, { detached: true, stdio: ['ignore', console, console] });
  closeSync(console);
  child.unref();
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  return { exited };
}

/** Every process in the host's network namespace: its init and all it started, plus `exec`s. */
export function processesIn(netns: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // no such namespace: nothing runs there
  }
}

/** The host's init, seen from the machine: the process that is PID 1 in its own PID namespace. */
export function findInit(netns: string): number | undefined {
  return processesIn(netns).find((pid) => {
    const status = readProcStatus(pid);
    const namespacePids = /^NSpid:\s+(.+)$/m.exec(status)?.[1].trim().split(/\s+/) ?? [];
    return namespacePids.length > 1 && namespacePids.at(-1) === '1';
  });
}

function readProcStatus(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Kills every process of the host at once, like pulling its power plug. Synchronous, so that the
 * lab can also clean up from a process 'exit' handler.
 */
export function killProcessesIn(netns: string, timeoutMs = 10_000): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = processesIn(netns);
    if (pids.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${netns}: processes ${pids.join(' ')} survive SIGKILL`);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    sleepSync(50);
  }
}

export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface ExecOptions {
  /** Text (or bytes) written to the command's standard input. */
  input?: string | Uint8Array;
  /** Reject when the command exits non-zero (default true). */
  reject?: boolean;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs a command inside the host (its namespaces and root), with no SSH involved. */
export async function execInHost(initPid: number, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const enter = ['--target', String(initPid), '--mount', '--uts', '--ipc', '--net', '--pid', '--root', '--wd'];
  const result = await execa('setpriv', ['--bounding-set', BOUNDING_SET, 'nsenter', ...enter, '--', ...argv], {
    env: HOST_ENVIRONMENT,
    extendEnv: false,
    input: options.input,
    reject: options.reject ?? true,
  });
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1 };
}
