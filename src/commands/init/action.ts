import { resolve } from 'node:path';
import { exampleConfigText, writeExampleConfig } from '../../config/example-file.js';
import { CONFIG_FILE, expandHome } from '../../config/load.js';
import { generateKeyIfMissing } from '../../config/ssh-keys.js';

export interface InitOptions {
  path?: string;
  force: boolean;
  stdout: boolean;
  /** Create ~/.ssh/id_ed25519 when the user has no key pair. */
  generateKey: boolean;
  write?: (text: string) => void;
}

/** `pi-cluster init`: the commented starting config to a file (or stdout), and an SSH key pair if asked. */
export async function initCommand(options: InitOptions): Promise<string | undefined> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  if (options.stdout) {
    write(await exampleConfigText());
    return undefined;
  }
  const target = resolve(expandHome(options.path ?? CONFIG_FILE));
  await writeExampleConfig(target, options.force);
  write(`wrote ${target}\n`);
  if (options.generateKey) await generateKeyIfMissing(write);
  return target;
}
