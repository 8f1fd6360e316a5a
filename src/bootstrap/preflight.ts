import { KnownHosts, SshError, loadPrivateKey, mapBounded, withSession, type PrivateKey } from '../remote/index.js';
import { alpineBranchesWith, kubeMinor, kubeMinorOfAlpine, kubernetesReleases, supportNotice } from '../config/kubernetes-releases.js';
import type { Finding } from '../findings.js';
import { factsScript, parseFacts, piChecks, PREFLIGHT_PROBES, type HostFacts as FactsOfHost } from '../facts/index.js';
import type { ClusterHost as InventoryHost } from '../inventory/cluster.js';

/** A host's facts (src/facts), filed under its inventory name. */
export type HostFacts = FactsOfHost & { host: string };

export interface PreflightPolicy {
  /** Architectures accepted without a word (default aarch64); armv7l/armv6l warn; others fail. */
  arch: string[];
  minMemoryBytes: number;
  warnMemoryBytes: number;
  maxSkewSeconds: number;
  /** Needed in the card's free space before 20-disk, or free on / after it. */
  minSystemBytes: number;
}

export const DEFAULT_POLICY: PreflightPolicy = {
  arch: ['aarch64'],
  minMemoryBytes: 2 ** 30 * 0.8, // a "1 GiB" Pi reports less than 1 GiB of MemTotal (the GPU takes its share)
  warnMemoryBytes: 2 ** 31 * 0.8,
  maxSkewSeconds: 5,
  minSystemBytes: 4 * 2 ** 30,
};

/** The machine's own architecture in `uname -m` spelling. */
function unameArch(): string {
  const names: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l' };
  return names[process.arch] ?? process.arch;
}

/**
 * The virtual lab (`-e pi_cluster_lab=true`): its hosts are namespaces of this machine, so they have
 * this machine's architecture; everything else is checked as on a Pi.
 */
export const LAB_POLICY: PreflightPolicy = { ...DEFAULT_POLICY, arch: [...new Set(['aarch64', unameArch()])] };

/** What the earlier layers did: some checks only make sense after them. */
export interface LayersDone {
  prepare: boolean;
  disk: boolean;
  node: boolean;
}

/** The facts of one host as preflight reads them: the interface of network.interface, the clock against ours. */
export function preflightFacts(host: string, output: string, localMidSeconds: number, interfaceName = 'eth0'): HostFacts {
  return { host, ...parseFacts(output, { localMidSeconds, interface: interfaceName }) };
}

const GiB = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** What the user asked for (--kube-version / kubernetes.version), and the day to judge end of life on. */
export interface VersionRequest {
  kubeVersion?: string;
  today?: Date;
}

/**
 * Alpine carries one Kubernetes minor per branch (kubernetes_releases.yml): a version it does not
 * carry is refused before any layer runs; a minor at or near its end of life is a warning.
 */
function checkKubernetesVersion(
  f: HostFacts,
  versions: VersionRequest,
  add: (host: string, severity: Finding['severity'], problem: string, fix: string) => void,
): void {
  let minor = f.kubeletVersion ? kubeMinor(f.kubeletVersion) : undefined;
  if (f.alpineRelease) {
    const carried = kubeMinorOfAlpine(f.alpineRelease);
    if (!carried) {
      add(
        f.host,
        'fail',
        `runs Alpine ${f.alpineRelease}, whose Kubernetes pi-cluster does not know`,
        `flash a release pi-cluster knows: Alpine ${Object.keys(kubernetesReleases().alpine).join(', ')}`,
      );
      return;
    }
    if (versions.kubeVersion && kubeMinor(versions.kubeVersion) !== carried) {
      const others = alpineBranchesWith(kubeMinor(versions.kubeVersion));
      add(
        f.host,
        'fail',
        `runs Alpine ${f.alpineRelease}, which carries Kubernetes ${carried}, not ${versions.kubeVersion}`,
        others.length
          ? `flash Alpine ${others[0]} (it carries ${kubeMinor(versions.kubeVersion)}), or use --kube-version ${carried}.x`
          : `no Alpine release carries ${kubeMinor(versions.kubeVersion)}: use --kube-version ${carried}.x (or leave it out)`,
      );
      return;
    }
    minor ??= carried;
  }
  minor ??= versions.kubeVersion ? kubeMinor(versions.kubeVersion) : undefined;
  const notice = minor ? supportNotice(minor, versions.today ?? new Date()) : undefined;
  if (notice) add(f.host, notice.severity, notice.problem, notice.fix);
}

/** The label 20-disk gives partition 2's file system (ansible/roles/sysdisk/defaults/main.yml, sysdisk_label). */
export const SYSTEM_PARTITION_LABEL = 'pi-cluster-root';

/**
 * Room for the system on a diskless Pi's card: the free space after partition 1, or a partition 2
 * that 20-disk made on an earlier run (blank or labelled by it), which the layer takes up again.
 */
function checkSystemPartitionSpace(
  f: HostFacts,
  policy: PreflightPolicy,
  add: (host: string, severity: Finding['severity'], problem: string, fix: string) => void,
): void {
  const p2 = f.cardSystemPartition;
  if (p2) {
    if (p2.fstype && p2.label !== SYSTEM_PARTITION_LABEL) {
      add(
        f.host,
        'fail',
        `partition 2 of the card holds a ${p2.fstype} file system labelled '${p2.label || 'none'}', not one 20-disk made`,
        'copy off what you need, then flash the card again with pi-cluster flash (or wipefs -a /dev/mmcblk0p2 on the Pi)',
      );
    } else if (p2.bytes < policy.minSystemBytes) {
      add(
        f.host,
        'fail',
        `partition 2 of the card has only ${GiB(p2.bytes)} (${GiB(policy.minSystemBytes)} needed)`,
        'use a bigger card (8 GB or more) and flash it again',
      );
    }
    return;
  }
  if (f.cardFreeBytes !== undefined && f.cardFreeBytes < policy.minSystemBytes) {
    add(
      f.host,
      'fail',
      `only ${GiB(f.cardFreeBytes)} free on the card for the system partition (${GiB(policy.minSystemBytes)} needed)`,
      'use a bigger card (8 GB or more) and flash it again',
    );
  }
}

/** Judges the facts of all hosts (pure). Every finding names the host, the problem and the fix. */
export function evaluateFacts(
  facts: HostFacts[],
  inventory: InventoryHost[],
  done: LayersDone,
  policy: PreflightPolicy = DEFAULT_POLICY,
  versions: VersionRequest = {},
): Finding[] {
  const findings: Finding[] = [];
  const add = (host: string, severity: Finding['severity'], problem: string, fix: string) =>
    findings.push({ host, severity, problem, fix });
  for (const f of facts) checkKubernetesVersion(f, versions, add);
  for (const f of facts) {
    const arch = f.arch ?? '';
    if (!policy.arch.includes(arch)) {
      if (/^armv[67]/.test(arch))
        add(
          f.host,
          'warn',
          `32-bit ${arch}: some images (and Kubernetes releases) ship no armv7 build`,
          'use the 64-bit (aarch64) Alpine or Raspberry Pi OS on a Pi 3/4/5',
        );
      else
        add(
          f.host,
          'fail',
          `architecture ${arch || 'unknown'}, expected ${policy.arch.join(' or ')}`,
          'flash the aarch64 image for this Pi',
        );
    }
    const mem = f.memTotalBytes ?? 0;
    const skew = f.skewSeconds ?? 0;
    const rootAvail = f.rootAvailBytes ?? 0;
    if (mem < policy.minMemoryBytes)
      add(f.host, 'fail', `only ${GiB(mem)} of memory; kubeadm needs at least 1 GiB`, 'use a Pi with 1 GiB or more');
    else if (mem < policy.warnMemoryBytes)
      add(
        f.host,
        'warn',
        `${GiB(mem)} of memory: tight for a node (2 GiB or more recommended)`,
        'fine for a worker with few pods; prefer a bigger Pi as the master',
      );
    if (Math.abs(skew) > policy.maxSkewSeconds) {
      add(
        f.host,
        done.prepare ? 'fail' : 'warn',
        `clock is ${Math.round(skew)} s off this machine's`,
        done.prepare
          ? "check that chronyd runs and reaches a time server (rc-service chronyd status), and that this machine's clock is right"
          : "layer 10-prepare sets up time sync; check this machine's clock too",
      );
    }
    const diskless = f.rootFstype === 'tmpfs' || f.rootFstype === 'rootfs';
    if (diskless) checkSystemPartitionSpace(f, policy, add);
    if (!diskless && rootAvail < policy.minSystemBytes / 2) {
      add(f.host, 'fail', `only ${GiB(rootAvail)} free on /`, 'free space on the card or use a bigger one (images need a few GiB)');
    }
    if (done.disk && f.memoryCgroup === false) {
      add(
        f.host,
        done.node ? 'fail' : 'warn',
        'the memory cgroup is off in the running kernel (kubelet will not start)',
        'cmdline.txt needs cgroup_enable=memory cgroup_memory=1 and no cgroup_disable=memory; layer 30-node writes it and reboots; if it persists, update the Pi firmware/kernel',
      );
    }
  }
  const byName = new Map(inventory.map((h) => [h.name, h]));
  // The Pi's own ways to fail (power, heat, 16K pages, a master's card too slow for etcd): warnings here, as
  // `pi-cluster status` shows them; none of them stops kubeadm, all of them bite later.
  for (const f of facts) {
    const master = byName.get(f.host)?.role === 'masters';
    for (const finding of piChecks(f.host, f, { master })) findings.push({ ...finding, severity: 'warn' });
  }
  for (const f of facts) {
    const expected = byName.get(f.host);
    if (expected && f.hostname && f.hostname !== f.host) {
      add(
        f.host,
        'warn',
        `calls itself ${f.hostname}, not ${f.host} (${expected.address})`,
        'check the address in pi-hosts; kubeadm uses the inventory name as the node name',
      );
    }
  }
  for (const [value, hosts] of groupBy(facts, (f) => f.hostname)) {
    if (value && hosts.length > 1) {
      for (const f of hosts)
        add(
          f.host,
          'fail',
          `hostname ${value} is used by ${hosts.map((h) => h.host).join(' and ')}`,
          'give every Pi its own hostname (flash with --hostnames) and run `pi-cluster discover` again',
        );
    }
  }
  for (const [value, hosts] of groupBy(facts, (f) => f.mac ?? '')) {
    if (value && hosts.length > 1) {
      for (const f of hosts)
        add(
          f.host,
          'fail',
          `MAC address ${value} is shared with ${hosts
            .filter((h) => h !== f)
            .map((h) => h.host)
            .join(', ')}`,
          'two inventory lines point at one Pi, or a cloned network setting: fix pi-hosts',
        );
    }
  }
  return findings;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

export interface PreflightOptions {
  hosts: InventoryHost[];
  privateKeyPath: string;
  knownHostsPath: string;
  done: LayersDone;
  interfaceName: string;
  policy?: PreflightPolicy;
  /** --kube-version or kubernetes.version, checked against what each Alpine host carries. */
  kubeVersion?: string;
  /** Hosts checked at once (all by default). */
  parallel?: number;
  connectTimeoutMs?: number;
}

export interface PreflightResult {
  facts: HostFacts[];
  findings: Finding[];
  ms: number;
}

/** Connects to every host in parallel (strict host keys), reads the facts, judges them. */
export async function runPreflight(options: PreflightOptions): Promise<PreflightResult> {
  const t0 = Date.now();
  const key: PrivateKey = await loadPrivateKey(options.privateKeyPath);
  const knownHosts = await KnownHosts.load(options.knownHostsPath);
  const findings: Finding[] = [];
  const results = await mapBounded(options.hosts, options.parallel ?? options.hosts.length, (host) =>
    withSession(
      { name: host.name, address: host.address },
      { key, knownHosts, hostKeys: 'strict', connectTimeoutMs: options.connectTimeoutMs ?? 8000 },
      async (session) => {
        const before = Date.now();
        const result = await session.run(factsScript(PREFLIGHT_PROBES), { timeoutMs: 15_000 });
        return preflightFacts(host.name, result.stdout, (before + Date.now()) / 2000, options.interfaceName);
      },
    ),
  );
  const facts: HostFacts[] = [];
  results.forEach((result, index) => {
    const host = options.hosts[index];
    if (result.status === 'fulfilled') facts.push(result.value);
    else findings.push(connectionFinding(host, result.reason));
  });
  findings.push(...evaluateFacts(facts, options.hosts, options.done, options.policy, { kubeVersion: options.kubeVersion }));
  return { facts, findings, ms: Date.now() - t0 };
}

export function connectionFinding(host: InventoryHost, error: unknown): Finding {
  if (error instanceof SshError) {
    const what: Record<string, string> = {
      unreachable: `not reachable at ${host.address} (is it powered and booted?)`,
      timeout: `no SSH answer from ${host.address} in time (stopped, or still booting)`,
      auth: 'refused the SSH key',
      'host-key-unknown': 'its host key is not in .pi-cluster/known_hosts',
      'host-key-changed': 'its host key does not match .pi-cluster/known_hosts: refusing to connect',
    };
    return {
      host: host.name,
      severity: 'fail',
      problem: what[error.reason] ?? error.message,
      fix: error.hint ?? 'check the Pi and run `pi-cluster discover` again',
    };
  }
  return {
    host: host.name,
    severity: 'fail',
    problem: error instanceof Error ? error.message : String(error),
    fix: 'check the Pi and the network',
  };
}
