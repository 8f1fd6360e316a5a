/**
 * `pi-cluster etcd restore BACKUP --onto HOST`: a dead master's replacement, in the order kubeadm and etcd
 * document, as one resumable run. Input: an opened backup folder (snapshot.db + pki/ as under
 * /etc/kubernetes/pki). Each step records itself in .pi-cluster/recover.json when done; a re-run starts at
 * the first step not done. Steps marked `kubernetes` need kubeadm/kubelet/etcd on the host: the virtual lab
 * (`lab`) shows them and skips them, as bootstrap's lab runs stop before 40-control-plane.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatCommand, playbookCommand, runPlaybook, type AnsibleEvent, type PlaybookSpec } from '../ansible/index.js';
import { UserError } from '../errors.js';
import type { Reporter } from '../events.js';
import type { ClusterInventory } from '../inventory/cluster.js';
import { KnownHosts, loadPrivateKey, withSession } from '../remote/index.js';
import { loadRecoverState, saveRecoverState, type RecoverState } from './recover-state.js';
import { checkSnapshot } from './snapshot-file.js';

export interface RecoverOptions {
  /** Opened backup: <dir>/snapshot.db and <dir>/pki/. */
  backupDir: string;
  onto: string;
  inventory: ClusterInventory;
  cwd: string;
  stateDir: string;
  privateKeyPath: string;
  knownHostsPath: string;
  /** The cluster-wide playbook variables (bootstrap's, from pi-cluster.yaml). */
  clusterVars: Record<string, unknown>;
  dryRun: boolean;
  /** Virtual lab: Kubernetes steps are shown and skipped. */
  lab?: boolean;
  report: Reporter;
  onAnsibleEvent?: (step: string, event: AnsibleEvent) => void;
}

export interface RecoverStep {
  id: string;
  title: string;
  /** Needs kubeadm, kubelet or etcd on the hosts (not runnable on the virtual lab). */
  kubernetes: boolean;
  /** What the step runs, as commands a user could type (playbooks) and the Kubernetes commands inside them. */
  commands: string[];
  run: () => Promise<void>;
}

export interface RecoverOutcome {
  step: string;
  status: 'done-before' | 'ran' | 'dry-run' | 'skipped-lab';
  commands: string[];
}

const KUBEADM_REUSES = 'certs phase: "Using the existing ca / front-proxy-ca / etcd/ca certificate and key", "Using the existing sa key"';

export function recoverSteps(options: RecoverOptions): RecoverStep[] {
  const master = options.inventory.masters[0];
  const snapshot = join(options.backupDir, 'snapshot.db');
  const pki = join(options.backupDir, 'pki');
  const kubeconfig = join(options.stateDir, 'kubeconfig');
  const spec = (playbook: string, extra: Record<string, unknown> = {}, limit?: string): PlaybookSpec => ({
    playbook,
    inventory: options.inventory.path,
    cwd: options.cwd,
    knownHosts: options.knownHostsPath,
    privateKey: options.privateKeyPath,
    extraVars: { ...options.clusterVars, ...extra },
    limit,
  });
  const playbookStep = (id: string, title: string, kubernetes: boolean, specs: PlaybookSpec[], inside: string[] = []): RecoverStep => ({
    id,
    title,
    kubernetes,
    commands: [...specs.map((s) => formatCommand(playbookCommand(s))), ...inside.map((line) => `  on the hosts: ${line}`)],
    run: async () => {
      for (const s of specs) await runStepPlaybook(options, id, s);
    },
  });
  return [
    {
      id: 'find-host',
      title: `find the new card: ${options.onto} answers over SSH with the host key recorded for it and says it is ${options.onto}`,
      kubernetes: false,
      commands: [`ssh -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${options.knownHostsPath} root@${master.address} hostname`],
      run: () => findNewHost(options),
    },
    playbookStep(
      'prepare-node',
      `node layers on ${options.onto} (10-prepare, 20-disk, 30-node)`,
      false,
      ['10-prepare.yml', '20-disk.yml', '30-node.yml'].map((p) => spec(p, {}, options.onto)),
    ),
    playbookStep('lay-pki', `the backed-up PKI into /etc/kubernetes/pki on ${options.onto} (0600), before kubeadm init`, false, [
      spec('etcd-recover-pki.yml', { etcd_recover_pki_dir: pki }),
    ]),
    playbookStep(
      'control-plane',
      `40-control-plane: kubeadm init on ${options.onto}, reusing the backed-up CA`,
      true,
      [spec('40-control-plane.yml', {}, options.onto)],
      [`kubeadm init --config /etc/kubernetes/kubeadm-config.yaml (${KUBEADM_REUSES})`],
    ),
    playbookStep(
      'restore-etcd',
      `restore the etcd snapshot on ${options.onto}, restart the kubelets`,
      true,
      [spec('etcd-restore.yml', { etcd_backup_restore_snapshot: snapshot })],
      [
        'mv /etc/kubernetes/manifests/{kube-apiserver,kube-controller-manager,kube-scheduler,etcd}.yaml /etc/kubernetes/manifests.stopped-for-restore/',
        'ctr -n k8s.io run --rm <etcd image> etcdutl (etcd 3.6) | etcdctl (etcd 3.5) snapshot restore /backup/restore.db --data-dir=/var/lib/etcd.restored --name=<member> --initial-cluster=<member>=<peer URL> --initial-advertise-peer-urls=<peer URL> [--bump-revision=1000000000 --mark-compacted where the tool knows them]',
        'mv /var/lib/etcd /var/lib/etcd.before-restore-<stamp>; mv /var/lib/etcd.restored /var/lib/etcd; manifests back (etcd first)',
        'kubectl --kubeconfig /etc/kubernetes/admin.conf get --raw=/readyz; rc-service/systemctl restart kubelet on every node',
      ],
    ),
    playbookStep('check-workers', "the workers kept the backup's CA and their kubelet calls the master by name or address", false, [
      spec('etcd-recover-workers.yml', { etcd_recover_pki_dir: pki }),
    ]),
    {
      id: 'validate',
      title: 'the API server answers and every node is listed',
      kubernetes: true,
      commands: [`kubectl --kubeconfig ${kubeconfig} get --raw=/readyz`, `kubectl --kubeconfig ${kubeconfig} get nodes`],
      run: () =>
        validateCluster(
          kubeconfig,
          options.inventory.hosts.map((h) => h.name),
        ),
    },
  ];
}

/** Runs the steps in order, from the first one not done; each finished step is saved before the next starts. */
export async function recover(options: RecoverOptions): Promise<RecoverOutcome[]> {
  checkRecoverTarget(options);
  const steps = recoverSteps(options);
  // A dry run of a bundle shows the folder it would open into: that folder need not exist yet.
  if (!options.dryRun || existsSync(options.backupDir)) await checkRecoverInput(options.backupDir);
  if (options.dryRun)
    return steps.map((s) => ({ step: s.id, status: options.lab && s.kubernetes ? 'skipped-lab' : 'dry-run', commands: s.commands }));

  const state = await loadRecoverState(options.stateDir, resolve(options.backupDir), options.onto);
  const outcomes: RecoverOutcome[] = [];
  for (const step of steps) {
    if (state.done[step.id]) {
      outcomes.push({ step: step.id, status: 'done-before', commands: step.commands });
      continue;
    }
    if (options.lab && step.kubernetes) {
      options.report({ kind: 'info', message: `skip ${step.id} on the virtual lab (needs kubeadm/etcd): ${step.title}` });
      outcomes.push({ step: step.id, status: 'skipped-lab', commands: step.commands });
      continue;
    }
    options.report({ kind: 'info', message: `${step.id}: ${step.title}` });
    try {
      await step.run();
    } catch (error) {
      await saveFailure(options.stateDir, state, step.id, error);
      throw error;
    }
    state.done[step.id] = new Date().toISOString();
    delete state.lastFailure;
    await saveRecoverState(options.stateDir, state);
    outcomes.push({ step: step.id, status: 'ran', commands: step.commands });
  }
  return outcomes;
}

function checkRecoverTarget(options: RecoverOptions): void {
  const master = options.inventory.masters[0];
  if (options.inventory.masters.length !== 1) {
    throw new UserError(`the inventory has ${options.inventory.masters.length} masters; --onto replaces the single master`, {
      hint: 'with several masters, join a new one to the others (kubeadm join --control-plane)',
    });
  }
  if (master.name !== options.onto) {
    throw new UserError(`--onto ${options.onto} is not the inventory's master (${master.name})`, {
      hint: `flash the new card with the old master's hostname: \`pi-cluster flash --hostname ${master.name}\`, then \`--onto ${master.name}\``,
    });
  }
}

async function checkRecoverInput(backupDir: string): Promise<void> {
  if (!existsSync(join(backupDir, 'pki', 'ca.crt'))) {
    throw new UserError(`${backupDir} has no pki/ca.crt: not a pi-cluster backup (etcd-backup-*.enc) or an opened one`, {
      hint: 'use a backup taken with the PKI (`pi-cluster etcd snapshot`, or the nightly backup)',
    });
  }
  await checkSnapshot(join(backupDir, 'snapshot.db'));
}

async function saveFailure(stateDir: string, state: RecoverState, step: string, error: unknown): Promise<void> {
  state.lastFailure = { step, message: error instanceof Error ? error.message : String(error), at: new Date().toISOString() };
  await saveRecoverState(stateDir, state);
}

async function runStepPlaybook(options: RecoverOptions, step: string, spec: PlaybookSpec): Promise<void> {
  const logFile = join(options.stateDir, 'logs', `recover-${step}-${spec.playbook.replace(/\.yml$/, '')}.log`);
  const result = await runPlaybook({ ...spec, logFile, onEvent: (event) => options.onAnsibleEvent?.(step, event) });
  if (result.exitCode !== 0) {
    const first = result.failures[0];
    throw new UserError(`${step} failed${first ? ` on ${first.host} in "${first.task}": ${first.message.split('\n')[0]}` : ''}`, {
      hint: `full log: ${logFile}; fix it and run the same command again: it resumes at ${step}`,
    });
  }
}

async function findNewHost(options: RecoverOptions): Promise<void> {
  const master = options.inventory.masters[0];
  const knownHosts = await KnownHosts.load(options.knownHostsPath);
  const key = await loadPrivateKey(options.privateKeyPath);
  const said = await withSession({ name: master.name, address: master.address }, { key, knownHosts, hostKeys: 'strict' }, (session) =>
    session.run('hostname'),
  );
  const name = said.stdout.trim();
  if (name !== options.onto) {
    throw new UserError(`${master.address} says it is ${name || '(no name)'}, not ${options.onto}`, {
      hint: `flash the new card with \`--hostname ${options.onto}\` (and the old fixed address, if it had one)`,
    });
  }
}

async function validateCluster(kubeconfig: string, nodes: string[]): Promise<void> {
  const { execa } = await import('execa');
  const ready = await execa('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw=/readyz'], { reject: false });
  if (ready.exitCode !== 0)
    throw new UserError('the API server is not ready after the restore', {
      hint: `kubectl --kubeconfig ${kubeconfig} get --raw='/readyz?verbose'`,
    });
  const listed = await execa('kubectl', ['--kubeconfig', kubeconfig, 'get', 'nodes', '-o', 'name'], { reject: false });
  const missing = nodes.filter((n) => !listed.stdout.split('\n').includes(`node/${n}`));
  if (listed.exitCode !== 0 || missing.length)
    throw new UserError(`nodes missing after the restore: ${missing.join(', ') || '(kubectl failed)'}`, {
      hint: 'a worker that stays away: restart its kubelet, or `pi-cluster reset` it and bootstrap again',
    });
}
