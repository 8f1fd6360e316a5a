// Removes everything of a lab, found by its name rather than from memory, so that it also clears
// what a crashed run left behind. Synchronous: it must be able to run from a process 'exit' handler.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { killProcessesIn } from './host-process.js';
import { labStateDir } from './lab-record.js';
import { bridgeName } from './network-plan.js';
import { releaseSubnet } from './subnet-claim.js';

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function labNamespaces(lab: string): string[] {
  return ip(['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter((name) => name.startsWith(`${lab}-`));
}

/** The bridge and the root-namespace ends of the veth pairs. */
export function labLinks(lab: string): string[] {
  return ip(['-o', 'link', 'show'])
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? '')
    .filter((name) => name === bridgeName(lab) || name.startsWith(`${lab}-v`));
}

/** Mounts under the lab's state folder seen from here; the hosts' own mounts die with their namespaces. */
export function labMounts(stateDir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint === stateDir || mountPoint.startsWith(`${stateDir}/`));
}

/** Everything of the lab: processes, namespaces, links, mounts, files, and its claim on the subnet. */
export function teardownLab(lab: string, stateRoot: string): void {
  removeLabResources(lab, stateRoot);
  releaseSubnet(stateRoot, lab);
}

/** Everything but the subnet claim: a lab coming up clears its own name's leftovers this way. */
export function removeLabResources(lab: string, stateRoot: string): void {
  const namespaces = labNamespaces(lab);
  for (const netns of namespaces) killProcessesIn(netns);
  for (const netns of namespaces) ip(['netns', 'delete', netns]);
  // Deleting a namespace deletes the veth pairs in it; links left are the bridge and strays.
  for (const link of labLinks(lab)) {
    try {
      ip(['link', 'delete', link]);
    } catch {
      // the namespace's end went first and took this one with it
    }
  }
  const stateDir = labStateDir(stateRoot, lab);
  for (const mountPoint of labMounts(stateDir).reverse()) execFileSync('umount', ['--lazy', mountPoint]);
  rmSync(stateDir, { recursive: true, force: true });
}
