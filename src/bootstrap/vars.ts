import type { ClusterConfig } from '../config/schema.js';

export interface VarsInput {
  config: ClusterConfig;
  stateDir: string;
  /** --kube-version overrides kubernetes.version. */
  kubeVersion?: string;
  /** Extra variables on top (tests and the lab: pi_cluster_lab, ...). */
  extra?: Record<string, unknown>;
}

/** pi-cluster.yaml -> the pi_cluster_* variables of ansible/playbooks/group_vars/all/pi_cluster.yml. */
export function extraVars(input: VarsInput): Record<string, unknown> {
  const { config } = input;
  return {
    pi_cluster_name: config.cluster.name,
    pi_cluster_interface: config.network.interface,
    pi_cluster_kube_version: input.kubeVersion ?? config.kubernetes.version ?? '',
    pi_cluster_pod_cidr: config.kubernetes.podCidr,
    pi_cluster_service_cidr: config.kubernetes.serviceCidr,
    pi_cluster_control_plane_endpoint: config.kubernetes.controlPlaneEndpoint ?? '',
    pi_cluster_untaint_master: config.kubernetes.untaintMaster,
    pi_cluster_alpine_mirror: config.alpine.mirror,
    pi_cluster_nfs_mounts: nfsMounts(config),
    pi_cluster_certs_auto_renew: config.certs.autoRenew,
    pi_cluster_state_dir: input.stateDir,
    ...input.extra,
  };
}

/** An entry of pi_cluster_nfs_mounts: the fields of ansible.posix.mount (the nfs_client role's input). */
export interface NfsMountVar {
  /** server:/exported/path (an IPv6 server in brackets). */
  src: string;
  /** The mount point on the node. */
  path: string;
  opts: string;
}

/** nfs.server + nfs.mounts -> pi_cluster_nfs_mounts (the schema makes sure a server is set when mounts are). */
export function nfsMounts(config: ClusterConfig): NfsMountVar[] {
  const server = config.nfs.server?.trim() ?? '';
  const host = server.includes(':') && !server.startsWith('[') ? `[${server}]` : server;
  return config.nfs.mounts.map((mount) => ({ src: `${host}:${mount.path}`, path: mount.mountPoint, opts: mount.options }));
}
