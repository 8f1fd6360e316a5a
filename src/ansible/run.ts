import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { UserError } from '../errors.js';
import { playbookCommand, type PlaybookCommand, type PlaybookSpec } from './command.js';
import { parseEvent, type AnsibleEvent, type HostRecap } from './events.js';

export interface PlaybookRun extends PlaybookSpec {
  /** Full readable output (the default callback) goes here. */
  logFile: string;
  onEvent?: (event: AnsibleEvent) => void;
  /**
   * Stops the run: SIGINT to ansible-playbook's process group (its workers and their ssh with it), SIGKILL to
   * the group if it is still there 10 s later. The result then has `interrupted: true`.
   */
  signal?: AbortSignal;
}

export interface PlaybookResult {
  exitCode: number;
  recap: Record<string, HostRecap>;
  /** Failed or unreachable results, in the order they happened. */
  failures: Array<Extract<AnsibleEvent, { event: 'result' }>>;
  /** The run was stopped through `signal`. */
  interrupted: boolean;
}

/** Where runPlaybook writes the extra vars: the given file, or beside the log. */
export function extraVarsFileOf(run: Pick<PlaybookRun, 'logFile' | 'extraVarsFile'>): string {
  return run.extraVarsFile ?? `${run.logFile.replace(/\.log$/, '')}.vars.json`;
}

/** The environment of a run whose output is logged: no colours, the callback's JSON lines on fd 3. */
const LOGGED_ENV = { ANSIBLE_FORCE_COLOR: '0', ANSIBLE_NOCOLOR: '1', PI_CLUSTER_EVENTS_FD: '3', PYTHONUNBUFFERED: '1' };

/**
 * Runs one playbook: readable output to `logFile`, JSON-lines events from fd 3 to `onEvent`.
 * The extra vars go in a 0600 file beside the log (they hold no secrets, but paths of the user's).
 */
export async function runPlaybook(run: PlaybookRun): Promise<PlaybookResult> {
  mkdirSync(dirname(run.logFile), { recursive: true, mode: 0o700 });
  const varsFile = extraVarsFileOf(run);
  writeFileSync(varsFile, `${JSON.stringify(run.extraVars ?? {}, null, 2)}\n`, { mode: 0o600 });
  const command = playbookCommand({ ...run, extraVarsFile: varsFile });

  const log = createWriteStream(run.logFile, { flags: 'a', mode: 0o600 });
  log.write(`# ${new Date().toISOString()} ${[command.file, ...command.args].join(' ')}\n`);
  const child = execa(command.file, command.args, {
    cwd: command.cwd,
    env: { ...command.env, ...LOGGED_ENV },
    extendEnv: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    reject: false,
    // With a signal, its own process group: a terminal's Ctrl-C reaches pi-cluster only, which then stops the
    // whole group (ansible-playbook, its forked workers and their ssh), not just the one process execa would
    // signal. Without one, it stays in ours, so a Ctrl-C reaches it with pi-cluster as before.
    detached: Boolean(run.signal),
  });
  const stopGroup = () => stopProcessGroup(child.pid);
  if (run.signal?.aborted) stopGroup();
  run.signal?.addEventListener('abort', stopGroup, { once: true });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });

  const recap: Record<string, HostRecap> = {};
  const failures: PlaybookResult['failures'] = [];
  const events = child.stdio[3];
  const reading = new Promise<void>((resolve) => {
    if (!events || !('on' in events)) return resolve();
    const lines = createInterface({ input: events as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const event = parseEvent(line);
      if (!event) return;
      if (event.event === 'recap') Object.assign(recap, event.hosts);
      if (event.event === 'result' && (event.status === 'failed' || event.status === 'unreachable')) failures.push(event);
      run.onEvent?.(event);
    });
    lines.on('close', () => resolve());
  });
  const result = await child;
  run.signal?.removeEventListener('abort', stopGroup);
  await reading;
  await new Promise<void>((resolve) => log.end(resolve));
  return {
    exitCode: typeof result.exitCode === 'number' ? result.exitCode : 1,
    recap,
    failures,
    interrupted: Boolean(run.signal?.aborted),
  };
}

/** SIGINT to a process group (Ansible's own way to stop), SIGKILL 10 s later if any of it is left. */
function stopProcessGroup(pid: number | undefined): void {
  if (!pid) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  if (signalGroup('SIGINT')) setTimeout(() => signalGroup('SIGKILL'), 10_000).unref();
}

/** Runs a command with the terminal attached (Ansible's own output); returns its exit code. */
export async function runPlaybookInTerminal(command: PlaybookCommand, signal?: AbortSignal): Promise<number> {
  const result = await execa(command.file, command.args, {
    env: command.env,
    cwd: command.cwd,
    stdio: 'inherit',
    reject: false,
    cancelSignal: signal,
  });
  if ((result as { code?: string }).code === 'ENOENT')
    throw new UserError('ansible-playbook is not installed', { hint: 'install Ansible (see `pi-cluster doctor`)' });
  return typeof result.exitCode === 'number' ? result.exitCode : 1;
}
