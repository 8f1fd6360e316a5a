/**
 * `pi-cluster patch`: operating system updates, one node at a time (ansible/playbooks/patch.yml, role patch).
 * The steps below say what that playbook runs on each host, for --dry-run.
 */
import type { ClusterInventory } from '../inventory/cluster.js';
import { drainStep, readyUncordonSteps } from './drain-steps.js';
import { rollingOrder } from './order.js';
import type { RollingPlan, RollingStep } from './runner.js';

export function patchPlan(inventory: Pick<ClusterInventory, 'masters' | 'workers'>): RollingPlan {
  const master = inventory.masters[0]!.name;
  return {
    command: 'patch',
    inputs: {},
    hosts: rollingOrder(inventory),
    playbook: 'patch.yml',
    restartWhenComplete: true,
    steps: (host) => [
      {
        title: 'check the package manager (before the drain)',
        commands: ['Alpine: apk upgrade --simulate --no-network', 'Debian family: apt-get check'],
      },
      drainStep(host.name, master),
      ...patchUpgradeSteps(),
      ...readyUncordonSteps(host.name, master),
      { title: 'record the time of the patch', commands: ['/var/lib/pi-cluster/last-patch'] },
    ],
  };
}

function patchUpgradeSteps(): RollingStep[] {
  return [
    {
      title: 'upgrade the packages (not kubelet/kubeadm/kubectl: `pi-cluster upgrade` moves those)',
      commands: [
        'Alpine: apk update; apk upgrade --ignore kubelet kubeadm kubectl',
        'Debian family: apt-get update; DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade (kubelet/kubeadm/kubectl stay held)',
        'no downloads (lab): apt-get --simulate dist-upgrade',
      ],
    },
    {
      title: 'reboot if the running kernel is not the newest installed, wait for SSH',
      commands: [
        'Alpine: uname -r against `apk list --installed linux-rpi`',
        'any: /lib/modules/$(uname -r) gone; Debian family: /var/run/reboot-required',
        'reboot (skipped on the lab)',
      ],
    },
  ];
}
