/** The Ansible layers, in order. Each is one playbook in ansible/playbooks/. */
export interface Layer {
  id: string;
  title: string;
  playbook: string;
  /**
   * Which hosts the layer's play works on, for a run after only hosts were added (see planLayers):
   * `each` (absent) runs on the new hosts alone; `workers` on the new workers; `first-master` is done when the
   * first master is (the new hosts need nothing from it); `via-first-master` runs on the first master, which
   * does the layer's work for the new hosts (labels); `inventory` checks the whole inventory on this machine
   * (no host contacted), so it runs as a whole.
   */
  scope?: 'each' | 'workers' | 'first-master' | 'via-first-master' | 'inventory';
  /** A playbook every host that was done already runs when hosts were added: what they must learn of the new ones. */
  everyHost?: { playbook: string; what: string };
}

export const LAYERS: readonly Layer[] = [
  { id: '00-preflight', title: 'check inventory and settings', playbook: '00-preflight.yml', scope: 'inventory' },
  { id: '10-prepare', title: 'python, package repositories, time sync', playbook: '10-prepare.yml' },
  { id: '20-disk', title: 'system partition on the card', playbook: '20-disk.yml' },
  {
    id: '30-node',
    title: 'kernel settings, containerd, kubelet',
    playbook: '30-node.yml',
    everyHost: { playbook: 'node-hosts.yml', what: '/etc/hosts' },
  },
  { id: '40-control-plane', title: 'kubeadm init, kubeconfig', playbook: '40-control-plane.yml', scope: 'first-master' },
  { id: '50-workers', title: 'join the workers', playbook: '50-workers.yml', scope: 'workers' },
  { id: '60-post', title: 'labels, taint, helm', playbook: '60-post.yml', scope: 'via-first-master' },
];

export const RESET_PLAYBOOK = '90-reset.yml';

/** Finds a layer by id or its number ("30", "30-node", "node"). */
export function findLayer(name: string): Layer | undefined {
  const wanted = name.trim().toLowerCase();
  return LAYERS.find((layer) => layer.id === wanted || layer.id.slice(0, 2) === wanted || layer.id.slice(3) === wanted);
}
