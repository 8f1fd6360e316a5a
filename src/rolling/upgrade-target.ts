/**
 * Which Kubernetes upgrades kubeadm can take from the cluster's version: one minor at a time (or a newer
 * patch of the same minor), never back. On Alpine the version comes with the Alpine branch
 * (kubernetes_releases.yml): the target minor must be one a supported branch carries, and the branch must
 * not be older than the node's. Debian family: pkgs.k8s.io has one repository per minor.
 */
import { alpineBranch, alpineBranchesWith, kubeMinor, kubernetesReleases, type KubernetesReleases } from '../config/kubernetes-releases.js';
import { UserError } from '../errors.js';
import { compareVersions } from '../versions.js';

export interface ClusterVersion {
  /** The Kubernetes version on the first master (kubeadm's), e.g. 1.34.2. */
  kube: string;
  /** The first master's distribution: Alpine, or anything else (the Debian family path). */
  os: 'alpine' | 'debian';
  /** Alpine's release (3.23.2) or the distribution's VERSION_ID. */
  osVersion: string;
}

export interface UpgradeTarget {
  from: string;
  to: string;
  minor: string;
  /** Alpine: the branch whose repositories carry the target minor. */
  alpineBranch?: string;
  /** Debian family: the pkgs.k8s.io repository of the target minor. */
  aptRepository?: string;
}

const EXACT = /^\d+\.\d+\.\d+$/;
const minorNumber = (minor: string): number => Number(minor.split('.')[1]);
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six'];

export function upgradeTarget(current: ClusterVersion, to: string, table: KubernetesReleases = kubernetesReleases()): UpgradeTarget {
  const from = current.kube.replace(/^v/, '');
  const target = to.replace(/^v/, '');
  if (!EXACT.test(target))
    throw new UserError(`--to ${to}: expected an exact version like 1.35.2`, { hint: 'kubeadm upgrades to one release' });
  if (!EXACT.test(from))
    throw new UserError(`the cluster's version "${current.kube}" is not a Kubernetes version`, {
      hint: 'check `kubeadm version -o short` on the first master',
    });
  const [fromMinor, toMinor] = [kubeMinor(from), kubeMinor(target)];
  if (compareVersions(target, from) < 0)
    throw new UserError(`${from} -> ${target} is a downgrade: kubeadm upgrades only forward`, {
      hint: `pick ${from} or newer (the cluster runs ${from})`,
    });
  if (target.split('.')[0] !== from.split('.')[0])
    throw new UserError(`${from} -> ${target} changes the major version`, { hint: 'kubeadm does not do that' });
  const jump = minorNumber(toMinor) - minorNumber(fromMinor);
  if (jump > 1) {
    const steps = Array.from({ length: jump }, (_, i) => `1.${minorNumber(fromMinor) + i + 1}`);
    const runs = steps.map((m, i) => `${i === 0 ? 'run upgrade --to' : 'then --to'} ${m}.x${i === 0 && steps.length > 1 ? ' first' : ''}`);
    throw new UserError(`${fromMinor} -> ${toMinor} is ${NUMBER_WORDS[jump] ?? jump} minors: ${runs.join(', ')}`, {
      hint:
        current.os === 'alpine' && steps.some((m) => alpineBranchesWith(m, table).length === 0)
          ? `kubeadm upgrades one minor at a time, and no supported Alpine branch carries ${steps.filter((m) => alpineBranchesWith(m, table).length === 0).join(', ')}: ${possibleOnAlpine(current, table)}`
          : 'kubeadm upgrades one minor at a time (kubernetes.io: "Skipping MINOR versions when upgrading is unsupported")',
    });
  }
  if (current.os === 'debian')
    return { from, to: target, minor: toMinor, aptRepository: `https://pkgs.k8s.io/core:/stable:/v${toMinor}/deb/` };

  const nodeBranch = alpineBranch(current.osVersion);
  const branch = alpineBranchesWith(toMinor, table).find((b) => compareVersions(b, nodeBranch) >= 0);
  if (!branch) {
    const carriers = alpineBranchesWith(toMinor, table);
    throw new UserError(
      carriers.length
        ? `Kubernetes ${toMinor} comes with Alpine ${carriers.join(', ')}, older than the nodes' Alpine ${nodeBranch}: Alpine does not go back`
        : `no supported Alpine branch carries Kubernetes ${toMinor}`,
      { hint: possibleOnAlpine(current, table) },
    );
  }
  return { from, to: target, minor: toMinor, alpineBranch: branch };
}

/** What an Alpine cluster at this version can upgrade to: its minor's newer patches, or the next minor with the branch that carries it. */
export function possibleOnAlpine(current: ClusterVersion, table: KubernetesReleases = kubernetesReleases()): string {
  const fromMinor = kubeMinor(current.kube);
  const next = `1.${minorNumber(fromMinor) + 1}`;
  const nodeBranch = alpineBranch(current.osVersion);
  const options = [fromMinor, next].flatMap((m) => {
    const branch = alpineBranchesWith(m, table).find((b) => compareVersions(b, nodeBranch) >= 0);
    return branch ? [`${m}.x (Alpine ${branch})`] : [];
  });
  const table_ = Object.entries(table.alpine)
    .map(([b, m]) => `${b}: ${m}`)
    .join(', ');
  return `possible from ${kubeMinor(current.kube)} on Alpine ${nodeBranch}: ${options.length ? options.join(' or ') : 'none'} (Alpine branches carry ${table_})`;
}
