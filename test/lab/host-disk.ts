// A host's own disk: the overlay layer above the shared root file system. It holds what makes the
// host itself (name, host key, machine-id, who may log in) and everything the host writes later,
// so it survives stop/start like a Pi's SD card survives a power cut.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export interface HostDirs {
  /** Upper layer of the overlay: the host's own files. */
  upper: string;
  work: string;
  /** Where the host's root is assembled (inside the host's mount namespace only). */
  merged: string;
  /** Output of the host's init (OpenRC), for diagnosing a host that does not come up. */
  consoleLog: string;
}

export function hostDirs(hostsDir: string, host: string): HostDirs {
  const root = join(hostsDir, host);
  return { upper: join(root, 'upper'), work: join(root, 'work'), merged: join(root, 'merged'), consoleLog: join(root, 'console.log') };
}

export interface HostIdentity {
  hostname: string;
  /** The public key root accepts, or null for a host that must refuse the lab's key. */
  authorizedKey: string | null;
  /** The SSH host key pair to use (e.g. the one a flashed card carries); default a new one. */
  hostKey?: { private: string; public: string };
}

/** Creates the host's layer and writes its identity into it; returns its SSH host public key line. */
export async function seedHostDisk(dirs: HostDirs, lower: string, identity: HostIdentity): Promise<string> {
  await mkdir(dirs.work, { recursive: true });
  await mkdir(dirs.merged, { recursive: true });
  await mkdir(dirs.upper, { recursive: true });
  const place = async (path: string, content: string, mode: number): Promise<void> => {
    await mkdirLikeLower(lower, dirs.upper, dirname(path));
    await writeFile(join(dirs.upper, path), content, { mode });
  };

  const { hostname } = identity;
  await place('etc/hostname', `${hostname}\n`, 0o644);
  await place('etc/hosts', `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`, 0o644);
  // Kubernetes tells nodes apart by machine-id; hosts cloned from one image must not share it.
  await place('etc/machine-id', `${randomBytes(16).toString('hex')}\n`, 0o444);
  if (identity.authorizedKey !== null) await place('root/.ssh/authorized_keys', `${identity.authorizedKey.trim()}\n`, 0o600);

  const hostKey = join(dirs.upper, 'etc/ssh/ssh_host_ed25519_key');
  await mkdirLikeLower(lower, dirs.upper, 'etc/ssh');
  if (identity.hostKey) {
    await writeFile(hostKey, identity.hostKey.private, { mode: 0o600 });
    await writeFile(`${hostKey}.pub`, `${identity.hostKey.public.trim()}\n`, { mode: 0o644 });
  } else {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${hostname}`, '-f', hostKey]);
  }
  return (await readFile(`${hostKey}.pub`, 'utf8')).trim();
}

/**
 * An upper-layer directory hides the lower one's owner and mode, so each directory made here
 * copies them from the shared root file system (root's home stays 0700, for sshd's sake).
 */
async function mkdirLikeLower(lower: string, upper: string, relativeDir: string): Promise<void> {
  let path = '';
  for (const part of relativeDir.split('/').filter(Boolean)) {
    path = join(path, part);
    const target = join(upper, path);
    if (existsSync(target)) continue;
    await mkdir(target);
    const original = join(lower, path);
    const model = existsSync(original) ? await stat(original) : { mode: 0o700, uid: 0, gid: 0 };
    await chmod(target, model.mode & 0o7777);
    await chown(target, model.uid, model.gid);
  }
}
