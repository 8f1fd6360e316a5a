import { execa } from 'execa';

export interface ClusterCheck {
  ok: boolean;
  title: string;
  detail: string;
}

interface NodeList {
  items: Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }>;
}
interface PodList {
  items: Array<{ metadata: { name: string }; status?: { phase?: string } }>;
}

/** Checks the new cluster with kubectl and the fetched kubeconfig: API up, nodes registered, control plane running. */
export async function validateCluster(kubeconfig: string, expectedNodes: string[], kubectl = 'kubectl'): Promise<ClusterCheck[]> {
  const run = (args: string[]) => execa(kubectl, ['--kubeconfig', kubeconfig, '--request-timeout=10s', ...args], { reject: false });
  const checks: ClusterCheck[] = [];
  const ready = await run(['get', '--raw', '/readyz']);
  checks.push({
    ok: ready.exitCode === 0,
    title: 'API server reachable',
    detail: ready.exitCode === 0 ? 'readyz: ok' : String(ready.stderr).trim(),
  });
  if (ready.exitCode !== 0) return checks;

  const nodes = await run(['get', 'nodes', '-o', 'json']);
  const list = nodes.exitCode === 0 ? (JSON.parse(String(nodes.stdout)) as NodeList) : { items: [] };
  const names = list.items.map((n) => n.metadata.name);
  const missing = expectedNodes.filter((n) => !names.includes(n));
  checks.push({
    ok: missing.length === 0,
    title: 'all nodes registered',
    detail: missing.length ? `missing: ${missing.join(', ')}` : names.join(', '),
  });
  const notReady = list.items
    .filter((n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True')
    .map((n) => n.metadata.name);
  checks.push({
    ok: true,
    title: 'nodes Ready',
    detail: notReady.length
      ? `not Ready yet: ${notReady.join(', ')} (normal until \`make apply\` installs the pod network, flannel)`
      : 'all Ready',
  });

  const pods = await run(['get', 'pods', '-n', 'kube-system', '-l', 'tier=control-plane', '-o', 'json']);
  const podList = pods.exitCode === 0 ? (JSON.parse(String(pods.stdout)) as PodList) : { items: [] };
  const components = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
  const notRunning = components.filter(
    (c) => !podList.items.some((p) => p.metadata.name.startsWith(`${c}-`) && p.status?.phase === 'Running'),
  );
  checks.push({
    ok: notRunning.length === 0,
    title: 'control-plane pods running',
    detail: notRunning.length ? `not running: ${notRunning.join(', ')}` : components.join(', '),
  });
  return checks;
}
