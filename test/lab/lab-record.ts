// What a lab writes down about itself (lab.json in its state folder), so that another process,
// like the lab CLI's `status` or `stop`, can pick up a lab that an earlier one brought up.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runtime state: namespaces and processes do not outlive a reboot, so neither does this. */
export const DEFAULT_STATE_ROOT = '/run/pi-cluster-lab';

export interface HostRecord {
  /** The lab's name for the host (pi0): its namespace, folder and known_hosts alias. */
  name: string;
  /** What the host calls itself and announces as <hostname>.local; usually its name. */
  hostname: string;
  ip: string;
  mac: string;
  index: number;
  netns: string;
  veth: string;
  acceptsLabKey: boolean;
  hostKey: string;
}

export interface LabRecord {
  name: string;
  rootfs: string;
  privateKeyPath: string;
  publicKeyPath: string;
  hosts: HostRecord[];
}

export function labStateDir(stateRoot: string, lab: string): string {
  return join(stateRoot, lab);
}

export function readLabRecord(stateDir: string): LabRecord | undefined {
  const path = join(stateDir, 'lab.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as LabRecord) : undefined;
}

export function writeLabRecord(stateDir: string, record: LabRecord): void {
  const path = join(stateDir, 'lab.json');
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}
