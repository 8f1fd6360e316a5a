import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabHost } from '../lab/index.js';

/** A pi-hosts inventory for lab hosts: the first is the master. */
export function labInventory(hosts: LabHost[]): string {
  const line = (host: LabHost) => `${host.name} ansible_host=${host.ip}  # lab ${host.mac}`;
  return ['[masters]', line(hosts[0]), '', '[workers]', ...hosts.slice(1).map(line), ''].join('\n');
}

/** A project folder with pi-hosts, as a user's would look after `discover`. */
export function labProject(hosts: LabHost[]): { dir: string; inventory: string; stateDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-ansible-'));
  const inventory = join(dir, 'pi-hosts');
  writeFileSync(inventory, labInventory(hosts));
  return { dir, inventory, stateDir: join(dir, '.pi-cluster') };
}

/** What the lab turns off (hardware, downloads), and where this run's files go. */
export function labVars(stateDir: string): Record<string, unknown> {
  return { pi_cluster_lab: true, pi_cluster_state_dir: stateDir, pi_cluster_user_kubeconfig: join(stateDir, 'user-kubeconfig') };
}

export function sum(
  recap: Record<string, { changed: number; failures: number; unreachable: number }>,
  key: 'changed' | 'failures' | 'unreachable',
): number {
  return Object.values(recap).reduce((total, host) => total + host[key], 0);
}
