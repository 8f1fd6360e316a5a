import makeMdns from 'multicast-dns';
import type { Answer } from 'dns-packet';

/**
 * A scripted mDNS responder on loopback (its own UDP port, so it never meets real mDNS traffic),
 * answering like avahi: PTR + SRV + TXT + A for `_ssh._tcp`, and `_workstation._tcp` named "host [mac]".
 */
export interface FakeHost {
  name: string;
  address: string;
  mac?: string;
  /** Leave the A record out of service answers (seen right after avahi starts); it still answers A queries. */
  withholdAddress?: boolean;
  /** Ignore this many PTR queries before answering (a lost packet). */
  ignoreQueries?: number;
}

export interface FakeResponder {
  port: number;
  queries: Array<{ at: number; questions: string[] }>;
  stop(): Promise<void>;
}

export function startFakeResponder(hosts: FakeHost[], port: number): Promise<FakeResponder> {
  const mdns = makeMdns({ interface: '127.0.0.1', bind: '0.0.0.0', port });
  const started = Date.now();
  const queries: FakeResponder['queries'] = [];
  const ignored = new Map<string, number>();
  mdns.on('query', (query) => {
    queries.push({ at: Date.now() - started, questions: query.questions.map((q) => `${q.name}/${q.type}`) });
    for (const question of query.questions) {
      for (const host of hosts) {
        const answers: Answer[] = [];
        const additionals: Answer[] = [];
        const fqdn = `${host.name}.local`;
        const a: Answer = { name: fqdn, type: 'A', ttl: 120, data: host.address };
        if (question.type === 'A' && question.name === fqdn) answers.push(a);
        for (const [type, instance] of [
          ['_ssh._tcp.local', host.name],
          ['_workstation._tcp.local', host.mac ? `${host.name} [${host.mac}]` : undefined],
        ] as const) {
          if (!instance || question.type !== 'PTR' || question.name !== type) continue;
          const seen = ignored.get(`${host.name}/${type}`) ?? 0;
          if (seen < (host.ignoreQueries ?? 0)) {
            ignored.set(`${host.name}/${type}`, seen + 1);
            continue;
          }
          const service = `${instance}.${type}`;
          answers.push({ name: type, type: 'PTR', ttl: 4500, data: service });
          additionals.push({
            name: service,
            type: 'SRV',
            ttl: 120,
            data: { target: fqdn, port: type.startsWith('_ssh') ? 22 : 9, priority: 0, weight: 0 },
          });
          additionals.push({ name: service, type: 'TXT', ttl: 4500, data: [] });
          if (!host.withholdAddress) additionals.push(a);
        }
        if (answers.length) mdns.respond({ answers, additionals });
      }
    }
  });
  return new Promise((resolve) => {
    mdns.once('ready', () => resolve({ port, queries, stop: () => new Promise((r) => mdns.destroy(() => r())) }));
  });
}
