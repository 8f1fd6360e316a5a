/**
 * When etcd lets a member go. etcd (server/etcdserver/api/membership/cluster.go, IsReadyToRemoveVotingMember,
 * with --strict-reconfig-check on, its default) counts the voting members other than the one removed and those
 * of them that are started: it refuses unless started >= floor(remaining / 2) + 1. pi-cluster asks before etcd
 * does, with health instead of "started" (a started member that does not answer keeps no quorum either), and
 * refuses to remove the last master outright.
 */
export interface EtcdMember {
  /** etcd's member name: kubeadm names a member after its node (the host name). */
  name: string;
  /** Hex member id as etcdctl prints it. */
  id: string;
  /** Answers `etcdctl endpoint health`. */
  healthy: boolean;
  isLearner?: boolean;
}

export type RemovalVerdict =
  { ok: true; reason: string; member?: EtcdMember } | { ok: false; reason: string; hint: string; member?: EtcdMember };

export function quorumOf(members: number): number {
  return Math.floor(members / 2) + 1;
}

export function memberRemoval(members: readonly EtcdMember[], name: string): RemovalVerdict {
  const member = members.find((m) => m.name === name);
  if (!member) return { ok: true, reason: `${name} is no etcd member (removed already, or never joined)` };
  if (member.isLearner) return { ok: true, reason: `${name} is a learner: no vote to lose`, member };
  const remaining = members.filter((m) => m !== member && !m.isLearner);
  if (remaining.length === 0) {
    return {
      ok: false,
      reason: `${name} is the last etcd member: removing it deletes the cluster`,
      hint: 'use `pi-cluster reset` to take the whole cluster down, or add another master first',
      member,
    };
  }
  const healthy = remaining.filter((m) => m.healthy);
  const needed = quorumOf(remaining.length);
  if (healthy.length < needed) {
    const down = remaining.filter((m) => !m.healthy).map((m) => m.name);
    return {
      ok: false,
      reason: `removing ${name} would lose etcd's quorum: ${healthy.length} of the ${remaining.length} members left would be healthy, ${needed} are needed (down: ${down.join(', ')})`,
      hint: `bring ${down.join(', ')} back first (\`pi-cluster status\`), then remove ${name}`,
      member,
    };
  }
  return { ok: true, reason: `${healthy.length} of the ${remaining.length} members left are healthy (quorum ${needed})`, member };
}
