/**
 * Passwords for the add-ons: taken from TF_VAR_<name> when set, otherwise generated once into
 * terraform/secrets/<file> (folder 0700, files 0600). Never printed, never on a command line.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';

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

/** The environment variable that carries the optional registry login (JSON), as Terraform reads it. */
export const REGISTRY_CREDENTIALS_ENV = 'TF_VAR_registry_credentials';

/** Host name with an optional port, as image names use it: docker.io, registry.example:5000. */
const REGISTRY_SERVER = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?$/;

/**
 * Checks TF_VAR_registry_credentials the way terraform/variables.tf does, before Terraform runs, and returns
 * the registry server (never the login); undefined when it is not set. Messages never contain the value.
 */
export function registryServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const text = env[REGISTRY_CREDENTIALS_ENV];
  if (text === undefined || text.trim() === '') return undefined;
  const hint = `set it as JSON, e.g. ${REGISTRY_CREDENTIALS_ENV}='{"server":"docker.io","username":"...","password":"..."}' (in your shell, never on a command line that is logged), or unset it`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError(`${REGISTRY_CREDENTIALS_ENV} is not JSON`, { hint });
  }
  const fields = ['server', 'username', 'password'] as const;
  const login = value as Record<string, unknown>;
  if (
    !value ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    fields.some((f) => typeof login[f] !== 'string' || (login[f] as string).trim() === '')
  ) {
    throw new UserError(`${REGISTRY_CREDENTIALS_ENV} needs server, username and password (non-empty strings)`, { hint });
  }
  const extra = Object.keys(login).filter((k) => !(fields as readonly string[]).includes(k));
  if (extra.length) throw new UserError(`${REGISTRY_CREDENTIALS_ENV} has fields Terraform does not know: ${extra.join(', ')}`, { hint });
  const server = login.server as string;
  if (!REGISTRY_SERVER.test(server)) {
    throw new UserError(
      `${REGISTRY_CREDENTIALS_ENV}: server must be a registry host name such as docker.io or registry.example:5000, without https:// or a path`,
      { hint },
    );
  }
  return server;
}
