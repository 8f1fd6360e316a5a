// One lab at a time per machine: every lab uses 198.51.100.0/24, and two bridges with that subnet
// would break both. The claim is a file naming the lab and the process that owns it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { bridgeName } from './network-plan.js';

interface SubnetOwner {
  lab: string;
  pid: number;
  /** Outlives its process: a lab brought up by hand (the lab CLI), gone only by `down`. */
  persistent: boolean;
}

export interface ClaimOptions {
  stateRoot: string;
  lab: string;
  persistent: boolean;
  timeoutMs: number;
  /** Clears what a dead owner left behind (its processes, namespaces, bridge, files). */
  removeStaleLab: (lab: string) => void;
  log?: (line: string) => void;
}

function claimPath(stateRoot: string): string {
  return join(stateRoot, 'subnet-owner.json');
}

/** Takes the subnet for `lab`; waits while another live test process holds it. */
export async function claimSubnet(options: ClaimOptions): Promise<void> {
  const path = claimPath(options.stateRoot);
  mkdirSync(options.stateRoot, { recursive: true });
  const deadline = Date.now() + options.timeoutMs;
  let told = false;
  for (;;) {
    try {
      writeFileSync(path, JSON.stringify({ lab: options.lab, pid: process.pid, persistent: options.persistent } satisfies SubnetOwner), {
        flag: 'wx',
      });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(path);
    if (owner === undefined || isStale(owner) || isOurs(owner, options)) {
      if (owner) options.removeStaleLab(owner.lab);
      rmSync(path, { force: true });
      continue;
    }
    if (owner.persistent) {
      throw new Error(
        `lab "${owner.lab}" (brought up by hand) holds 198.51.100.0/24; take it down first: node dist/test/lab/cli.js down --name ${owner.lab}`,
      );
    }
    if (owner.pid === process.pid) throw new Error(`this process already runs lab "${owner.lab}"; one lab at a time`);
    if (Date.now() > deadline)
      throw new Error(`lab "${owner.lab}" of process ${owner.pid} still holds 198.51.100.0/24 after ${options.timeoutMs} ms`);
    if (!told) options.log?.(`lab: waiting for lab "${owner.lab}" of process ${owner.pid} to go down`);
    told = true;
    await delay(1000);
  }
}

export function releaseSubnet(stateRoot: string, lab: string): void {
  const path = claimPath(stateRoot);
  if (readOwner(path)?.lab === lab) rmSync(path, { force: true });
}

function readOwner(path: string): SubnetOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SubnetOwner;
  } catch {
    return undefined; // unreadable or half-written: treat as no owner
  }
}

/** The owner is gone: its process died (and, for a lab by hand, its bridge is gone too, e.g. by a reboot). */
function isStale(owner: SubnetOwner): boolean {
  if (isAlive(owner.pid)) return false;
  return !owner.persistent || !existsSync(`/sys/class/net/${bridgeName(owner.lab)}`);
}

/** The same lab brought up again by the same kind of owner replaces the old one (a crashed run, `up` twice). */
function isOurs(owner: SubnetOwner, options: ClaimOptions): boolean {
  return owner.lab === options.lab && (owner.pid === process.pid || (owner.persistent && options.persistent));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
