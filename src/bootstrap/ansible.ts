import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { packageRoot } from '../paths.js';

/** One line of the pi_cluster_events callback (ansible/callback_plugins/pi_cluster_events.py). */
export type AnsibleEvent =
  | { event: 'play'; name: string; time: number }
  | { event: 'task'; name: string; path?: string; handler?: boolean; time: number }
  | {
      event: 'result';
      status: 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable' | 'ignored';
      host: string;
      task: string;
      changed: boolean;
      message: string;
      time: number;
    }
  | { event: 'recap'; hosts: Record<string, HostRecap>; time: number };

export interface HostRecap {
  ok: number;
  changed: number;
  failures: number;
  unreachable: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export interface PlaybookRun {
  /** Playbook file name under ansible/playbooks/, e.g. 10-prepare.yml. */
  playbook: string;
  inventory: string;
  privateKey?: string;
  knownHosts: string;
  forks: number;
  extraVars: Record<string, unknown>;
  /** Full readable output (the default callback) goes here. */
  logFile: string;
  limit?: string;
  tags?: string[];
  skipTags?: string[];
  cwd?: string;
  onEvent?: (event: AnsibleEvent) => void;
  /** Aborts the run (SIGTERM to ansible-playbook). */
  signal?: AbortSignal;
}

export interface PlaybookResult {
  exitCode: number;
  recap: Record<string, HostRecap>;
  /** Failed or unreachable results, in the order they happened. */
  failures: Array<Extract<AnsibleEvent, { event: 'result' }>>;
}

export function ansibleDir(): string {
  return join(packageRoot(), 'ansible');
}

/** The ssh options Ansible uses: strict host keys against discover's known_hosts (absolute path). */
export function sshArgs(knownHosts: string): string {
  return [
    '-o ControlMaster=auto',
    '-o ControlPersist=120s',
    '-o StrictHostKeyChecking=yes',
    `-o UserKnownHostsFile=${knownHosts}`,
    '-o BatchMode=yes',
  ].join(' ');
}

/** The argv of ansible-playbook for a run (also what --dry-run prints, after `env ANSIBLE_CONFIG=...`). */
export function playbookArgv(run: PlaybookRun, extraVarsFile: string): string[] {
  const argv = ['ansible-playbook', '-i', run.inventory, '--forks', String(run.forks), '-e', `@${extraVarsFile}`];
  if (run.privateKey) argv.push('--private-key', run.privateKey);
  if (run.limit) argv.push('--limit', run.limit);
  if (run.tags?.length) argv.push('--tags', run.tags.join(','));
  if (run.skipTags?.length) argv.push('--skip-tags', run.skipTags.join(','));
  argv.push(join(ansibleDir(), 'playbooks', run.playbook));
  return argv;
}

export function playbookEnv(run: Pick<PlaybookRun, 'knownHosts'>): Record<string, string> {
  return {
    ANSIBLE_CONFIG: join(ansibleDir(), 'ansible.cfg'),
    ANSIBLE_SSH_ARGS: sshArgs(run.knownHosts),
    // SSH master connections per project (beside known_hosts): never reused across projects or labs.
    ANSIBLE_SSH_CONTROL_PATH_DIR: join(dirname(run.knownHosts), 'cp'),
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    PI_CLUSTER_EVENTS_FD: '3',
    PYTHONUNBUFFERED: '1',
  };
}

/**
 * Runs one playbook: readable output to `logFile`, JSON-lines events from fd 3 to `onEvent`.
 * The extra vars go in a 0600 file beside the log (they hold no secrets, but paths of the user's).
 */
export async function runPlaybook(run: PlaybookRun): Promise<PlaybookResult> {
  mkdirSync(dirname(run.logFile), { recursive: true, mode: 0o700 });
  const varsFile = run.logFile.replace(/\.log$/, '') + '.vars.json';
  const { writeFileSync } = await import('node:fs');
  writeFileSync(varsFile, `${JSON.stringify(run.extraVars, null, 2)}\n`, { mode: 0o600 });
  const [command, ...args] = playbookArgv(run, varsFile);

  const log = createWriteStream(run.logFile, { flags: 'a', mode: 0o600 });
  log.write(`# ${new Date().toISOString()} ${[command, ...args].join(' ')}\n`);
  const child = execa(command, args, {
    cwd: run.cwd,
    env: playbookEnv(run),
    extendEnv: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    reject: false,
    cancelSignal: run.signal,
    forceKillAfterDelay: 10_000,
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });

  const recap: Record<string, HostRecap> = {};
  const failures: PlaybookResult['failures'] = [];
  const events = child.stdio[3];
  const reading = new Promise<void>((resolve) => {
    if (!events || !('on' in events)) return resolve();
    const lines = createInterface({ input: events as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      let event: AnsibleEvent;
      try {
        event = JSON.parse(line) as AnsibleEvent;
      } catch {
        return;
      }
      if (event.event === 'recap') Object.assign(recap, event.hosts);
      if (event.event === 'result' && (event.status === 'failed' || event.status === 'unreachable')) failures.push(event);
      run.onEvent?.(event);
    });
    lines.on('close', () => resolve());
  });
  const result = await child;
  await reading;
  await new Promise<void>((resolve) => log.end(resolve));
  return { exitCode: typeof result.exitCode === 'number' ? result.exitCode : 1, recap, failures };
}
