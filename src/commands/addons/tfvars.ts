/** `pi-cluster addons tfvars`: writes terraform/cluster.auto.tfvars.json and the add-on passwords. */
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../../atomic-file.js';
import { join, relative, resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { readClusterInventory } from '../../inventory/cluster.js';
import { findKubeconfig } from '../../addons/kubeconfig.js';
import { ADDON_SECRETS, ensureSecrets, REGISTRY_CREDENTIALS_ENV, registryServer, type SecretStatus } from '../../addons/secrets.js';
import { buildTfvars, type TerraformVars } from '../../addons/tfvars.js';

export const TFVARS_FILE = 'cluster.auto.tfvars.json';

export interface AddonsTfvarsOptions {
  configPath?: string;
  inventoryPath: string;
  terraformDir: string;
  kubeconfig?: string;
  context?: string;
  /** Print the variables as JSON instead of writing files (no passwords are generated). */
  json: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  write?: (text: string) => void;
  /**
   * Makes the project's etcd backup key pair on first use (src/etcd/backup-key.ts, given by the command):
   * the CronJob seals for its public half. Without it no key is made and the variable is left out.
   */
  ensureBackupKey?: (cwd: string) => Promise<{ publicKeyPath: string; privateKeyPath: string; created: boolean }>;
}

export interface AddonsTfvarsResult {
  vars: TerraformVars;
  file?: string;
  secrets: SecretStatus[];
  /** Registry of the optional login in TF_VAR_registry_credentials (the login itself is never read back). */
  registry?: string;
}

export async function addonsTfvarsCommand(options: AddonsTfvarsOptions): Promise<AddonsTfvarsResult> {
  const cwd = options.cwd ?? process.cwd();
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const { config } = await loadConfig({ explicitPath: options.configPath, cwd });
  const inventory = await readClusterInventory(resolve(cwd, options.inventoryPath), { requireIPv4: true });
  const kubeconfig = await findKubeconfig({
    clusterName: config.cluster.name,
    explicitPath: options.kubeconfig,
    explicitContext: options.context,
    cwd,
    home: options.home,
  });
  const backupKey = config.addons.etcdBackup && !options.json && options.ensureBackupKey ? await options.ensureBackupKey(cwd) : undefined;
  const { vars, derived } = buildTfvars({ config, inventory, kubeconfig, etcdBackupPublicKey: backupKey?.publicKeyPath });
  const env = options.env ?? process.env;
  // Checked before anything is written; Terraform reads the variable itself, it never goes into a file.
  const registry = registryServer(env);

  if (options.json) {
    write(`${JSON.stringify(vars, null, 2)}\n`);
    return { vars, secrets: [], registry };
  }

  const dir = resolve(cwd, options.terraformDir);
  await mkdir(dir, { recursive: true });
  const file = join(dir, TFVARS_FILE);
  await writeFileAtomic(file, `${JSON.stringify(vars, null, 2)}\n`, { mode: 0o644 });

  const wanted = ADDON_SECRETS.filter((s) =>
    s.usedBy === 'traefik' ? vars.addons.traefik : s.usedBy === 'monitoring' ? vars.addons.monitoring : true,
  );
  const secrets = await ensureSecrets(join(dir, 'secrets'), wanted, env);

  const show = (path: string) => relative(cwd, path) || path;
  const lines = [`wrote ${show(file)} (kubeconfig ${show(kubeconfig.path)}${kubeconfig.context ? `, context ${kubeconfig.context}` : ''})`];
  for (const line of derived) lines.push(`  ${line}`);
  if (backupKey) {
    lines.push(
      backupKey.created
        ? `  etcd backup key: generated ${show(backupKey.privateKeyPath)} (mode 0600); keep a copy off this machine: without it no backup can be opened`
        : `  etcd backup key: ${show(backupKey.privateKeyPath)} (backups are sealed for ${show(backupKey.publicKeyPath)})`,
    );
  }
  for (const s of secrets) {
    const what =
      s.source === 'environment'
        ? `from TF_VAR_${s.spec.variable}`
        : s.source === 'generated'
          ? `generated into ${show(s.path)} (mode 0600)`
          : `kept in ${show(s.path)}${s.tightened ? ' (mode tightened to 0600)' : ''}`;
    lines.push(`  ${s.spec.file}: ${what}`);
  }
  if (registry) {
    const pulling = [vars.addons.adguard && 'adguard', vars.addons.etcd_backup && 'etcd backups'].filter(Boolean).join(' and ');
    lines.push(
      `  registry login for ${registry}: from ${REGISTRY_CREDENTIALS_ENV}${pulling ? ` (image pulls of ${pulling})` : ' (unused: adguard and etcd backups are off)'}`,
    );
  }
  write(`${lines.join('\n')}\n`);
  return { vars, file, secrets, registry };
}
