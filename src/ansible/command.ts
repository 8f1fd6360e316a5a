/**
 * How pi-cluster calls Ansible: the argv of ansible-playbook, its environment and the SSH options. Every
 * playbook run (bootstrap's layers, reset, etcd) builds its command here, so they cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { packageRoot, stateDir } from '../paths.js';

export function ansibleDir(): string {
  return join(packageRoot(), 'ansible');
}

export function ansibleConfigPath(): string {
  return join(ansibleDir(), 'ansible.cfg');
}

/**
 * The ssh options of ansible.cfg's [ssh_connection] ssh_args (the one source), with UserKnownHostsFile made
 * absolute: strict host keys against the known_hosts that `discover` recorded, wherever Ansible runs from.
 */
export function sshArgs(knownHosts: string): string {
  const args = configSshArgs();
  if (!/-o UserKnownHostsFile=\S+/.test(args)) throw new Error(`${ansibleConfigPath()}: ssh_args has no -o UserKnownHostsFile=`);
  return args.replace(/-o UserKnownHostsFile=\S+/, `-o UserKnownHostsFile=${knownHosts}`);
}

/** `ssh_args` of the [ssh_connection] section of ansible.cfg, as Ansible's INI reader sees it (one line). */
export function configSshArgs(text = readFileSync(ansibleConfigPath(), 'utf8')): string {
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1];
    else if (section === 'ssh_connection') {
      const setting = /^ssh_args\s*[=:]\s*(.*)$/.exec(line);
      if (setting) return setting[1].trim();
    }
  }
  throw new Error(`${ansibleConfigPath()}: no ssh_args in [ssh_connection]`);
}

/** The project's known_hosts, as `discover` writes it. */
export function defaultKnownHosts(cwd: string): string {
  return join(stateDir(cwd), 'known_hosts');
}

export interface PlaybookSpec {
  /** Playbook file name under ansible/playbooks/, e.g. 10-prepare.yml (or an absolute path). */
  playbook: string;
  /** Absolute path of the inventory (pi-hosts). */
  inventory: string;
  /** The project folder: ansible-playbook runs here. */
  cwd: string;
  /** Default: <cwd>/.pi-cluster/known_hosts. */
  knownHosts?: string;
  privateKey?: string;
  forks?: number;
  extraVars?: Record<string, unknown>;
  /** The extra vars go in this file (`-e @FILE`, written by runPlaybook); inline JSON when absent. */
  extraVarsFile?: string;
  limit?: string;
  tags?: string[];
  skipTags?: string[];
}

/** A command ready to run or print: `env ... file args...` in `cwd`. */
export interface PlaybookCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/** The argv of ansible-playbook for a run (also what --dry-run prints). */
export function playbookArgv(spec: PlaybookSpec): string[] {
  const argv = ['ansible-playbook', '-i', spec.inventory];
  if (spec.forks !== undefined) argv.push('--forks', String(spec.forks));
  if (spec.extraVarsFile) argv.push('-e', `@${spec.extraVarsFile}`);
  else if (spec.extraVars && Object.keys(spec.extraVars).length) argv.push('-e', JSON.stringify(spec.extraVars));
  if (spec.privateKey) argv.push('--private-key', spec.privateKey);
  if (spec.limit) argv.push('--limit', spec.limit);
  if (spec.tags?.length) argv.push('--tags', spec.tags.join(','));
  if (spec.skipTags?.length) argv.push('--skip-tags', spec.skipTags.join(','));
  argv.push(resolve(ansibleDir(), 'playbooks', spec.playbook));
  return argv;
}

/**
 * The environment of every ansible-playbook run: the project's ansible.cfg, its ssh options with the absolute
 * known_hosts, and SSH master connections per project (beside known_hosts), never shared across projects or labs.
 */
export function playbookEnv(knownHosts: string): Record<string, string> {
  return {
    ANSIBLE_CONFIG: ansibleConfigPath(),
    ANSIBLE_SSH_ARGS: sshArgs(knownHosts),
    ANSIBLE_SSH_CONTROL_PATH_DIR: join(dirname(knownHosts), 'cp'),
    ANSIBLE_RETRY_FILES_ENABLED: '0',
  };
}

/** The whole command of a run: one call for bootstrap, reset and etcd alike. */
export function playbookCommand(spec: PlaybookSpec): PlaybookCommand {
  const [file, ...args] = playbookArgv(spec);
  return { file, args, env: playbookEnv(spec.knownHosts ?? defaultKnownHosts(spec.cwd)), cwd: spec.cwd };
}

/** The command as a user would type it, quoted for a POSIX shell. */
export function formatCommand(command: Pick<PlaybookCommand, 'file' | 'args' | 'env'>): string {
  const env = Object.entries(command.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return [...env, command.file, ...command.args.map(shellQuote)].join(' ');
}

export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
