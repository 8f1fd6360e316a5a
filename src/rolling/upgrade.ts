/**
 * `pi-cluster upgrade --to X.Y.Z`: the Kubernetes upgrade in kubeadm's order (ansible/playbooks/upgrade.yml,
 * role upgrade): the first master (`kubeadm upgrade plan`, `apply`), the other masters and then the workers
 * (`kubeadm upgrade node`), one at a time. The steps below say what that playbook runs, for --dry-run.
 */
import type { ClusterHost, ClusterInventory } from '../inventory/cluster.js';
import { drainStep, readyUncordonSteps } from './drain-steps.js';
import { rollingOrder } from './order.js';
import type { RollingPlan, RollingStep } from './runner.js';
import type { UpgradeTarget } from './upgrade-target.js';

export function upgradePlan(inventory: Pick<ClusterInventory, 'masters' | 'workers'>, target: UpgradeTarget): RollingPlan {
  const master = inventory.masters[0]!.name;
  const vars = { upgrade_version: target.to, upgrade_alpine_branch: target.alpineBranch ?? '' };
  return {
    command: 'upgrade',
    inputs: { to: target.to },
    hosts: rollingOrder(inventory),
    playbook: 'upgrade.yml',
    hostVars: () => vars,
    steps: (host) => [
      repositoriesStep(target),
      drainStep(host.name, master),
      ...packageSteps(target, host, master),
      ...readyUncordonSteps(host.name, master),
    ],
  };
}

function repositoriesStep(target: UpgradeTarget): RollingStep {
  return target.alpineBranch
    ? {
        title: `point /etc/apk/repositories at Alpine ${target.alpineBranch} (it carries Kubernetes ${target.minor})`,
        commands: [
          `the release lines .../vX.Y/main and .../vX.Y/community -> .../v${target.alpineBranch}/main, .../v${target.alpineBranch}/community`,
        ],
      }
    : {
        title: `the pkgs.k8s.io repository of ${target.minor}`,
        commands: [
          `/etc/apt/sources.list.d/kubernetes.list: deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.asc] ${target.aptRepository} /`,
        ],
      };
}

function kubeadmSteps(target: UpgradeTarget, first: boolean): RollingStep[] {
  const check: RollingStep = { title: `check kubeadm is ${target.to}`, kubernetes: true, commands: ['kubeadm version -o short'] };
  return first
    ? [
        check,
        { title: 'check the upgrade can go', kubernetes: true, commands: [`kubeadm upgrade plan v${target.to}`] },
        { title: 'upgrade the control plane', kubernetes: true, commands: [`kubeadm upgrade apply v${target.to} --yes`] },
      ]
    : [
        check,
        { title: 'upgrade this node (control plane or kubelet configuration)', kubernetes: true, commands: ['kubeadm upgrade node'] },
      ];
}

function packageSteps(target: UpgradeTarget, host: ClusterHost, master: string): RollingStep[] {
  const first = host.name === master;
  if (target.alpineBranch) {
    return [
      {
        title: `upgrade Alpine to ${target.alpineBranch} (its release upgrade) and pin Kubernetes to ${target.minor}`,
        commands: [
          'apk update',
          'apk add --upgrade apk-tools',
          'apk upgrade --available',
          `apk add kubelet=~${target.minor} kubeadm=~${target.minor} kubectl=~${target.minor}`,
        ],
      },
      ...kubeadmSteps(target, first),
      {
        title: 'reboot if the kernel changed (else restart the kubelet)',
        kubernetes: true,
        commands: ['uname -r against `apk list --installed linux-rpi`; reboot', 'rc-service kubelet restart'],
      },
    ];
  }
  const pin = (names: string[]) =>
    `apt-get install -y --allow-change-held-packages ${names.map((n) => `${n}=${target.to}-*`).join(' ')}; apt-mark hold ${names.join(' ')}`;
  return [
    { title: `install kubeadm ${target.to}`, commands: ['apt-get update', pin(['kubeadm'])] },
    ...kubeadmSteps(target, first),
    { title: `install kubelet and kubectl ${target.to}`, commands: [pin(['kubelet', 'kubectl'])] },
    {
      title: 'restart the kubelet',
      kubernetes: true,
      commands: ['systemctl daemon-reload; systemctl restart kubelet (OpenRC: rc-service kubelet restart)'],
    },
  ];
}
