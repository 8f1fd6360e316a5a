import type { Writable } from 'node:stream';
import type { Reporter, StageEvent } from '../events.js';

/**
 * Turns StageEvents into terminal output. On a TTY: one live line per running task (step, target,
 * bytes, speed, ETA, a bar), redrawn at most 10 times a second, with messages printed above them.
 * Otherwise: plain lines, one per step and one per quarter of each task's progress.
 * Reusable by any command whose stage reports byte or item progress.
 */
export interface ProgressRenderer {
  report: Reporter;
  /** Draws the final state and stops redrawing. */
  stop(): void;
}

export interface ProgressOptions {
  stream?: Writable & { isTTY?: boolean; columns?: number };
  /** Force live (TTY) or plain mode; default: whether the stream is a TTY. */
  live?: boolean;
  now?: () => number;
}

interface Task {
  step: string;
  target?: string;
  done: number;
  total?: number;
  unit: 'bytes' | 'items';
  started: number;
  updated: number;
  /** Last quarter printed in plain mode. */
  quarter: number;
}

/**
 * The live lines at the bottom of a terminal, shared by every renderer: messages print above them, and they are
 * redrawn in place (cursor up, clear to the end). Off a terminal (`live` false) only messages are written.
 */
export interface LiveRegion {
  readonly live: boolean;
  /** Writes `text` (whole lines, or '') above the live lines, then redraws them. */
  print(text: string): void;
  /** Redraws the live lines now. */
  draw(): void;
  /** Redraws within 100 ms: at most 10 times a second however often it is asked. */
  schedule(): void;
  /** Cancels a pending redraw. */
  cancel(): void;
  /** Leaves the lines drawn so far on screen; the next draw starts below them. */
  keep(): void;
}

/** `lines(width)` gives the live lines to draw, or undefined when there is nothing live yet (the screen is left as it is). */
export function createLiveRegion(
  stream: Writable & { columns?: number },
  live: boolean,
  lines: (width: number) => string[] | undefined,
): LiveRegion {
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const clear = () => {
    if (live && drawn > 0) stream.write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
  };
  const region: LiveRegion = {
    live,
    print(text) {
      clear();
      if (text) stream.write(text);
      region.draw();
    },
    draw() {
      timer = undefined;
      if (!live) return;
      const shown = lines(Math.max(40, (stream.columns ?? 100) - 1));
      if (!shown) return;
      clear();
      if (shown.length) stream.write(`${shown.join('\n')}\n`);
      drawn = shown.length;
    },
    schedule() {
      if (live && !timer) timer = setTimeout(region.draw, 100);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    keep() {
      drawn = 0;
    },
  };
  return region;
}

export function createProgressRenderer(options: ProgressOptions = {}): ProgressRenderer {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const tasks = new Map<string, Task>();
  const region = createLiveRegion(stream, options.live ?? Boolean(stream.isTTY), (width) =>
    [...tasks.values()].map((task) => formatTask(task, now()).slice(0, width)),
  );
  let stopped = false;
  const say = (line: string) => region.print(`${line}\n`);

  const report: Reporter = (event: StageEvent) => {
    switch (event.kind) {
      case 'step':
        say(`${event.host ? `${event.host}: ` : ''}${event.step}${event.detail ? ` ${event.detail}` : ''}`);
        break;
      case 'progress': {
        const key = `${event.step}\u0000${event.target ?? ''}`;
        let task = tasks.get(key);
        if (!task) {
          // A target starting a new step replaces its previous line (write -> verify).
          for (const [other, old] of tasks) if (old.target !== undefined && old.target === event.target) tasks.delete(other);
          task = {
            step: event.step,
            target: event.target,
            done: 0,
            total: event.total,
            unit: event.unit,
            started: now(),
            updated: now(),
            quarter: 0,
          };
          tasks.set(key, task);
        }
        task.done = event.done;
        task.total = event.total;
        task.updated = now();
        if (region.live) {
          if (!stopped) region.schedule();
        } else {
          const quarter = task.total ? Math.floor((4 * task.done) / task.total) : 0;
          if (quarter > task.quarter) {
            task.quarter = quarter;
            stream.write(`${formatTask(task, now())}\n`);
          }
        }
        break;
      }
      case 'info':
        say(`${event.host ? `${event.host}: ` : ''}${event.message}`);
        break;
      case 'warn':
        say(`warning: ${event.host ? `${event.host}: ` : ''}${event.message}${event.hint ? `\n  hint: ${event.hint}` : ''}`);
        break;
      case 'debug':
        break;
    }
  };

  return {
    report,
    stop() {
      region.cancel();
      if (!stopped) region.draw();
      stopped = true;
    },
  };
}

export function formatTask(task: Task, at: number): string {
  const seconds = Math.max((at - task.started) / 1000, 1e-3);
  const rate = task.done / seconds;
  const amount =
    task.unit === 'bytes'
      ? `${mb(task.done)}${task.total ? `/${mb(task.total)}` : ''} MB`
      : `${task.done}${task.total ? `/${task.total}` : ''}`;
  const speed = task.unit === 'bytes' ? `${(rate / 1e6).toFixed(1)} MB/s` : `${rate.toFixed(1)}/s`;
  const left = task.total && rate > 0 ? Math.max(0, (task.total - task.done) / rate) : undefined;
  const eta = task.total && task.done >= task.total ? 'done' : left === undefined ? '' : `ETA ${formatDuration(left)}`;
  const percent = task.total ? `${Math.floor((100 * task.done) / task.total)}%` : '';
  return [task.step.padEnd(8), task.target ?? '', bar(task), percent.padStart(4), amount, speed, eta].filter(Boolean).join('  ');
}

function bar(task: Task): string {
  if (!task.total) return '';
  const width = 20;
  const filled = Math.min(width, Math.round((width * task.done) / task.total));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}
