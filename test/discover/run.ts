import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverCommand, type DiscoverCommandOptions } from '../../src/commands/discover/action.js';
import type { DiscoverResult } from '../../src/discover/discover.js';

export interface Run {
  result?: DiscoverResult;
  error?: Error & { hint?: string };
  out: string;
  err: string;
}

/** Runs `pi-cluster discover` the way the CLI does, with output captured; never throws. */
export async function runDiscover(cwd: string, options: Partial<DiscoverCommandOptions>): Promise<Run> {
  let out = '';
  let err = '';
  const full: DiscoverCommandOptions = {
    timeout: '10s',
    interfaces: [],
    master: [],
    inventory: 'pi-hosts',
    json: false,
    yes: true,
    dryRun: false,
    color: false,
    cwd,
    out: (t) => (out += t),
    err: (t) => (err += t),
    ...options,
  };
  try {
    return { result: await discoverCommand(full), out, err };
  } catch (error) {
    return { error: error as Error, out, err };
  }
}

export function tempProject(): string {
  return mkdtempSync(join(tmpdir(), 'pi-cluster-discover-'));
}
