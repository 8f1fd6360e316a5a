import type { InventoryHost } from '../inventory/ini.js';

/**
 * An OpenSSH config snippet for `ssh pi0`, kept in its own file for the user to `Include`:
 * discover never edits ~/.ssh/config.
 */
export function sshConfigSnippet(
  hosts: InventoryHost[],
  options: { prefix: string; privateKeyPath: string; knownHostsPath: string },
): string {
  const lines = [
    '# Written by `pi-cluster discover`; rewritten on every run. To use it, add this line near the top',
    `# of ~/.ssh/config (before any Host block):  Include ${options.knownHostsPath.replace(/known_hosts$/, 'ssh_config')}`,
    '',
  ];
  for (const host of hosts) {
    if (!host.ansibleHost) continue;
    lines.push(`Host ${host.name} ${host.name}.local`, `  HostName ${host.ansibleHost}`, '');
  }
  lines.push(
    `Host ${options.prefix}*`,
    '  User root',
    `  IdentityFile ${options.privateKeyPath}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${options.knownHostsPath}`,
    '  StrictHostKeyChecking yes',
    '',
  );
  return lines.join('\n');
}
