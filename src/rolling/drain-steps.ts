/**
 * What the shared drain tasks (ansible/roles/drain) run, for --dry-run: kubectl on the first master with
 * kubeadm's admin kubeconfig. The flags are the role's (tasks/drain.yml, tasks/uncordon.yml).
 */
import type { RollingStep } from './runner.js';

const KUBECTL = 'kubectl --kubeconfig /etc/kubernetes/admin.conf';

export function drainStep(node: string, master: string): RollingStep {
  return {
    title: `drain ${node}`,
    on: master,
    kubernetes: true,
    commands: [`${KUBECTL} drain ${node} --ignore-daemonsets --delete-emptydir-data --timeout=300s`],
  };
}

export function readyUncordonSteps(node: string, master: string): RollingStep[] {
  return [
    {
      title: `wait for ${node} to be Ready`,
      on: master,
      kubernetes: true,
      commands: [`${KUBECTL} wait --for=condition=Ready node/${node} --timeout=30s (retried up to 600 s)`],
    },
    { title: `uncordon ${node}`, on: master, kubernetes: true, commands: [`${KUBECTL} uncordon ${node}`] },
  ];
}
