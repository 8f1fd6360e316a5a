/**
 * OpenSSH's own client as the judge of a known_hosts file: no config, this key, only this known_hosts file,
 * strict host key checking, never a prompt. Tests add the port, an alias, the target and the command.
 */
export function strictSshArgs(privateKey: string, knownHosts: string): string[] {
  return [
    ...['-F', 'none', '-i', privateKey],
    ...['-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null'],
    ...['-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes'],
  ];
}
