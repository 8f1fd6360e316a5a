import { skipUnless } from '../helpers/requires.js';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import { hasTerraform, TERRAFORM_DIR, terraform } from './terraform.js';

type Block = Record<string, unknown>;
type HclFile = Record<string, Record<string, Block[]> | Block[] | undefined>;

function walk(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name.startsWith('.')) return [];
    return statSync(path).isDirectory() ? walk(path, keep) : keep(name) ? [path] : [];
  });
}

const tfFiles = walk(TERRAFORM_DIR, (name) => name.endsWith('.tf'));
const modules = readdirSync(join(TERRAFORM_DIR, 'modules'));
const parsed = new Map<string, HclFile>();

async function hcl(path: string): Promise<HclFile> {
  if (!parsed.has(path)) parsed.set(path, (await parse(path, readFileSync(path, 'utf8'))) as HclFile);
  return parsed.get(path) as HclFile;
}

/** Blocks of one kind in a folder's .tf files, by name (variable "x" -> x). */
async function named(dir: string, kind: string): Promise<Map<string, Block>> {
  const out = new Map<string, Block>();
  for (const file of tfFiles.filter((f) => join(f, '..') === dir)) {
    for (const [name, blocks] of Object.entries(((await hcl(file))[kind] ?? {}) as Record<string, Block[]>)) out.set(name, blocks[0]);
  }
  return out;
}

test('terraform fmt -check -recursive passes', { skip: skipUnless(hasTerraform, 'terraform is not installed') }, () => {
  const run = terraform(TERRAFORM_DIR, ['fmt', '-check', '-recursive', '-diff', '.']);
  assert.equal(run.status, 0, `terraform fmt would change:\n${run.stdout}${run.stderr}`);
});

test('every .tf file parses as HCL', async () => {
  assert.ok(tfFiles.length >= 30, `expected the root and 8 modules, found ${tfFiles.length} files`);
  for (const file of tfFiles) await assert.doesNotReject(hcl(file), `${relative(TERRAFORM_DIR, file)} does not parse`);
});

test('the root and every module have main, variables, outputs and versions', () => {
  assert.deepEqual(modules.sort(), ['adguard', 'dashboard', 'etcd-backup', 'flannel', 'manifests', 'metallb', 'monitoring', 'traefik']);
  for (const dir of [TERRAFORM_DIR, ...modules.map((m) => join(TERRAFORM_DIR, 'modules', m))]) {
    for (const name of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf']) {
      assert.ok(tfFiles.includes(join(dir, name)), `${relative(TERRAFORM_DIR, dir) || 'root'} has no ${name}`);
    }
  }
});

test('every variable has a type and a description, every output a description', async () => {
  for (const dir of [TERRAFORM_DIR, ...modules.map((m) => join(TERRAFORM_DIR, 'modules', m))]) {
    const where = relative(TERRAFORM_DIR, dir) || 'root';
    const variables = await named(dir, 'variable');
    assert.ok(variables.size > 0, `${where} declares no variable`);
    for (const [name, block] of variables) {
      assert.ok(block.type, `${where}: variable ${name} has no type`);
      assert.ok(typeof block.description === 'string' && block.description.length > 10, `${where}: variable ${name} has no description`);
    }
    for (const [name, block] of await named(dir, 'output')) {
      assert.ok(typeof block.description === 'string' && block.description.length > 10, `${where}: output ${name} has no description`);
    }
  }
});

test('providers are pinned to exact versions, the same everywhere, and every chart has a pinned version', async () => {
  const pins = new Map<string, string>();
  for (const file of tfFiles.filter((f) => f.endsWith('versions.tf'))) {
    const terraformBlock = ((await hcl(file)).terraform as Block[])[0];
    const providers = (terraformBlock.required_providers as Array<Record<string, { source: string; version: string }>>)[0];
    for (const [name, { source, version }] of Object.entries(providers)) {
      assert.match(version, /^\d+\.\d+\.\d+$/, `${relative(TERRAFORM_DIR, file)}: ${name} is not pinned (${version})`);
      assert.equal(pins.get(source) ?? version, version, `${source} is pinned to two versions`);
      pins.set(source, version);
    }
  }
  assert.deepEqual([...pins.keys()].sort(), ['hashicorp/helm', 'hashicorp/kubernetes']);
  for (const file of tfFiles) {
    for (const [name, blocks] of Object.entries((((await hcl(file)).resource as Record<string, unknown> | undefined)?.helm_release ?? {}) as Record<string, Block[]>)) {
      const release = blocks[0];
      if (String(release.chart).includes('path.module')) continue; // the local manifests chart
      assert.ok(release.repository, `${relative(TERRAFORM_DIR, file)}: helm_release.${name} has no repository`);
      assert.match(String(release.version), /^(\$\{var\.chart_version\}|v?\d+\.\d+\.\d+)$/, `helm_release.${name} has no pinned version`);
    }
  }
  for (const module of modules) {
    const version = (await named(join(TERRAFORM_DIR, 'modules', module), 'variable')).get('chart_version');
    if (version) assert.match(String(version.default), /^v?\d+\.\d+\.\d+$/, `${module}: chart_version default is not a fixed version`);
  }
});

test('the root passes each module only inputs it declares, and every input without a default', async () => {
  const calls = await named(TERRAFORM_DIR, 'module');
  assert.deepEqual([...calls.keys()].sort(), ['adguard', 'dashboard', 'etcd_backup', 'flannel', 'metallb', 'monitoring', 'traefik']);
  const meta = new Set(['source', 'count', 'depends_on', 'providers', 'for_each']);
  const nested = await Promise.all(modules.map(async (m) => [m, await named(join(TERRAFORM_DIR, 'modules', m), 'module')] as const));
  const allCalls: Array<readonly [string, string, Block]> = [...calls].map(([name, block]) => [`root ${name}`, TERRAFORM_DIR, block] as const);
  for (const [module, inner] of nested) for (const [name, block] of inner) allCalls.push([`${module} ${name}`, join(TERRAFORM_DIR, 'modules', module), block]);
  assert.equal(allCalls.length, 13, 'expected 7 add-on calls in the root and 6 calls of the manifests module');
  for (const [label, from, block] of allCalls) {
    const target = join(from, String(block.source));
    const declared = await named(target, 'variable');
    const passed = Object.keys(block).filter((k) => !meta.has(k));
    for (const input of passed) assert.ok(declared.has(input), `${label}: ${input} is not a variable of ${relative(TERRAFORM_DIR, target)}`);
    for (const [name, variable] of declared) {
      if (!('default' in variable)) assert.ok(passed.includes(name), `${label}: required input ${name} is not passed`);
    }
  }
});

test('render.tf files hold only locals, so the offline tests evaluate the real expressions', async () => {
  const renders = tfFiles.filter((f) => f.endsWith('render.tf'));
  assert.equal(renders.length, 7);
  for (const file of renders) assert.deepEqual(Object.keys(await hcl(file)), ['locals'], `${relative(TERRAFORM_DIR, file)} has more than locals`);
  // Every template is used by some render.tf (and so rendered by the manifest tests).
  const templates = walk(TERRAFORM_DIR, (name) => name.endsWith('.tftpl')).map((t) => t.split('/').pop() as string);
  const text = renders.map((f) => readFileSync(f, 'utf8')).join('\n');
  for (const template of templates) assert.ok(text.includes(`/${template}"`), `template ${template} is used by no render.tf`);
});

test('the secrets, state and generated variables are git-ignored inside terraform/', () => {
  const ignore = readFileSync(join(TERRAFORM_DIR, '.gitignore'), 'utf8');
  for (const pattern of ['/cluster.auto.tfvars.json', '/secrets/', '/.terraform/', '/*.tfstate']) assert.ok(ignore.includes(pattern), `terraform/.gitignore lacks ${pattern}`);
  const sensitive = ['traefik_dashboard_password', 'grafana_admin_password'];
  const root = readFileSync(join(TERRAFORM_DIR, 'variables.tf'), 'utf8');
  for (const name of sensitive) assert.match(root, new RegExp(`variable "${name}" \\{[^}]*sensitive\\s+= true`, 's'), `${name} is not marked sensitive`);
});
