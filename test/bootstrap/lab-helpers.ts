import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { LAB_POLICY, type PreflightPolicy } from '../../src/bootstrap/preflight.js';
import type { BootstrapOptions } from '../../src/bootstrap/bootstrap.js';
import type { Lab, LabHost } from '../lab/index.js';

/** The lab hosts are this machine's architecture, not aarch64. */
export const labPolicy: PreflightPolicy = LAB_POLICY;

export interface Project {
  dir: string;
  inventory: string;
  knownHosts: string;
}

/** A user's project after `discover`: pi-hosts and .pi-cluster/known_hosts (copied from the lab's). */
export function makeProject(lab: Lab, hosts: LabHost[]): Project {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-bootstrap-'));
  const line = (h: LabHost) => `${h.name} ansible_host=${h.ip}  # lab ${h.mac}`;
  const inventory = join(dir, 'pi-hosts');
  writeFileSync(inventory, ['[masters]', line(hosts[0]), '', '[workers]', ...hosts.slice(1).map(line), ''].join('\n'));
  mkdirSync(join(dir, '.pi-cluster'), { mode: 0o700 });
  const knownHosts = join(dir, '.pi-cluster', 'known_hosts');
  copyFileSync(lab.knownHostsPath, knownHosts);
  return { dir, inventory, knownHosts };
}

/** Options of a lab bootstrap (everything up to 30-node: the lab has no kubeadm). */
export function labBootstrapOptions(lab: Lab, project: Project, over: Partial<BootstrapOptions> = {}): BootstrapOptions {
  return {
    config: configSchema.parse({}),
    cwd: project.dir,
    inventoryPath: 'pi-hosts',
    privateKeyPath: lab.privateKeyPath,
    dryRun: false,
    to: '30-node',
    extraVars: { pi_cluster_lab: true, pi_cluster_user_kubeconfig: join(project.dir, 'kubeconfig') },
    preflightPolicy: labPolicy,
    report: () => {},
    ...over,
  };
}
