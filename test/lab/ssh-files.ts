// The SSH files a lab hands to its users: the key root accepts on every host, a known_hosts file
// with every host's key, and an ssh_config so that `ssh -F <file> pi0` just works.
import { existsSync } from 'node:fs';
import { execa } from 'execa';

export interface SshKeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
}

export async function ensureKeyPair(privateKeyPath: string): Promise<SshKeyPair> {
  if (!existsSync(privateKeyPath)) {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pi-cluster-lab', '-f', privateKeyPath]);
  }
  const publicKeyPath = `${privateKeyPath}.pub`;
  if (!existsSync(publicKeyPath)) throw new Error(`SSH key ${privateKeyPath} has no public half at ${publicKeyPath}`);
  return { privateKeyPath, publicKeyPath };
}

export interface KnownHost {
  name: string;
  hostname: string;
  ip: string;
  /** "ssh-ed25519 AAAA... comment" as in the host's .pub file. */
  hostKey: string;
}

/** One line per host, under its lab name, its hostname (also .local) and its address. */
export function knownHostsText(hosts: readonly KnownHost[]): string {
  return hosts
    .map((host) => {
      const names = [...new Set([host.name, host.hostname, `${host.hostname}.local`, host.ip])];
      const [type, key] = host.hostKey.split(/\s+/);
      return `${names.join(',')} ${type} ${key}\n`;
    })
    .join('');
}

export function sshConfigText(hosts: readonly KnownHost[], key: SshKeyPair, knownHostsPath: string): string {
  return hosts
    .map((host) =>
      [
        `Host ${host.name}`,
        `  HostName ${host.ip}`,
        '  User root',
        `  IdentityFile ${key.privateKeyPath}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHostsPath}`,
        '  StrictHostKeyChecking yes',
        '',
      ].join('\n'),
    )
    .join('\n');
}
