/**
 * The cluster's Kubernetes version and the first master's distribution, read on the first master over the
 * project's SSH (strict host keys): kubeadm's own version (kubelet's when kubeadm is missing), /etc/os-release.
 */
import { UserError } from '../errors.js';
import type { ClusterHost } from '../inventory/cluster.js';
import { KnownHosts, loadPrivateKey, withSession } from '../remote/index.js';
import type { ClusterVersion } from './upgrade-target.js';

export const VERSION_PROBE =
  '. /etc/os-release; echo "os=$ID"; echo "os_version=$VERSION_ID"; echo "kubeadm=$(kubeadm version -o short 2>/dev/null)"; echo "kubelet=$(kubelet --version 2>/dev/null)"';

/** The probe's output -> the version; undefined when neither kubeadm nor kubelet answered. */
export function parseVersionProbe(output: string): ClusterVersion | undefined {
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(output)?.[1]?.trim() ?? '';
  const kube = /v?(\d+\.\d+\.\d+)/.exec(field('kubeadm'))?.[1] ?? /v(\d+\.\d+\.\d+)/.exec(field('kubelet'))?.[1];
  if (!kube) return undefined;
  return { kube, os: field('os') === 'alpine' ? 'alpine' : 'debian', osVersion: field('os_version') };
}

export async function readClusterVersion(master: ClusterHost, privateKeyPath: string, knownHostsPath: string): Promise<ClusterVersion> {
  const [key, knownHosts] = await Promise.all([loadPrivateKey(privateKeyPath), KnownHosts.load(knownHostsPath)]);
  const result = await withSession({ name: master.name, address: master.address }, { key, knownHosts, hostKeys: 'strict' }, (session) =>
    session.run(VERSION_PROBE),
  );
  const version = parseVersionProbe(result.stdout);
  if (!version)
    throw new UserError(`${master.name}: no kubeadm or kubelet answers with a version`, {
      hint: 'is the cluster bootstrapped? (`pi-cluster bootstrap`, then `pi-cluster status`)',
    });
  return version;
}
