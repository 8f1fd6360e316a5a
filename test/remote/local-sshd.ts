import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ensureSshdPrivsepDir } from '../helpers/sshd.js';

/**
 * A throw-away OpenSSH server on 127.0.0.1 for tests of src/remote: its own host key, its own
 * authorized_keys, a free port; logins as the current user with `authorizedKey` only.
 */
export interface LocalSshd {
  port: number;
  user: string;
  dir: string;
  /** Private key that sshd accepts. */
  clientKey: string;
  /** A second key pair sshd does NOT accept. */
  strangerKey: string;
  /** The server's host public key line (`ssh-ed25519 AAAA...`). */
  hostPublicKey: string;
  stop(): Promise<void>;
}

export function sshdAvailable(): string | undefined {
  if (!existsSync('/usr/sbin/sshd')) return 'no /usr/sbin/sshd (apt-get install openssh-server)';
  if (!existsSync('/usr/bin/ssh-keygen')) return 'no ssh-keygen';
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('data', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function keygen(path: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test', '-f', path]);
}

export async function startLocalSshd(): Promise<LocalSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-sshd-'));
  const user = userInfo().username;
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'client'));
  keygen(join(dir, 'stranger'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client.pub')), { mode: 0o600 });
  ensureSshdPrivsepDir();
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      'PidFile none',
      `AllowUsers ${user}`,
      'LogLevel ERROR',
    ].join('\n') + '\n',
  );
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  try {
    await waitForPort(port, 5000);
  } catch (error) {
    child.kill();
    throw new Error(`${(error as Error).message}: ${stderr}`);
  }
  return {
    port,
    user,
    dir,
    clientKey: join(dir, 'client'),
    strangerKey: join(dir, 'stranger'),
    hostPublicKey: readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' '),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
