/**
 * `pi-cluster etcd snapshot` and `pi-cluster etcd restore SNAPSHOT`: run the etcd playbooks against the
 * first master. The playbooks do the work (ansible/playbooks/etcd-*.yml, role etcd_backup); this builds
 * the command, checks the inputs, asks before a restore, and runs ansible-playbook.
 */
import { open, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { loadConfig } from '../config/load.js';
import { resolveSshKeys } from '../config/ssh-keys.js';
import { CancelledError, UserError } from '../errors.js';
import { packageRoot, stateDir } from '../paths.js';
import { userFileProblem } from '../user-files.js';
import { readInventory } from './inventory.js';

export type EtcdAction = 'snapshot' | 'restore';

export interface EtcdOptions {
  action: EtcdAction;
  /** Local snapshot file to restore (restore only). */
  snapshot?: string;
  inventoryPath: string;
  configPath?: string;
  /** Skip the confirmation of a restore. */
  yes: boolean;
  /** Print the ansible-playbook command instead of running it. */
  dryRun: boolean;
  cwd?: string;
  /** Asks the user; undefined when there is no terminal to ask on. */
  confirm?: (question: string) => Promise<boolean>;
  write?: (text: string) => void;
  /** Runs the command with the terminal attached (replaceable in tests). */
  run?: (command: PlaybookCommand) => Promise<void>;
}

export interface PlaybookCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
  /** The project folder: ansible.cfg's relative paths and .pi-cluster/ are read from here. */
  cwd: string;
}

/** bbolt's meta page magic, at byte 16 of every etcd snapshot (and data file). */
const BOLT_MAGIC = 0xed0cdaed;

export async function etcdCommand(options: EtcdOptions): Promise<PlaybookCommand> {
  const cwd = options.cwd ?? process.cwd();
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const inventoryPath = resolve(cwd, options.inventoryPath);
  const inventory = await readInventory(inventoryPath);
  const { config } = await loadConfig({ explicitPath: options.configPath, cwd });
  const master = inventory.masters[0];

  const extraVars: Record<string, string> = { etcd_backup_local_dir: join(stateDir(cwd), 'etcd-snapshots') };
  if (options.action === 'restore') {
    if (!options.snapshot) throw new UserError('which snapshot? `pi-cluster etcd restore SNAPSHOT`', { hint: 'snapshots are the etcd-snapshot-*.db files on the NFS backup share or in .pi-cluster/etcd-snapshots/' });
    const snapshot = resolve(cwd, options.snapshot);
    await checkSnapshot(snapshot, options.snapshot);
    extraVars.etcd_backup_restore_snapshot = snapshot;
    if (inventory.masters.length > 1) {
      throw new UserError(`the inventory has ${inventory.masters.length} masters; this restore handles a single control-plane node`, {
        hint: 'for several etcd members follow the kubeadm documentation (restore every member from the same snapshot)',
      });
    }
  }

  const command = playbookCommand(options.action, inventoryPath, extraVars, { cwd, privateKey: resolveSshKeys(config)?.privateKey });
  if (options.dryRun) {
    write(`${formatCommand(command)}\n`);
    return command;
  }

  if (options.action === 'restore' && !options.yes) {
    const question = `Restore ${options.snapshot} onto ${master.name} (${master.address})? The API server stops, etcd's data is replaced (the old data is kept aside), and every change since the snapshot is lost.`;
    if (!options.confirm) throw new UserError('a restore needs confirmation and there is no terminal to ask on', { hint: 'pass --yes to restore without asking' });
    if (!(await options.confirm(question))) throw new CancelledError('restore cancelled; nothing was changed');
  }

  write(`${options.action === 'restore' ? 'restoring etcd on' : 'taking an etcd snapshot on'} ${master.name}: ${formatCommand(command)}\n`);
  await (options.run ?? runPlaybook)(command);
  return command;
}

/**
 * Same settings as bootstrap's runs: the project's ansible.cfg, and host keys checked strictly against the
 * known_hosts that `discover` recorded. (Mirrors src/bootstrap/ansible.ts; stages do not import each other.)
 */
export function playbookCommand(action: EtcdAction, inventory: string, extraVars: Record<string, string>, where: { cwd: string; privateKey?: string }): PlaybookCommand {
  const root = packageRoot();
  const args = ['-i', inventory, join(root, 'ansible', 'playbooks', `etcd-${action}.yml`), '-e', JSON.stringify(extraVars)];
  if (where.privateKey) args.push('--private-key', where.privateKey);
  const knownHosts = join(stateDir(where.cwd), 'known_hosts');
  return {
    file: 'ansible-playbook',
    args,
    env: {
      ANSIBLE_CONFIG: join(root, 'ansible', 'ansible.cfg'),
      ANSIBLE_SSH_ARGS: `-o ControlMaster=auto -o ControlPersist=120s -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${knownHosts} -o BatchMode=yes`,
    },
    cwd: where.cwd,
  };
}

/** The command as a user would type it, quoted for a POSIX shell. */
export function formatCommand(command: PlaybookCommand): string {
  const env = Object.entries(command.env).map(([k, v]) => `${k}=${quote(v)}`);
  return [...env, command.file, ...command.args.map(quote)].join(' ');
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A snapshot must exist and look like an etcd (bbolt) database, so a wrong file never reaches the master. */
export async function checkSnapshot(path: string, label = path): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new UserError(`snapshot ${label} ${userFileProblem(path) ?? 'is not a file'}`, { hint: 'copy an etcd-snapshot-*.db from the NFS backup share, or take one with `pi-cluster etcd snapshot`' });
  const header = Buffer.alloc(20);
  const handle = await open(path, 'r');
  try {
    await handle.read(header, 0, 20, 0);
  } finally {
    await handle.close();
  }
  if (info.size < 4096 || header.readUInt32LE(16) !== BOLT_MAGIC) {
    throw new UserError(`${label} is not an etcd snapshot (no bbolt database header)`, { hint: 'use a file written by `etcdctl snapshot save`: etcd-snapshot-*.db' });
  }
}

async function runPlaybook(command: PlaybookCommand): Promise<void> {
  try {
    await execa(command.file, command.args, { env: command.env, cwd: command.cwd, stdio: 'inherit' });
  } catch (error) {
    const e = error as { code?: string; exitCode?: number };
    if (e.code === 'ENOENT') throw new UserError('ansible-playbook is not installed', { hint: 'install Ansible (see `pi-cluster doctor`)' });
    throw new UserError(`ansible-playbook failed (exit ${e.exitCode ?? '?'})`, { hint: 'read the task that failed above; a restore keeps the old etcd data under /var/lib/etcd.before-restore-*', cause: error });
  }
}
