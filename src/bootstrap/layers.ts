/** The Ansible layers, in order. Each is one playbook in ansible/playbooks/. */
export interface Layer {
  id: string;
  title: string;
  playbook: string;
}

export const LAYERS: readonly Layer[] = [
  { id: '00-preflight', title: 'check inventory and settings', playbook: '00-preflight.yml' },
  { id: '10-prepare', title: 'python, package repositories, time sync', playbook: '10-prepare.yml' },
  { id: '20-disk', title: 'system partition on the card', playbook: '20-disk.yml' },
  { id: '30-node', title: 'kernel settings, containerd, kubelet', playbook: '30-node.yml' },
  { id: '40-control-plane', title: 'kubeadm init, kubeconfig', playbook: '40-control-plane.yml' },
  { id: '50-workers', title: 'join the workers', playbook: '50-workers.yml' },
  { id: '60-post', title: 'labels, taint, helm', playbook: '60-post.yml' },
];

export const RESET_PLAYBOOK = '90-reset.yml';

/** Finds a layer by id or its number ("30", "30-node", "node"). */
export function findLayer(name: string): Layer | undefined {
  const wanted = name.trim().toLowerCase();
  return LAYERS.find((layer) => layer.id === wanted || layer.id.slice(0, 2) === wanted || layer.id.slice(3) === wanted);
}
