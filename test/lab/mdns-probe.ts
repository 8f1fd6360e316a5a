// Browses the lab's mDNS from the machine's side, the way discover does (bonjour-service).
import { Bonjour, type Service, type ServiceConfig } from 'bonjour-service';
import { setTimeout as delay } from 'node:timers/promises';
import { BRIDGE_ADDRESS } from './network-plan.js';

export interface Announcement {
  name: string;
  host: string;
  addresses: string[];
  port: number;
}

/**
 * Collects announcements of a service type until `isComplete` holds or time runs out. mDNS is
 * lossy even on a bridge, so the query is repeated with backoff (1 s, 2 s, 4 s... as RFC 6762 asks).
 * Each round uses a fresh browser: bonjour-service never fills in the addresses of a service it
 * first saw without them (an announcement carries no A record), but a new query's answer does.
 */
export async function browseLab(
  type: string,
  isComplete: (found: readonly Announcement[]) => boolean,
  timeoutMs = 15_000,
): Promise<Announcement[]> {
  const seen = new Map<string, Announcement>();
  const found = (): Announcement[] => [...seen.values()];
  const deadline = Date.now() + timeoutMs;
  for (let round = 1000; !isComplete(found()) && Date.now() < deadline; round *= 2) {
    await browseRound(type, seen, Math.min(round, deadline - Date.now()), () => isComplete(found()));
  }
  return found();
}

async function browseRound(type: string, seen: Map<string, Announcement>, durationMs: number, isComplete: () => boolean): Promise<void> {
  // Without the interface address AND bind 0.0.0.0, bonjour-service asks only on the default route.
  const mdnsOptions = { interface: BRIDGE_ADDRESS, bind: '0.0.0.0' } as unknown as Partial<ServiceConfig>;
  const bonjour = new Bonjour(mdnsOptions);
  const browser = bonjour.find({ type });
  const record = (service: Service): void => {
    const key = `${service.name}@${service.host}`;
    const addresses = service.addresses ?? [];
    if (addresses.length > 0 || !seen.has(key)) seen.set(key, { name: service.name, host: service.host, addresses, port: service.port });
  };
  try {
    const end = Date.now() + durationMs;
    while (Date.now() < end) {
      browser.services.forEach(record);
      if (isComplete()) return;
      await delay(100);
    }
  } finally {
    browser.stop();
    bonjour.destroy();
  }
}
