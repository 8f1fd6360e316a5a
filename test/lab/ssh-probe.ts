// Talks to lab hosts over real SSH (ssh2), checking each host's key against the lab's known_hosts.
import { readFileSync } from 'node:fs';
import { Client, type AuthenticationType, type ConnectConfig } from 'ssh2';

export interface SshTarget {
  ip: string;
  /** Raw host key blob (the base64 field of a known_hosts line, decoded). */
  hostKey: Buffer;
}

/** The target for `alias` (a host name or address) from a known_hosts file. */
export function targetFromKnownHosts(knownHostsPath: string, alias: string, ip: string): SshTarget {
  const line = readFileSync(knownHostsPath, 'utf8')
    .split('\n')
    .find((entry) => entry.split(' ')[0].split(',').includes(alias));
  if (!line) throw new Error(`${alias}: not in ${knownHostsPath}`);
  return { ip, hostKey: Buffer.from(line.split(' ')[2], 'base64') };
}

function connect(target: SshTarget, config: ConnectConfig): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect({
      host: target.ip,
      port: 22,
      username: 'root',
      readyTimeout: 10_000,
      ...config,
      hostVerifier: (key: Buffer) => key.equals(target.hostKey),
    });
  });
}

export async function sshRun(target: SshTarget, privateKey: Buffer, command: string): Promise<{ stdout: string; code: number }> {
  const client = await connect(target, { privateKey });
  try {
    return await new Promise((resolve, reject) => {
      client.exec(command, (error, stream) => {
        if (error) return reject(error);
        let stdout = '';
        stream.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
        });
        stream.stderr.resume();
        stream.once('close', (code: number | null) => resolve({ stdout, code: code ?? -1 }));
      });
    });
  } finally {
    client.end();
  }
}

export interface PasswordAttempt {
  /** What the server said it accepts after an anonymous ("none") attempt. */
  methodsOffered: string[];
  accepted: boolean;
}

/** Tries to log in as root with a password, whatever the server offers, and reports the outcome. */
export async function tryPasswordLogin(target: SshTarget, password: string): Promise<PasswordAttempt> {
  let methodsOffered: string[] = [];
  let attempts = 0;
  const authHandler = (
    methodsLeft: AuthenticationType[] | null,
  ): { type: 'none' | 'password'; username: string; password?: string } | false => {
    attempts += 1;
    if (attempts === 1) return { type: 'none', username: 'root' };
    if (attempts === 2) {
      methodsOffered = [...(methodsLeft ?? [])];
      return { type: 'password', username: 'root', password };
    }
    return false;
  };
  try {
    const client = await connect(target, { authHandler: authHandler as ConnectConfig['authHandler'] });
    client.end();
    return { methodsOffered, accepted: true };
  } catch (error) {
    if ((error as { level?: string }).level === 'client-authentication') return { methodsOffered, accepted: false };
    throw error;
  }
}
