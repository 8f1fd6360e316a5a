/**
 * `pi-cluster certs renew`: kubeadm's manual renewal, one master at a time, in inventory order. Preflight first
 * (every master answers over SSH, has kubeadm and a control plane), then per master the certs-renew playbook
 * (role certs, tasks/renew.yml: `kubeadm certs renew all`, the static pods' manifests out of
 * /etc/kubernetes/manifests for kubelet's fileCheckFrequency and back, /readyz, and on the first master a new
 * .pi-cluster/kubeconfig merged into the user's), then the certificates read again: each must now expire later.
 * Each finished master is saved in .pi-cluster/certs-renew.json; a re-run resumes after it. Stops at the first
 * failure, naming the host.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCommand, playbookCommand, runPlaybook, type AnsibleEvent, type PlaybookSpec } from '../ansible/index.js';
import { UserError } from '../errors.js';
import type { Reporter } from '../events.js';
import type { ClusterHost, ClusterInventory } from '../inventory/cluster.js';
import { readProgress, writeProgress } from '../progress-file.js';
import { CERTS_SCRIPT, parseCertificates, type CertificateExpiry } from '../pki/expiry.js';
import { KnownHosts, loadPrivateKey, mapBounded, withSession } from '../remote/index.js';

export interface RenewOptions {
  inventory: ClusterInventory;
  cwd: string;
  stateDir: string;
  privateKeyPath: string;
  knownHostsPath: string;
  /** The cluster-wide playbook variables (bootstrap's, from pi-cluster.yaml), plus any -e. */
  clusterVars: Record<string, unknown>;
  dryRun: boolean;
  report: Reporter;
  onAnsibleEvent?: (host: string, event: AnsibleEvent) => void;
}

export interface RenewOutcome {
  host: string;
  status: 'done-before' | 'renewed' | 'dry-run';
  commands: string[];
  /** After a renewal: the soonest kubeadm-renewed certificate now. */
  soonest?: CertificateExpiry;
}

interface RenewState {
  version: 1;
  masters: string[];
  done: Record<string, string>;
  lastFailure?: { host: string; message: string; at: string };
}

const MANIFESTS = '/etc/kubernetes/manifests';
const PARKED = '/etc/kubernetes/manifests.pi-cluster-certs-renew';
const PREFLIGHT = 'command -v kubeadm && command -v kubectl && test -d /etc/kubernetes/manifests && test -r /etc/kubernetes/admin.conf';

export const renewStatePath = (stateDir: string): string => join(stateDir, 'certs-renew.json');

/** What runs for each master, in order, as commands a user could type (the playbook) and the commands inside it. */
export function renewPlan(options: RenewOptions): Array<{ host: ClusterHost; spec: PlaybookSpec; commands: string[] }> {
  const first = options.inventory.masters[0];
  const kubeconfig = join(options.stateDir, 'kubeconfig');
  const clusterName = String(options.clusterVars.pi_cluster_name ?? 'pi-cluster');
  return options.inventory.masters.map((host) => {
    const spec: PlaybookSpec = {
      playbook: 'certs-renew.yml',
      inventory: options.inventory.path,
      cwd: options.cwd,
      knownHosts: options.knownHostsPath,
      privateKey: options.privateKeyPath,
      extraVars: options.clusterVars,
      limit: host.name,
    };
    const on = (line: string) => `  on ${host.name}: ${line}`;
    return {
      host,
      spec,
      commands: [
        formatCommand(playbookCommand(spec)),
        on('kubeadm certs renew all'),
        on(`mkdir -p ${PARKED}; mv ${MANIFESTS}/*.yaml ${PARKED}/; sleep 20; mv ${PARKED}/*.yaml ${MANIFESTS}/; sleep 20`),
        on('kubectl --kubeconfig /etc/kubernetes/admin.conf get --raw=/readyz  (until it answers)'),
        ...(host === first
          ? [
              `  here: write ${kubeconfig} (0600) from ${host.name}:/etc/kubernetes/admin.conf`,
              `  here: merge cluster ${clusterName}, user ${clusterName}-admin, context ${clusterName} into ${String(options.clusterVars.pi_cluster_user_kubeconfig ?? '~/.kube/config')}`,
            ]
          : []),
        `  check: ${host.name}'s certificates read again (${CERTS_READ}): each renewed one must expire later than before`,
      ],
    };
  });
}

const CERTS_READ = '/etc/kubernetes/pki/**/*.crt and the kubeconfigs, over SSH';

export interface RenewResult {
  /** What is checked on every master before anything changes. */
  preflight: string;
  masters: RenewOutcome[];
}

export async function renewCertificates(options: RenewOptions): Promise<RenewResult> {
  const masters = options.inventory.masters;
  if (!masters.length) throw new UserError(`${options.inventory.path} lists no [masters]`, { hint: 'run `pi-cluster discover`' });
  const plan = renewPlan(options);
  const preflightLine = `preflight, before any change: on ${masters.map((m) => m.name).join(', ')} over SSH: ${PREFLIGHT}; read the certificates`;
  if (options.dryRun)
    return { preflight: preflightLine, masters: plan.map((p) => ({ host: p.host.name, status: 'dry-run', commands: p.commands })) };

  const before = await preflight(options);
  const state = await loadState(options.stateDir, masters);
  const outcomes: RenewOutcome[] = [];
  for (const step of plan) {
    const host = step.host.name;
    if (state.done[host]) {
      options.report({ kind: 'info', host, message: `${host}: renewed before (${state.done[host]}), skipped` });
      outcomes.push({ host, status: 'done-before', commands: step.commands });
      continue;
    }
    options.report({ kind: 'info', host, message: `${host}: kubeadm certs renew all, restart of the control-plane pods, /readyz` });
    try {
      await runHostPlaybook(options, step.host, step.spec);
      const soonest = await verify(options, step.host, before.get(host)!);
      options.report({
        kind: 'info',
        host,
        message: `${host}: renewed; the soonest now expires ${soonest.notAfter.slice(0, 10)} (${soonest.name})`,
      });
      state.done[host] = new Date().toISOString();
      delete state.lastFailure;
      await saveState(options.stateDir, state);
      outcomes.push({ host, status: 'renewed', commands: step.commands, soonest });
    } catch (error) {
      state.lastFailure = { host, message: error instanceof Error ? error.message : String(error), at: new Date().toISOString() };
      await saveState(options.stateDir, state);
      throw error;
    }
  }
  // Every master done: the next `certs renew` starts afresh.
  await rm(renewStatePath(options.stateDir), { force: true });
  return { preflight: preflightLine, masters: outcomes };
}

/** Every master answers, has kubeadm and a control plane; returns each one's certificates as they are now. */
async function preflight(options: RenewOptions): Promise<Map<string, CertificateExpiry[]>> {
  const key = await loadPrivateKey(options.privateKeyPath);
  const knownHosts = await KnownHosts.load(options.knownHostsPath);
  const masters = options.inventory.masters;
  const settled = await mapBounded(masters, masters.length, (host) =>
    withSession({ name: host.name, address: host.address }, { key, knownHosts, hostKeys: 'strict' }, async (session) => {
      const ready = await session.run(PREFLIGHT, { timeoutMs: 15_000 });
      if (ready.code !== 0) throw new Error('no kubeadm, kubectl, /etc/kubernetes/manifests or admin.conf: no control plane to renew');
      return parseCertificates((await session.run(CERTS_SCRIPT, { timeoutMs: 15_000 })).stdout, new Date());
    }),
  );
  const problems = settled.flatMap((result, i) =>
    result.status === 'rejected'
      ? [`${masters[i]!.name}: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`]
      : [],
  );
  if (problems.length)
    throw new UserError(`preflight: ${problems.join('; ')}`, {
      hint: 'nothing was changed; every master must answer and run a control plane (`pi-cluster status`)',
    });
  return new Map(masters.map((host, i) => [host.name, (settled[i] as PromiseFulfilledResult<CertificateExpiry[]>).value]));
}

async function runHostPlaybook(options: RenewOptions, host: ClusterHost, spec: PlaybookSpec): Promise<void> {
  const logFile = join(options.stateDir, 'logs', `certs-renew-${host.name}.log`);
  const result = await runPlaybook({ ...spec, logFile, onEvent: (event) => options.onAnsibleEvent?.(host.name, event) });
  if (result.exitCode !== 0) {
    const first = result.failures[0];
    throw new UserError(
      `${host.name}: certs renew failed${first ? ` in "${first.task}": ${first.message.split('\n')[0]}` : ` (ansible-playbook exit ${result.exitCode})`}`,
      {
        hint: `full log: ${logFile}; the renew log on the host: /var/log/pi-cluster-certs-renew.log; fix it and run \`pi-cluster certs renew\` again: it resumes at ${host.name}`,
      },
    );
  }
}

/** Reads the host's certificates again: every one kubeadm renews must now expire later than before. */
async function verify(options: RenewOptions, host: ClusterHost, before: CertificateExpiry[]): Promise<CertificateExpiry> {
  const key = await loadPrivateKey(options.privateKeyPath);
  const knownHosts = await KnownHosts.load(options.knownHostsPath);
  const text = await withSession({ name: host.name, address: host.address }, { key, knownHosts, hostKeys: 'strict' }, (session) =>
    session.run(CERTS_SCRIPT, { timeoutMs: 15_000 }),
  );
  const after = new Map(parseCertificates(text.stdout, new Date()).map((c) => [c.file, c]));
  const renewable = before.filter((c) => c.kind === 'kubeadm');
  const stale = renewable.filter((c) => !(after.has(c.file) && after.get(c.file)!.notAfter > c.notAfter));
  if (stale.length)
    throw new UserError(
      `${host.name}: not renewed: ${stale.map((c) => `${c.file} still expires ${after.get(c.file)?.notAfter.slice(0, 10) ?? '(gone)'}`).join('; ')}`,
      { hint: `look at /var/log/pi-cluster-certs-renew.log on ${host.name}; externally managed certificates are not renewed by kubeadm` },
    );
  const renewed = renewable.map((c) => after.get(c.file)!).sort((a, b) => a.notAfter.localeCompare(b.notAfter));
  if (!renewed.length)
    throw new UserError(`${host.name}: no kubeadm certificates found to check`, { hint: 'run `pi-cluster certs check`' });
  return renewed[0]!;
}

async function loadState(stateDir: string, masters: ClusterHost[]): Promise<RenewState> {
  const names = masters.map((m) => m.name);
  // Saved progress counts only for the same masters.
  const saved = await readProgress<RenewState>(renewStatePath(stateDir), (s) => JSON.stringify(s.masters) === JSON.stringify(names));
  return saved ?? { version: 1, masters: names, done: {} };
}

async function saveState(stateDir: string, state: RenewState): Promise<void> {
  await writeProgress(renewStatePath(stateDir), state);
}
