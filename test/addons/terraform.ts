/**
 * Runs the real `terraform` binary on the parts of terraform/ that need no provider: variables (types,
 * defaults, validation rules) and each module's render.tf (templatefile + yamldecode). `terraform console`
 * and `terraform plan` work offline on such a folder without `terraform init`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

export const TERRAFORM_DIR = resolve(fileURLToPath(new URL('../../../terraform', import.meta.url)));

const env = { ...process.env, TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' };

export const hasTerraform = spawnSync('terraform', ['version'], { env, encoding: 'utf8' }).status === 0;

/** Which files of terraform/ to use: `module` is '.' (the root) or e.g. 'modules/metallb'; `names` inside it. */
export interface Selection {
  module: string;
  names: string[];
}

/** The files of an add-on module that render without providers. */
export function renderFiles(addon: string): Selection {
  const module = `modules/${addon}`;
  return {
    module,
    names: ['variables.tf', 'render.tf', 'manifests', 'scripts'].filter((name) => existsSync(join(TERRAFORM_DIR, module, name))),
  };
}

/** A scratch copy of the selection (symlinks to the real files, same layout) with `vars` as tfvars. */
export function scratchModule(selection: Selection, vars: unknown): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'pi-cluster-tf-'));
  const dir = join(root, selection.module);
  mkdirSync(dir, { recursive: true });
  for (const name of selection.names) symlinkSync(join(TERRAFORM_DIR, selection.module, name), join(dir, name));
  // Modules reach the shared templates and the pins as ${path.module}/../../templates and ../../pins.yaml.
  symlinkSync(join(TERRAFORM_DIR, 'templates'), join(root, 'templates'));
  symlinkSync(join(TERRAFORM_DIR, 'pins.yaml'), join(root, 'pins.yaml'));
  writeFileSync(join(dir, 'test.auto.tfvars.json'), JSON.stringify(vars));
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface TerraformRun {
  status: number | null;
  stdout: string;
  /** stderr without colour codes. */
  stderr: string;
}

/** `extraEnv` adds variables such as TF_VAR_<name>, the way a user passes secrets. */
export function terraform(dir: string, args: string[], input?: string, extraEnv: NodeJS.ProcessEnv = {}): TerraformRun {
  const result = spawnSync('terraform', args, { cwd: dir, env: { ...env, ...extraEnv }, input, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: stripVTControlCharacters(result.stderr) };
}

/** Evaluates `expression` in a module folder made of `files`, with `vars`; returns its value. */
export function evaluate(files: Selection, vars: unknown, expression: string): unknown {
  const scratch = scratchModule(files, vars);
  try {
    const run = terraform(scratch.dir, ['console'], `jsonencode(${expression})\n`);
    if (run.status !== 0 || !run.stdout.trim().startsWith('"')) {
      throw new Error(`terraform console failed (${run.status}):\n${run.stderr}${run.stdout}`);
    }
    return JSON.parse(JSON.parse(run.stdout.trim()) as string);
  } finally {
    scratch.cleanup();
  }
}

/** Runs `terraform plan` on variables only: undefined when they pass, else Terraform's error text. */
export function validateVariables(files: Selection, vars: unknown, extraEnv: NodeJS.ProcessEnv = {}): string | undefined {
  const scratch = scratchModule(files, vars);
  try {
    const run = terraform(scratch.dir, ['plan', '-input=false', '-no-color', '-lock=false', '-refresh=false'], undefined, extraEnv);
    return run.status === 0 ? undefined : run.stderr + run.stdout;
  } finally {
    scratch.cleanup();
  }
}
