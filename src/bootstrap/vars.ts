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
    pi_cluster_state_dir: input.stateDir,
    ...input.extra,
  };
}
