/**
 * The action behind `pi-cluster etcd restore BACKUP --onto HOST`: loads the project, checks the opened backup,
 * asks, and runs (or, with --dry-run, prints) the recovery steps. BACKUP is an encrypted backup bundle
 * (etcd-backup-*.enc, opened here with the project's backup key into .pi-cluster/recover/, removed when all
 * steps are done) or a folder already opened (snapshot.db + pki/).
 */
import { rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { resolveSshKeys } from '../../config/ssh-keys.js';
import type { ClusterConfig } from '../../config/schema.js';
import { CancelledError, UserError } from '../../errors.js';
import { readClusterInventory } from '../../inventory/cluster.js';
import { stateDir as stateDirOf } from '../../paths.js';
import { openBackup } from '../../etcd/backup-bundle.js';
import { defaultBackupKeyPath } from '../../etcd/backup-key.js';
import { recover, type RecoverOutcome } from '../../etcd/recover.js';
import { isBundleFile } from '../../etcd/snapshot-file.js';

export interface RecoverCommandOptions {
  /** An etcd-backup-*.enc bundle, or an opened backup folder. */
  backup: string;
  /** The private backup key (default .pi-cluster/etcd-backup.key). */
  keyPath?: string;
  onto: string;
  inventoryPath: string;
  configPath?: string;
  yes: boolean;
  dryRun: boolean;
  cwd?: string;
  lab?: boolean;
  /** Extra playbook variables (the lab's switches). */
  extraVars?: Record<string, unknown>;
  /** The playbook variables of the cluster (bootstrap's, from pi-cluster.yaml); given by the command. */
  clusterVars: (config: ClusterConfig, stateDir: string) => Record<string, unknown>;
  confirm?: (question: string) => Promise<boolean>;
  write?: (text: string) => void;
}

export async function recoverCommand(options: RecoverCommandOptions): Promise<RecoverOutcome[]> {
  const cwd = options.cwd ?? process.cwd();
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const stateDir = stateDirOf(cwd);
  const { config } = await loadConfig({ explicitPath: options.configPath, cwd });
  const inventory = await readClusterInventory(resolve(cwd, options.inventoryPath));
  const privateKey = resolveSshKeys(config)?.privateKey;
  if (!privateKey && !options.dryRun)
    throw new UserError('no SSH key found', { hint: 'set ssh.privateKey in pi-cluster.yaml, or run `pi-cluster init --generate-key`' });

  if (!options.dryRun && !options.yes) {
    const question = `Rebuild the master ${options.onto} from ${options.backup}? kubeadm init runs there with the backed-up CA, then etcd is restored from the snapshot.`;
    if (!options.confirm)
      throw new UserError('a restore needs confirmation and there is no terminal to ask on', {
        hint: 'pass --yes to restore without asking',
      });
    if (!(await options.confirm(question))) throw new CancelledError('restore cancelled; nothing was changed');
  }

  const input = resolve(cwd, options.backup);
  const bundle = await isBundleFile(input);
  // A bundle opens into the same folder on every run, so the saved progress (keyed on that folder) resumes.
  const backupDir = bundle ? join(stateDir, 'recover', basename(input).replace(/\.enc$/, '')) : input;
  if (bundle && !options.dryRun) {
    const manifest = await openBackup(input, options.keyPath ? resolve(cwd, options.keyPath) : defaultBackupKeyPath(cwd), backupDir);
    write(`opened ${options.backup} (taken ${manifest.createdAt} on ${manifest.sourceHost}) into ${backupDir}\n`);
  } else if (bundle) {
    write(`would open ${options.backup} with ${options.keyPath ?? defaultBackupKeyPath(cwd)} into ${backupDir}\n`);
  }

  const outcomes = await recover({
    backupDir,
    onto: options.onto,
    inventory,
    cwd,
    stateDir,
    privateKeyPath: privateKey ? resolve(privateKey) : '(no SSH key)',
    knownHostsPath: join(stateDir, 'known_hosts'),
    clusterVars: { ...options.clusterVars(config, stateDir), ...options.extraVars },
    dryRun: options.dryRun,
    lab: options.lab,
    report: (event) => write(`${'message' in event ? event.message : JSON.stringify(event)}\n`),
  });
  write(formatOutcomes(outcomes, options.dryRun));
  // The opened copy holds the CA keys in plain text: gone once every step is done.
  if (bundle && !options.dryRun) await rm(backupDir, { recursive: true, force: true });
  return outcomes;
}

export function formatOutcomes(outcomes: RecoverOutcome[], dryRun: boolean): string {
  const label: Record<RecoverOutcome['status'], string> = {
    'done-before': 'done before',
    ran: 'done',
    'dry-run': 'would run',
    'skipped-lab': 'skipped (lab: needs kubeadm/etcd)',
  };
  const lines = [dryRun ? 'Dry run: nothing was changed. The steps, in order:' : 'Steps:'];
  outcomes.forEach((o, i) => {
    lines.push(`  ${i + 1}. ${o.step}: ${label[o.status]}`);
    if (dryRun) lines.push(...o.commands.map((c) => `       ${c}`));
  });
  return `${lines.join('\n')}\n`;
}
