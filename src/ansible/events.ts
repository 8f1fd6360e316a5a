/** One line of the pi_cluster_events callback (ansible/callback_plugins/pi_cluster_events.py). */
export type AnsibleEvent =
  | { event: 'play'; name: string; time: number }
  | { event: 'task'; name: string; path?: string; handler?: boolean; time: number }
  | {
      event: 'result';
      status: 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable' | 'ignored';
      host: string;
      task: string;
      changed: boolean;
      message: string;
      time: number;
    }
  | { event: 'recap'; hosts: Record<string, HostRecap>; time: number };

export interface HostRecap {
  ok: number;
  changed: number;
  failures: number;
  unreachable: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

/** One JSON line of the callback, or undefined for anything else (a partial line, a stray print). */
export function parseEvent(line: string): AnsibleEvent | undefined {
  try {
    const event = JSON.parse(line) as AnsibleEvent;
    return typeof event === 'object' && event !== null && typeof event.event === 'string' ? event : undefined;
  } catch {
    return undefined;
  }
}
