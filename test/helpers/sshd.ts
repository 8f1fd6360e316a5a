import { existsSync, mkdirSync } from 'node:fs';

/**
 * OpenSSH's sshd, run as root (even `sshd -t`), refuses to start without its privilege-separation folder,
 * which only a running sshd service creates: make it so a test does not depend on what ran before it.
 */
export function ensureSshdPrivsepDir(): void {
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
}
