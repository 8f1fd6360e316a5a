import type { EtcdMember } from './quorum.js';

/**
 * etcdctl run inside the etcd static pod of a master (kubeadm's layout: the pod `etcd-<node>` in kube-system
 * mounts /etc/kubernetes/pki/etcd), with kubeadm's etcd client certificate for health checks, through the
 * master's own kubectl and admin.conf.
 */
export const KUBECTL = 'kubectl --kubeconfig /etc/kubernetes/admin.conf';

export function etcdctl(podNode: string, args: string): string {
  return (
    `${KUBECTL} -n kube-system exec etcd-${podNode} -- etcdctl --endpoints=https://127.0.0.1:2379 ` +
    '--cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt ' +
    `--key=/etc/kubernetes/pki/etcd/healthcheck-client.key ${args}`
  );
}

/**
 * `etcdctl member list -w simple` (etcdctl/ctlv3/command/printer.go makeMemberListTable): one member per line,
 * "ID, Status, Name, Peer Addrs, Client Addrs, Is Learner", the ID in hex, addresses joined by ",".
 */
export function parseMemberList(text: string): Array<Omit<EtcdMember, 'healthy'> & { clientUrls: string[] }> {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [id, , name, , clients, learner] = line.split(', ');
      return { id, name: name ?? '', clientUrls: (clients ?? '').split(',').filter(Boolean), isLearner: learner === 'true' };
    })
    .filter((m) => /^[0-9a-f]+$/.test(m.id));
}

/**
 * `etcdctl endpoint health --cluster -w simple` with stderr joined: "<url> is healthy: ..." on stdout, "<url> is
 * unhealthy: ..." on stderr. A member with no "is healthy" line for any of its client URLs counts as down.
 */
export function membersWithHealth(memberList: string, health: string): EtcdMember[] {
  const healthy = new Set(
    health
      .split('\n')
      .map((line) => /^(\S+) is healthy:/.exec(line.trim())?.[1])
      .filter((url): url is string => Boolean(url)),
  );
  return parseMemberList(memberList).map((m) => ({
    name: m.name,
    id: m.id,
    isLearner: m.isLearner,
    healthy: m.clientUrls.some((url) => healthy.has(url)),
  }));
}
