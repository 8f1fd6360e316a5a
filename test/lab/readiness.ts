// When is a virtual Pi up? When sshd answers with its banner AND avahi says it has announced the
// host and its services: from then on, discover and SSH tests can rely on it.
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export const AVAHI_READY = ['Server startup complete', 'successfully established'] as const;

export interface ReadinessWatch {
  host: string;
  ip: string;
  /** avahi's log, read from `logOffset` on: earlier lines belong to an earlier boot. */
  avahiLog: string;
  logOffset: number;
  consoleLog: string;
  exited: Promise<number | null>;
  timeoutMs: number;
}

export async function waitUntilReady(watch: ReadinessWatch): Promise<void> {
  let exitCode: number | null | undefined;
  void watch.exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + watch.timeoutMs;
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`${watch.host}: its init ended during boot (exit ${exitCode}).\n${tail(watch.consoleLog, 0)}`);
    }
    const avahi = readFrom(watch.avahiLog, watch.logOffset);
    if (AVAHI_READY.every((line) => avahi.includes(line)) && (await sshAnswers(watch.ip))) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${watch.host}: not up after ${watch.timeoutMs} ms (sshd banner and avahi announcement awaited).\n` +
          `console:\n${tail(watch.consoleLog, 0)}\navahi:\n${tail(watch.avahiLog, watch.logOffset)}`,
      );
    }
    await delay(100);
  }
}

/** Waits for a line that contains `text` in a log, from `offset` on. */
export async function waitForLogLine(host: string, path: string, offset: number, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!readFrom(path, offset).includes(text)) {
    if (Date.now() > deadline) throw new Error(`${host}: no "${text}" in ${path} after ${timeoutMs} ms`);
    await delay(100);
  }
}

export function logSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

function readFrom(path: string, offset: number): string {
  if (!existsSync(path)) return '';
  const fd = openSync(path, 'r');
  try {
    const length = Math.max(0, statSync(path).size - offset);
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, offset);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function tail(path: string, offset: number, lines = 20): string {
  return readFrom(path, offset).trimEnd().split('\n').slice(-lines).join('\n') || '(empty)';
}

/** True when something on ip:22 greets us as an SSH server. */
export function sshAnswers(ip: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port: 22, timeout: timeoutMs });
    const finish = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('data', (data) => finish(data.toString('latin1').startsWith('SSH-')));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('end', () => finish(false));
  });
}
