/**
 * Kubernetes versions: which minor each Alpine branch carries and when each minor reaches its end of
 * life. The table itself is data, in ansible/playbooks/group_vars/all/kubernetes_releases.yml, where
 * the Ansible layers read it too; this module reads and checks it once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { packageRoot } from '../paths.js';
import { compareVersions } from '../versions.js';

const minor = z.string().regex(/^1\.\d+$/);
const tableSchema = z.strictObject({
  default_minor: minor,
  alpine: z.record(z.string().regex(/^3\.\d+$/), minor),
  end_of_life: z.record(minor, z.iso.date()),
});

export type KubernetesReleases = z.infer<typeof tableSchema>;

export function releasesTablePath(): string {
  return join(packageRoot(), 'ansible', 'playbooks', 'group_vars', 'all', 'kubernetes_releases.yml');
}

let cached: KubernetesReleases | undefined;

export function kubernetesReleases(): KubernetesReleases {
  if (!cached) {
    const raw = parseYaml(readFileSync(releasesTablePath(), 'utf8')) as { pi_cluster_kubernetes_releases?: unknown };
    cached = tableSchema.parse(raw.pi_cluster_kubernetes_releases);
  }
  return cached;
}

/** "3.24.2" or "3.24" -> "3.24". */
export function alpineBranch(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** "1.36.1" or "1.36" -> "1.36". */
export function kubeMinor(version: string): string {
  return version.replace(/^v/, '').split('.').slice(0, 2).join('.');
}

/** The Kubernetes minor an Alpine release carries; undefined for a branch the table does not list. */
export function kubeMinorOfAlpine(alpineVersion: string, table = kubernetesReleases()): string | undefined {
  return table.alpine[alpineBranch(alpineVersion)];
}

/** Alpine branches that carry a Kubernetes minor, newest first. */
export function alpineBranchesWith(kubeMinorVersion: string, table = kubernetesReleases()): string[] {
  return Object.entries(table.alpine)
    .filter(([, m]) => m === kubeMinorVersion)
    .map(([branch]) => branch)
    .sort(compareVersions)
    .reverse();
}

/** The oldest Alpine branch pi-cluster supports (its kubeadm reads the v1beta4 config). */
export function oldestAlpineBranch(table = kubernetesReleases()): string {
  return Object.keys(table.alpine).sort(compareVersions)[0]!;
}

export interface SupportNotice {
  severity: 'fail' | 'warn';
  problem: string;
  fix: string;
}

/** Days before a minor's end of life from which pi-cluster warns. */
export const EOL_WARNING_DAYS = 60;

/**
 * Whether a Kubernetes minor is past its end of life or within EOL_WARNING_DAYS of it, with the
 * upgrade to take (the newest minor an Alpine branch carries that is supported for longer).
 * `severity` is warn: a cluster that runs keeps running; the user decides when to upgrade.
 */
export function supportNotice(kubeVersion: string, today: Date, table = kubernetesReleases()): SupportNotice | undefined {
  const m = kubeMinor(kubeVersion);
  const eol = table.end_of_life[m];
  if (!eol) return undefined;
  const days = Math.floor((Date.parse(`${eol}T00:00:00Z`) - today.getTime()) / 86_400_000);
  if (days > EOL_WARNING_DAYS) return undefined;
  const fix = upgradeAdvice(m, today, table);
  if (days < 0) return { severity: 'warn', problem: `Kubernetes ${m} reached its end of life on ${eol}: no more security fixes`, fix };
  return { severity: 'warn', problem: `Kubernetes ${m} reaches its end of life on ${eol} (in ${days} day${days === 1 ? '' : 's'})`, fix };
}

function upgradeAdvice(current: string, today: Date, table: KubernetesReleases): string {
  const supported = Object.entries(table.alpine)
    .filter(([, m]) => compareVersions(m, current) > 0 && Date.parse(`${table.end_of_life[m] ?? '1970-01-01'}T00:00:00Z`) > today.getTime())
    .sort(([a], [b]) => compareVersions(b, a));
  const [branch, m] = supported[0] ?? [];
  if (!branch || !m) return 'upgrade to a supported Kubernetes minor (kubernetes.io/releases)';
  return `upgrade to Kubernetes ${m} (Alpine ${branch}: alpine.version in pi-cluster.yaml; kubeadm upgrades one minor at a time)`;
}
