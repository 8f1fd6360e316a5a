/**
 * Passwords for the add-ons: taken from TF_VAR_<name> when set, otherwise generated once into
 * terraform/secrets/<file> (folder 0700, files 0600). Never printed, never on a command line.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SecretSpec {
  /** Terraform variable, read from TF_VAR_<variable>. */
  variable: string;
  /** File name inside the secrets folder. */
  file: string;
  /** Which add-on needs it. */
  usedBy: string;
}

export const ADDON_SECRETS: SecretSpec[] = [
  { variable: 'traefik_dashboard_password', file: 'traefik-dashboard-password', usedBy: 'traefik' },
  { variable: 'grafana_admin_password', file: 'grafana-admin-password', usedBy: 'monitoring' },
];

export type SecretSource = 'environment' | 'file' | 'generated';

export interface SecretStatus {
  spec: SecretSpec;
  source: SecretSource;
  path: string;
  /** The file's mode was wider than 0600 and was tightened. */
  tightened?: boolean;
}

/** 24 URL-safe characters (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export async function ensureSecrets(
  dir: string,
  specs: SecretSpec[] = ADDON_SECRETS,
  env: NodeJS.ProcessEnv = process.env,
  generate: () => string = generatePassword,
): Promise<SecretStatus[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const statuses: SecretStatus[] = [];
  for (const spec of specs) {
    const path = join(dir, spec.file);
    if (env[`TF_VAR_${spec.variable}`]) {
      statuses.push({ spec, source: 'environment', path });
      continue;
    }
    const existing = await stat(path).catch(() => undefined);
    if (existing && (await readFile(path, 'utf8')).trim().length > 0) {
      const tightened = (existing.mode & 0o077) !== 0;
      if (tightened) await chmod(path, 0o600);
      statuses.push({ spec, source: 'file', path, tightened });
      continue;
    }
    // 'wx' fails rather than overwrite a file that appeared meanwhile; an empty leftover is replaced.
    await writeFile(path, `${generate()}\n`, { mode: 0o600, flag: existing ? 'w' : 'wx' });
    await chmod(path, 0o600);
    statuses.push({ spec, source: 'generated', path });
  }
  return statuses;
}
