/**
 * `pi-cluster upgrade --to X.Y.Z`: reads the cluster's version on the first master, refuses what kubeadm
 * cannot do (a downgrade, more than one minor, on Alpine a minor no supported branch carries), then rolls
 * the upgrade one node at a time (src/rolling/upgrade.ts).
 */
import { readClusterVersion } from '../../rolling/cluster-version.js';
import type { RollingOutcome } from '../../rolling/runner.js';
import { upgradePlan } from '../../rolling/upgrade.js';
import { upgradeTarget, type ClusterVersion } from '../../rolling/upgrade-target.js';
import { rollingCommand, type RollingCommandOptions } from '../rolling.js';

export interface UpgradeCommandOptions extends RollingCommandOptions {
  to: string;
  /** Reads the cluster's version (replaceable in tests); default: over SSH on the first master. */
  readVersion?: (master: Parameters<typeof readClusterVersion>[0], privateKey: string, knownHosts: string) => Promise<ClusterVersion>;
}

export async function upgradeCommand(options: UpgradeCommandOptions): Promise<RollingOutcome> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  return rollingCommand(options, async ({ inventory, privateKey, knownHosts }) => {
    const master = inventory.masters[0]!;
    const current = await (options.readVersion ?? readClusterVersion)(master, privateKey, knownHosts);
    const target = upgradeTarget(current, options.to);
    const where = target.alpineBranch ? `Alpine ${current.osVersion} -> ${target.alpineBranch}` : target.aptRepository;
    write(`${master.name}: Kubernetes ${target.from} -> ${target.to} (${where})\n`);
    return upgradePlan(inventory, target);
  });
}
