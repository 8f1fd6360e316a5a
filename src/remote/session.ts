import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import { fingerprint, hostKeyFromBlob, hostPattern, type HostKey, type HostKeyCheck, type KnownHosts } from './known-hosts.js';
import type { PrivateKey } from './keys.js';

/**
 * One SSH connection to one host, by private key, with the host key checked against a known_hosts list.
 * Discover records keys (`hostKeys: 'record'`); later stages verify them (`hostKeys: 'strict'`).
 */

export interface SshTarget {
  /** Address (or resolvable name) to connect to. */
  address: string;
  /** The host's name: used in messages and, with the address, as known_hosts names. */
  name?: string;
  port?: number;
  /** Default: root. */
  user?: string;
}

export interface SessionOptions {
  key: PrivateKey;
  knownHosts: KnownHosts;
  /**
   * strict: the host key must already be recorded and equal (what OpenSSH does with StrictHostKeyChecking=yes).
   * record: accept an unknown or changed key and say so in `session.hostKeyCheck`; the caller records it.
   */
  hostKeys: 'strict' | 'record';
  /** TCP connect + SSH handshake + authentication. Default 8 s. */
  connectTimeoutMs?: number;
}

export type SshFailure =
  | 'unreachable' // TCP refused, no route
  | 'timeout' // no SSH handshake in time
  | 'auth' // the server refused the key
  | 'host-key-unknown' // strict mode, nothing recorded
  | 'host-key-changed' // a different key is recorded
  | 'command-timeout'
  | 'protocol';

/** A failure that names the host and says what the user can do about it. */
export class SshError extends Error {
  readonly reason: SshFailure;
  readonly host: string;
  readonly hint?: string;
  /** Set when the handshake got far enough to see the server's key (even if authentication failed). */
  readonly hostKey?: HostKey;

  constructor(host: string, reason: SshFailure, message: string, options: { hint?: string; hostKey?: HostKey; cause?: unknown } = {}) {
    super(`${host}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SshError';
    this.host = host;
    this.reason = reason;
    this.hint = options.hint;
    this.hostKey = options.hostKey;
  }
}

export interface CommandResult {
  /** Exit status; null when the command ended by a signal. */
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface RemoteSession {
  readonly target: Required<Pick<SshTarget, 'address' | 'port' | 'user'>> & { name: string };
  /** The server's host key as presented in this handshake. */
  readonly hostKey: HostKey;
  /** How that key compared with the known_hosts list when connecting. */
  readonly hostKeyCheck: HostKeyCheck;
  /** The names the key is recorded under: name, name.local (for a plain name) and the address. */
  readonly knownHostsNames: string[];
  /** Runs a shell command; rejects with SshError('command-timeout') if it runs past `timeoutMs` (default 30 s). */
  run(command: string, options?: { timeoutMs?: number }): Promise<CommandResult>;
  close(): void;
}

/** The names a host key is filed under: `pi0`, `pi0.local`, `198.51.100.10` (with `[...]:port` off port 22). */
export function knownHostsNamesFor(target: SshTarget): string[] {
  const port = target.port ?? 22;
  const names = [target.name, target.name && !target.name.includes('.') ? `${target.name}.local` : undefined, target.address];
  return [...new Set(names.filter((n): n is string => Boolean(n)))].map((n) => hostPattern(n, port));
}

export async function openSession(target: SshTarget, options: SessionOptions): Promise<RemoteSession> {
  const port = target.port ?? 22;
  const user = target.user ?? 'root';
  const label = target.name ?? target.address;
  const names = knownHostsNamesFor(target);
  const client = new ssh2.Client();
  let presented: HostKey | undefined;
  let check: HostKeyCheck = 'unknown';
  let refusedHostKey: SshError | undefined;

  const config: ConnectConfig = {
    host: target.address,
    port,
    username: user,
    privateKey: options.key.data,
    readyTimeout: options.connectTimeoutMs ?? 8000,
    // Key only: never fall back to passwords or keyboard-interactive prompts.
    authHandler: ['publickey'],
    hostVerifier: (blob: Buffer) => {
      presented = hostKeyFromBlob(blob);
      check = options.knownHosts.check(names, presented);
      if (options.hostKeys === 'record' || check === 'match') return true;
      refusedHostKey =
        check === 'unknown'
          ? new SshError(label, 'host-key-unknown', `host key ${fingerprint(presented)} is not in the known hosts file`, {
              hint: 'run `pi-cluster discover` to record the host keys of your Pis',
              hostKey: presented,
            })
          : new SshError(label, 'host-key-changed', `host key changed to ${fingerprint(presented)}; refusing to connect`, {
              hint: 'if you re-flashed this Pi, run `pi-cluster discover` again; otherwise someone may be intercepting the connection',
              hostKey: presented,
            });
      return false;
    },
  };

  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error & { level?: string; code?: string }) => {
      client.end();
      reject(refusedHostKey ?? classify(label, error, presented, user));
    };
    client.once('ready', () => {
      client.off('error', fail);
      resolve();
    });
    client.once('error', fail);
    client.connect(config);
  });
  // Errors after the handshake (a reset connection) surface through run(); never crash the process.
  client.on('error', () => {});

  const hostKey = presented as HostKey;
  return {
    target: { address: target.address, port, user, name: label },
    hostKey,
    hostKeyCheck: check,
    knownHostsNames: names,
    run: (command, runOptions = {}) => runCommand(client, label, command, runOptions.timeoutMs ?? 30_000),
    close: () => client.end(),
  };
}

/** Opens a session, runs `fn`, and always closes the connection. */
export async function withSession<T>(target: SshTarget, options: SessionOptions, fn: (session: RemoteSession) => Promise<T>): Promise<T> {
  const session = await openSession(target, options);
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}

function runCommand(client: ssh2.Client, label: string, command: string, timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error: Error | undefined, stream: ClientChannel) => {
      if (error) return reject(new SshError(label, 'protocol', `cannot run a command: ${error.message}`, { cause: error }));
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const timer = setTimeout(() => {
        stream.close();
        reject(
          new SshError(
            label,
            'command-timeout',
            `command did not finish within ${Math.round(timeoutMs / 1000)} s: ${command.slice(0, 60)}`,
          ),
        );
      }, timeoutMs);
      stream.on('data', (chunk: Buffer) => stdout.push(chunk));
      stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      stream.on('close', (code: number | null, signal?: string) => {
        clearTimeout(timer);
        resolve({
          code: code ?? null,
          signal: signal ?? undefined,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
        });
      });
    });
  });
}

function classify(label: string, error: Error & { level?: string; code?: string }, hostKey: HostKey | undefined, user: string): SshError {
  if (error.level === 'client-authentication') {
    return new SshError(label, 'auth', `refused the key for ${user}`, {
      hint: `put the public key into /${user === 'root' ? 'root' : `home/${user}`}/.ssh/authorized_keys on the Pi (flash writes it), or pass the key it has with --ssh-key`,
      hostKey,
      cause: error,
    });
  }
  if (error.level === 'client-timeout' || /timed out/i.test(error.message)) {
    return new SshError(label, 'timeout', 'no SSH answer in time', {
      hint: 'is the Pi still booting? try a longer --timeout',
      hostKey,
      cause: error,
    });
  }
  if (error.code && ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN'].includes(error.code)) {
    return new SshError(label, 'unreachable', `cannot connect (${error.code})`, {
      hint: 'is sshd running and port 22 open on the Pi?',
      hostKey,
      cause: error,
    });
  }
  return new SshError(label, 'protocol', error.message, { hostKey, cause: error });
}
