import { limiter } from '../remote/parallel.js';
import type { ProbeOptions, ProbeResult, ProbeTarget } from './probe.js';

type ProbeModule = typeof import('./probe.js');

/**
 * SSH probes that start while the browse still runs: `start` as each host is found, `results` once the
 * browse is over. A host whose early probe found no SSH server yet (a Pi that announces itself before
 * sshd listens) is probed again then, as it would have been without the early start.
 * Takes the probe module as a promise: it loads ssh2, which the first mDNS query does not wait for.
 */
export class ProbePool {
  private readonly started = new Map<string, Promise<ProbeResult>>();
  private readonly run = limiter(16);

  constructor(
    private readonly options: Promise<ProbeOptions>,
    private readonly probing: Promise<ProbeModule>,
  ) {
    // Whoever awaits the key or the module sees their errors; an early probe never does.
    options.catch(() => {});
    probing.catch(() => {});
  }

  start(target: ProbeTarget): void {
    const key = targetKey(target);
    if (this.started.has(key)) return;
    const probe = Promise.all([this.options, this.probing]).then(([options, { probeHost, failure }]) =>
      this.run(() =>
        probeHost(target, options).catch((error: unknown) => {
          const result = failure(target, error);
          if (!result.ok && result.reason === 'unreachable') {
            const label = target.name ?? target.address;
            options.report?.({
              kind: 'debug',
              host: label,
              message: `${label}: no SSH yet (${result.message}); checked again after the browse`,
            });
          }
          return result;
        }),
      ),
    );
    probe.catch(() => {});
    this.started.set(key, probe);
  }

  /** Each target's result, in order: its early probe's if that reached sshd, else a probe now. */
  async results(targets: ProbeTarget[], options: ProbeOptions): Promise<ProbeResult[]> {
    const { probeHosts } = await this.probing;
    const early = await Promise.all(targets.map((t) => this.started.get(targetKey(t))?.catch(() => undefined)));
    const again = targets.filter((_, i) => !early[i] || (!early[i].ok && early[i].reason === 'unreachable'));
    const fresh = again.length ? await probeHosts(again, options) : [];
    return targets.map((t, i) => (again.includes(t) ? fresh[again.indexOf(t)]! : early[i]!));
  }
}

function targetKey(target: ProbeTarget): string {
  return `${target.name ?? ''}@${target.address}:${target.port ?? 22}`;
}
