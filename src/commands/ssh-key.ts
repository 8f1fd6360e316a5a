import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { resolveSshKeys } from '../config/ssh-keys.js';
import { UserError } from '../errors.js';

/** The config and the SSH private key that bootstrap and reset log in with (--ssh-key, else ssh.privateKey, else a default key). */
const NO_KEY_HINT = 'pass --ssh-key, set ssh.privateKey in pi-cluster.yaml, or run `pi-cluster init --generate-key`';

/** `cwd`: the project folder, where pi-cluster.yaml is read and a relative --ssh-key is found. */
export async function keyAndConfig(configPath: string | undefined, sshKey: string | undefined, cwd = process.cwd()) {
  const { config } = await loadConfig({ explicitPath: configPath, cwd });
  const privateKey = sshKey ?? resolveSshKeys(config)?.privateKey;
  if (!privateKey) throw new UserError('no SSH key found', { hint: NO_KEY_HINT });
  return { config, privateKey: resolve(cwd, privateKey) };
}

/** A dry run shows the plan without a key: the key is then one of the things the real run needs. */
export async function configForDryRun(configPath: string | undefined, sshKey: string | undefined, cwd = process.cwd()) {
  const { config } = await loadConfig({ explicitPath: configPath, cwd });
  const privateKey = sshKey ?? resolveSshKeys(config)?.privateKey;
  return privateKey
    ? { config, privateKey: resolve(cwd, privateKey), needs: [] }
    : { config, privateKey: '(no SSH key)', needs: [`an SSH private key (${NO_KEY_HINT})`] };
}
