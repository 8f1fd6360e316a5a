import type { AnsibleEvent } from '../ansible/index.js';

/** The live per-host view of a layer, built from Ansible's events (pure: the command draws it). */
export interface HostProgress {
  host: string;
  task: string;
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: boolean;
}

export class LayerProgress {
  readonly layer: string;
  private readonly hosts = new Map<string, HostProgress>();
  private currentTask = '';

  constructor(layer: string, hostNames: string[]) {
    this.layer = layer;
    for (const host of hostNames)
      this.hosts.set(host, { host, task: 'waiting', ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: false });
  }

  apply(event: AnsibleEvent): void {
    if (event.event === 'task') {
      this.currentTask = event.name;
      for (const host of this.hosts.values()) if (!host.unreachable && host.failed === 0) host.task = event.name;
      return;
    }
    if (event.event !== 'result') return;
    const host = this.hosts.get(event.host) ?? this.add(event.host);
    host.task = event.task || this.currentTask;
    if (event.status === 'ok') host.ok++;
    else if (event.status === 'changed') host.changed++;
    else if (event.status === 'skipped') host.skipped++;
    else if (event.status === 'failed') host.failed++;
    else if (event.status === 'unreachable') host.unreachable = true;
  }

  rows(): HostProgress[] {
    return [...this.hosts.values()];
  }

  /** One line per host: `pi0  ok 12  changed 3  failed 0  | task name`. */
  lines(width = 100): string[] {
    const nameWidth = Math.max(4, ...this.rows().map((r) => r.host.length));
    return this.rows().map((r) => {
      const state = r.unreachable ? 'UNREACHABLE' : r.failed ? 'FAILED' : '';
      const counts = `ok ${String(r.ok).padStart(3)}  changed ${String(r.changed).padStart(3)}  failed ${r.failed}`;
      const line = `  ${r.host.padEnd(nameWidth)}  ${counts}  ${state ? `${state} ` : ''}| ${r.task}`;
      return line.length > width ? `${line.slice(0, width - 1)}…` : line;
    });
  }

  private add(name: string): HostProgress {
    const host = { host: name, task: '', ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: false };
    this.hosts.set(name, host);
    return host;
  }
}
