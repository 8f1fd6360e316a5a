/**
 * `pi-cluster status`: one read-only look at the whole cluster. Every Pi is asked in parallel over
 * the SSH layer bootstrap uses (strict host keys), in one round trip each; the first master also
 * gives its certificates and, when Kubernetes runs, its nodes. Changes nothing anywhere, except the
 * fsync probe's small file, which it removes.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { kubeMinor, supportNotice } from '../config/kubernetes-releases.js';
import type { ClusterHost } from '../inventory/cluster.js';
import { KnownHosts, loadPrivateKey, mapBounded, openSession, SshError, type RemoteSession } from '../remote/index.js';
import { factsScript, parseFacts, STATUS_PROBES, type HostFacts } from '../facts/index.js';
import type { Finding, Severity } from '../findings.js';
import { certificateFindings, certificateSection, CERTS_SCRIPT, sections, type CertificateExpiry } from '../pki/expiry.js';
import { piChecks, quantile } from '../facts/index.js';

export type { CertificateExpiry } from '../pki/expiry.js';

export interface NodeState {
  name: string;
  ready: boolean;
  roles: string[];
  kubeletVersion: string;
}

export interface HostStatus {
  name: string;
  address: string;
  group: ClusterHost['role'];
  reachable: boolean;
  error?: string;
  facts?: HostFacts;
  fsyncP99Ms?: number;
}

export interface ClusterStatus {
  hosts: HostStatus[];
  certificates: CertificateExpiry[];
  /** Undefined when no master answered or Kubernetes does not run there yet. */
  nodes?: NodeState[];
  /** Newest snapshot under .pi-cluster/etcd-snapshots (`pi-cluster etcd snapshot`); NFS backups are not visible here. */
  newestLocalBackup?: { file: string; ageHours: number };
  findings: Finding[];
  ms: number;
}

export interface StatusOptions {
  hosts: ClusterHost[];
  privateKeyPath: string;
  knownHostsPath: string;
  stateDir: string;
  connectTimeoutMs?: number;
  now?: Date;
}

/** The certificates (src/pki/expiry.ts), then the nodes when kubectl and admin.conf are there. */
const MASTER_SCRIPT = [
  CERTS_SCRIPT,
  'if command -v kubectl >/dev/null 2>&1 && [ -r /etc/kubernetes/admin.conf ]; then echo "@@nodes"; kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=5s get nodes -o json 2>/dev/null; fi',
].join('\n');

export async function clusterStatus(options: StatusOptions): Promise<ClusterStatus> {
  const reader = await openStatusReader(options);
  try {
    return await reader.read();
  } finally {
    reader.close();
  }
}

/**
 * Reads the cluster's status round after round (`status --watch`) over the same SSH connections: a round
 * after the first skips the TCP connect, handshake and authentication. A connection that failed is opened
 * again in the next round (a Pi that rebooted). close() ends every connection, also one still opening.
 */
export interface StatusReader {
  read(): Promise<ClusterStatus>;
  close(): void;
}

export async function openStatusReader(options: StatusOptions): Promise<StatusReader> {
  const key = await loadPrivateKey(options.privateKeyPath);
  const knownHosts = await KnownHosts.load(options.knownHostsPath);
  const master = options.hosts.find((h) => h.role === 'masters');
  const sessions = new Map<string, Promise<RemoteSession>>();
  let closed = false;
  const sessionOf = (host: ClusterHost): Promise<RemoteSession> => {
    let session = sessions.get(host.name);
    if (!session) {
      session = openSession(
        { name: host.name, address: host.address },
        { key, knownHosts, hostKeys: 'strict', connectTimeoutMs: options.connectTimeoutMs ?? 8000 },
      ).then((opened) => {
        if (closed) opened.close();
        return opened;
      });
      sessions.set(host.name, session);
      session.catch(() => sessions.delete(host.name));
    }
    return session;
  };
  const readHost = async (host: ClusterHost): Promise<{ facts: HostFacts; masterText?: string }> => {
    const session = await sessionOf(host);
    try {
      const [facts, extra] = await Promise.all([
        readFacts(session),
        host === master ? session.run(MASTER_SCRIPT, { timeoutMs: 15_000 }) : undefined,
      ]);
      return { facts, masterText: extra?.stdout };
    } catch (error) {
      sessions.delete(host.name);
      session.close();
      throw error;
    }
  };

  return {
    async read() {
      const t0 = Date.now();
      const now = options.now ?? new Date();
      const settled = await mapBounded(options.hosts, options.hosts.length, readHost);
      let masterText: string | undefined;
      const hosts: HostStatus[] = options.hosts.map((host, index) => {
        const result = settled[index]!;
        const base = { name: host.name, address: host.address, group: host.role };
        if (result.status === 'rejected') return { ...base, reachable: false, error: describeError(result.reason) };
        if (host === master) masterText = result.value.masterText;
        const facts = result.value.facts;
        return { ...base, reachable: true, facts, fsyncP99Ms: quantile(facts.fsyncMs ?? [], 0.99) };
      });
      const { certificates, nodes } = masterText === undefined ? { certificates: [], nodes: undefined } : parseMasterText(masterText, now);
      const newestLocalBackup = await newestBackup(join(options.stateDir, 'etcd-snapshots'), now);
      const findings = judge(hosts, certificates, nodes, newestLocalBackup, master?.name, now);
      return { hosts, certificates, nodes, newestLocalBackup, findings, ms: Date.now() - t0 };
    },
    close() {
      closed = true;
      for (const session of sessions.values())
        session.then(
          (s) => s.close(),
          () => {},
        );
      sessions.clear();
    },
  };
}

async function readFacts(session: RemoteSession): Promise<HostFacts> {
  const before = Date.now();
  const result = await session.run(factsScript(STATUS_PROBES), { timeoutMs: 20_000 });
  return parseFacts(result.stdout, { localMidSeconds: (before + Date.now()) / 2000 });
}

function describeError(error: unknown): string {
  if (error instanceof SshError) return error.message.replace(/^[^:]+: /, '');
  return error instanceof Error ? error.message : String(error);
}

/** Certificates and nodes from the first master's answer (pure). */
export function parseMasterText(text: string, now: Date): { certificates: CertificateExpiry[]; nodes?: NodeState[] } {
  const certificates: CertificateExpiry[] = [];
  let nodes: NodeState[] | undefined;
  for (const [header, body] of sections(text)) {
    const certificate = certificateSection(header, body, now);
    if (certificate) certificates.push(certificate);
    else if (header === 'nodes' && body.trim()) nodes = parseNodes(body);
  }
  return { certificates, nodes };
}

function parseNodes(json: string): NodeState[] | undefined {
  try {
    const list = JSON.parse(json) as {
      items?: Array<{
        metadata?: { name?: string; labels?: Record<string, string> };
        status?: { conditions?: Array<{ type: string; status: string }>; nodeInfo?: { kubeletVersion?: string } };
      }>;
    };
    return (list.items ?? []).map((item) => ({
      name: item.metadata?.name ?? '?',
      ready: item.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      roles: Object.keys(item.metadata?.labels ?? {})
        .filter((l) => l.startsWith('node-role.kubernetes.io/'))
        .map((l) => l.slice('node-role.kubernetes.io/'.length)),
      kubeletVersion: (item.status?.nodeInfo?.kubeletVersion ?? '').replace(/^v/, ''),
    }));
  } catch {
    return undefined;
  }
}

async function newestBackup(dir: string, now: Date): Promise<ClusterStatus['newestLocalBackup']> {
  if (!existsSync(dir)) return undefined;
  let newest: { file: string; mtime: number } | undefined;
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.db') && !name.endsWith('.enc')) continue;
    const { mtimeMs } = await stat(join(dir, name));
    if (!newest || mtimeMs > newest.mtime) newest = { file: join(dir, name), mtime: mtimeMs };
  }
  return newest ? { file: newest.file, ageHours: (now.getTime() - newest.mtime) / 3_600_000 } : undefined;
}

const GiB = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** What needs action (pure): each finding names the host, the problem and the fix. */
export function judge(
  hosts: HostStatus[],
  certificates: CertificateExpiry[],
  nodes: NodeState[] | undefined,
  backup: ClusterStatus['newestLocalBackup'],
  master: string | undefined,
  now: Date,
): Finding[] {
  const findings: Finding[] = [];
  const add = (host: string, severity: Severity, problem: string, fix: string) => findings.push({ host, severity, problem, fix });
  for (const h of hosts) {
    if (!h.reachable) {
      add(h.name, 'fail', `not reachable: ${h.error}`, 'check power and network; `pi-cluster discover` if its address changed');
      continue;
    }
    const f = h.facts!;
    findings.push(...piChecks(h.name, f, { master: h.group === 'masters' }));
    if (f.skewSeconds !== undefined && Math.abs(f.skewSeconds) > 5)
      add(
        h.name,
        'warn',
        `clock is ${Math.round(f.skewSeconds)} s off this machine's`,
        "check chronyd on the Pi (rc-service chronyd status) and this machine's clock",
      );
    if ((f.swapBytes ?? 0) > 0)
      add(
        h.name,
        'warn',
        `swap is on (${GiB(f.swapBytes!)}): kubelet refuses to start with swap`,
        'run `pi-cluster bootstrap --only 30-node` (it turns swap off)',
      );
    if (f.memoryCgroup === false)
      add(
        h.name,
        'fail',
        'the memory cgroup is off (kubelet will not run)',
        'cmdline.txt needs cgroup_enable=memory cgroup_memory=1: `pi-cluster bootstrap --only 30-node`',
      );
    if (f.rootSizeBytes && f.rootAvailBytes !== undefined && f.rootAvailBytes < f.rootSizeBytes * 0.1)
      add(h.name, 'warn', `only ${GiB(f.rootAvailBytes)} free on /`, 'remove unused images (crictl rmi --prune) or use a bigger card');
    if (f.memTotalBytes && f.memAvailableBytes !== undefined && f.memAvailableBytes < f.memTotalBytes * 0.1)
      add(h.name, 'warn', `only ${GiB(f.memAvailableBytes)} of memory available`, 'move pods elsewhere or use a Pi with more memory');
  }
  findings.push(...certificateFindings(certificates, 'cluster', master ?? 'the master', now));
  for (const n of nodes ?? []) {
    if (!n.ready)
      add(n.name, 'warn', 'node is NotReady', '`kubectl describe node` shows why; before `make apply` there is no pod network yet');
  }
  const versions = new Set((nodes ?? []).map((n) => kubeMinor(n.kubeletVersion)).filter((v) => /^1\.\d+$/.test(v)));
  for (const minor of versions) {
    const notice = supportNotice(minor, now);
    if (notice) add('cluster', notice.severity, notice.problem, notice.fix);
  }
  if (backup && backup.ageHours > 48)
    add(
      'cluster',
      'warn',
      `the newest local etcd snapshot is ${Math.round(backup.ageHours / 24)} days old`,
      '`pi-cluster etcd snapshot` (the nightly backups go to NFS: check the etcd-backup CronJob)',
    );
  return findings;
}
