import { connect } from 'node:net';
import { UserError } from '../errors.js';
import { intToIp, parseCidr, type Cidr } from '../config/net.js';
import { mapBounded } from '../remote/parallel.js';

/** For networks that block multicast: try TCP 22 on every address of one range the user named. */

export interface SweepHit {
  address: string;
  /** The SSH identification line, e.g. "SSH-2.0-OpenSSH_9.2p1 Debian-2". */
  banner: string;
  foundMs: number;
}

/** The largest range swept: 4096 addresses (a /20) take ~1 min at worst with the default limits. */
const MAX_ADDRESSES = 4096;

/** Validates `--sweep` before anything touches the network. */
export function parseSweepRange(text: string): Cidr {
  const cidr = parseCidr(text);
  if (typeof cidr === 'string')
    throw new UserError(`--sweep ${text}: ${cidr}`, { hint: "give the Pis' network, e.g. --sweep 192.168.1.0/24" });
  const size = cidr.last - cidr.first + 1;
  if (size > MAX_ADDRESSES) {
    throw new UserError(`--sweep ${text}: ${size} addresses is too many to probe`, {
      hint: `give a range of at most ${MAX_ADDRESSES} addresses (a /20 or smaller)`,
    });
  }
  return cidr;
}

/** Addresses of a range; network and broadcast addresses are left out for ranges of more than 2. */
export function sweepAddresses(cidr: Cidr): string[] {
  const edges = cidr.prefix <= 30 ? 1 : 0;
  const addresses: string[] = [];
  for (let value = cidr.first + edges; value <= cidr.last - edges; value++) addresses.push(intToIp(value));
  return addresses;
}

export interface SweepOptions {
  concurrency?: number;
  timeoutMs?: number;
  port?: number;
  onHit?: (hit: SweepHit) => void;
  /** Ends the sweep early: connections in flight close, the remaining addresses are skipped. */
  signal?: AbortSignal;
}

export async function sweepSsh(cidr: Cidr, options: SweepOptions = {}): Promise<SweepHit[]> {
  const started = performance.now();
  const results = await mapBounded(sweepAddresses(cidr), options.concurrency ?? 64, async (address) => {
    if (options.signal?.aborted) return undefined;
    const banner = await readBanner(address, options.port ?? 22, options.timeoutMs ?? 1000, options.signal);
    if (banner === undefined) return undefined;
    const hit = { address, banner, foundMs: Math.round(performance.now() - started) };
    options.onHit?.(hit);
    return hit;
  });
  return results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
}

/** Connects, reads the server's first line, and closes; undefined when nothing SSH-like answers in time. */
export function readBanner(address: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let data = '';
    const aborted = () => done(undefined);
    const done = (value: string | undefined) => {
      signal?.removeEventListener('abort', aborted);
      socket.destroy();
      resolve(value);
    };
    signal?.addEventListener('abort', aborted, { once: true });
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.on('error', () => done(undefined));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const line = data.split(/\r?\n/).find((l) => l.startsWith('SSH-'));
      if (line) done(line.trim());
      else if (data.length > 4096) done(undefined);
    });
  });
}
