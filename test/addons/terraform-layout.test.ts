import { skipUnless } from '../helpers/requires.js';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { parse } from '@cdktf/hcl2json';
import { parse as parseYaml } from 'yaml';
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
  assert.ok(tfFiles.length >= 35, `expected the root and 10 modules, found ${tfFiles.length} files`);
  for (const file of tfFiles) await assert.doesNotReject(hcl(file), `${relative(TERRAFORM_DIR, file)} does not parse`);
});

/** The generic modules; every other folder under modules/ is an add-on. */
const GENERIC = ['helm-release', 'manifests', 'registry-secret'];

test('the root and every module have main, variables, outputs and versions', () => {
  assert.deepEqual(modules.sort(), [
    'adguard',
    'etcd-backup',
    'flannel',
    'headlamp',
    'helm-release',
    'manifests',
    'metallb',
    'monitoring',
    'registry-secret',
    'traefik',
  ]);
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

interface PinsFile {
  providers: Record<string, { version: string }>;
  charts: Record<string, { repository: string; chart: string; version: string; images: string[] }>;
  images: Record<string, { image: string }>;
}
const pinsFile = parseYaml(readFileSync(join(TERRAFORM_DIR, 'pins.yaml'), 'utf8')) as PinsFile;

test('providers are pinned to exact versions, the same everywhere and as in pins.yaml; helm has the 3.1.1 fixes', async () => {
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
  assert.deepEqual(
    Object.fromEntries(pins),
    Object.fromEntries(Object.entries(pinsFile.providers).map(([source, p]) => [source, String(p.version)])),
  );
  // 3.0.x loses a release Helm left failed (#1669) and errors after a chart version bump (#1664, fixed in 3.1.1).
  const [major, minor, patch] = (pins.get('hashicorp/helm') as string).split('.').map(Number);
  assert.ok(major === 3 && (minor > 1 || (minor === 1 && patch >= 1)), `hashicorp/helm ${pins.get('hashicorp/helm')} is older than 3.1.1`);
});

test('every chart and image is pinned once, in pins.yaml, to a fixed version; modules default to the pin', async () => {
  for (const [name, chart] of Object.entries(pinsFile.charts)) {
    assert.match(String(chart.version), /^v?\d+\.\d+\.\d+$/, `charts.${name}: not a fixed version`);
    assert.match(chart.repository, /^https:\/\/\S+$/, `charts.${name}: no https repository`);
    for (const image of [...(chart.images ?? [])]) assert.match(image, /:[\w][\w.-]*$/, `charts.${name}: ${image} has no tag`);
  }
  for (const [name, { image }] of Object.entries(pinsFile.images))
    assert.match(image, /:[\w][\w.-]*$/, `images.${name}: ${image} has no tag`);
  // No version literal anywhere else: chart_version and image variables default to null (the pin).
  for (const module of modules.filter((m) => !GENERIC.includes(m))) {
    for (const [name, variable] of await named(join(TERRAFORM_DIR, 'modules', module), 'variable')) {
      if (name === 'chart_version' || /image$/.test(name))
        assert.equal(variable.default, null, `${module}: variable ${name} has a default of its own instead of the pin`);
    }
  }
});

test('every helm_release undoes a failed install (atomic) and has timeouts that fit a Pi', async () => {
  let releases = 0;
  for (const file of tfFiles) {
    for (const [name, blocks] of Object.entries(
      (((await hcl(file)).resource as Record<string, unknown> | undefined)?.helm_release ?? {}) as Record<string, Block[]>,
    )) {
      const where = `${relative(TERRAFORM_DIR, file)}: helm_release.${name}`;
      const release = blocks[0];
      releases += 1;
      assert.ok(release.atomic === true || release.atomic === '${var.atomic}', `${where} is not atomic`);
      assert.ok(release.cleanup_on_fail === true || release.cleanup_on_fail === '${var.atomic}', `${where} has no cleanup_on_fail`);
      assert.ok(release.timeout !== undefined, `${where} has no timeout`);
      assert.ok(release.timeouts !== undefined, `${where} has no timeouts (the provider's 20-minute default)`);
    }
  }
  assert.equal(releases, 2);
  const atomic = (await named(join(TERRAFORM_DIR, 'modules', 'helm-release'), 'variable')).get('atomic');
  assert.equal(atomic?.default, true);
});

test('one Helm release pattern: add-ons call modules/helm-release with a repository and their pinned chart_version', async () => {
  // helm_release appears only in the two generic modules: charts from a repository, and the local manifests chart.
  const owners = new Set<string>();
  for (const file of tfFiles) {
    const releases = Object.keys(
      (((await hcl(file)).resource as Record<string, unknown> | undefined)?.helm_release ?? {}) as Record<string, Block[]>,
    );
    if (releases.length) owners.add(relative(TERRAFORM_DIR, join(file, '..')));
  }
  assert.deepEqual([...owners].sort(), ['modules/helm-release', 'modules/manifests'], 'only the generic modules may declare helm_release');

  const charts: string[] = [];
  for (const module of modules.filter((m) => !GENERIC.includes(m))) {
    const dir = join(TERRAFORM_DIR, 'modules', module);
    const calls = [...(await named(dir, 'module'))].filter(([, block]) => block.source === '../helm-release');
    const hasChart = (await named(dir, 'variable')).has('chart_version');
    assert.equal(calls.length, hasChart ? 1 : 0, `${module}: ${hasChart ? 'has chart_version but no' : 'calls'} ../helm-release`);
    for (const [name, call] of calls) {
      assert.equal(call.repository, '${local.chart.repository}', `${module}: module.${name} does not take its repository from the pin`);
      assert.equal(call.chart, '${local.chart.chart}', `${module}: module.${name} does not take its chart from the pin`);
      assert.equal(call.chart_version, '${local.chart.version}', `${module}: module.${name} does not use the pinned chart_version`);
      const render = readFileSync(join(dir, 'render.tf'), 'utf8');
      const key = /\.charts\["([\w-]+)"\]/.exec(render)?.[1];
      assert.ok(key && pinsFile.charts[key], `${module}: render.tf reads no chart of pins.yaml`);
      charts.push(`${module}:${pinsFile.charts[key].chart}`);
    }
  }
  assert.deepEqual(charts.sort(), [
    'flannel:flannel',
    'headlamp:headlamp',
    'metallb:metallb',
    'monitoring:kube-prometheus-stack',
    'traefik:traefik',
  ]);
});

test('the root passes each module only inputs it declares, and every input without a default', async () => {
  const calls = await named(TERRAFORM_DIR, 'module');
  assert.deepEqual([...calls.keys()].sort(), ['adguard', 'etcd_backup', 'flannel', 'headlamp', 'metallb', 'monitoring', 'traefik']);
  const meta = new Set(['source', 'count', 'depends_on', 'providers', 'for_each']);
  const nested = await Promise.all(modules.map(async (m) => [m, await named(join(TERRAFORM_DIR, 'modules', m), 'module')] as const));
  const allCalls: Array<readonly [string, string, Block]> = [...calls].map(
    ([name, block]) => [`root ${name}`, TERRAFORM_DIR, block] as const,
  );
  for (const [module, inner] of nested)
    for (const [name, block] of inner) allCalls.push([`${module} ${name}`, join(TERRAFORM_DIR, 'modules', module), block]);
  const bySource = (source: string) => allCalls.filter(([, , block]) => block.source === source).length;
  assert.equal(allCalls.length, 20, 'expected 7 add-on calls in the root, 6 of manifests, 5 of helm-release and 2 of registry-secret');
  assert.equal(bySource('../manifests'), 6);
  assert.equal(bySource('../helm-release'), 5);
  assert.equal(bySource('../registry-secret'), 2);
  for (const [label, from, block] of allCalls) {
    const target = join(from, String(block.source));
    const declared = await named(target, 'variable');
    const passed = Object.keys(block).filter((k) => !meta.has(k));
    for (const input of passed)
      assert.ok(declared.has(input), `${label}: ${input} is not a variable of ${relative(TERRAFORM_DIR, target)}`);
    for (const [name, variable] of declared) {
      if (!('default' in variable)) assert.ok(passed.includes(name), `${label}: required input ${name} is not passed`);
    }
  }
});

test('render.tf files hold only locals, so the offline tests evaluate the real expressions', async () => {
  const renders = tfFiles.filter((f) => f.endsWith('render.tf'));
  assert.equal(renders.length, 9);
  for (const file of renders)
    assert.deepEqual(Object.keys(await hcl(file)), ['locals'], `${relative(TERRAFORM_DIR, file)} has more than locals`);
  // Every template is used by some render.tf (and so rendered by the manifest tests).
  const templates = walk(TERRAFORM_DIR, (name) => name.endsWith('.tftpl')).map((t) => t.split('/').pop() as string);
  const text = renders.map((f) => readFileSync(f, 'utf8')).join('\n');
  for (const template of templates) assert.ok(text.includes(`/${template}"`), `template ${template} is used by no render.tf`);
});

test('the secrets, state and generated variables are git-ignored; every secret variable is sensitive', async () => {
  const ignore = readFileSync(join(TERRAFORM_DIR, '.gitignore'), 'utf8');
  for (const pattern of ['/cluster.auto.tfvars.json', '/secrets/', '/.terraform/', '/*.tfstate'])
    assert.ok(ignore.includes(pattern), `terraform/.gitignore lacks ${pattern}`);
  const root = await named(TERRAFORM_DIR, 'variable');
  for (const name of ['traefik_dashboard_password', 'grafana_admin_password', 'registry_credentials']) {
    assert.equal(root.get(name)?.sensitive, true, `${name} is not marked sensitive`);
    assert.ok(!('default' in (root.get(name) ?? {})) || root.get(name)?.default === null, `${name} has a default other than null`);
  }
  // In every module too: anything named like a password or credentials.
  for (const dir of [TERRAFORM_DIR, ...modules.map((m) => join(TERRAFORM_DIR, 'modules', m))]) {
    for (const [name, block] of await named(dir, 'variable')) {
      if (/password|credentials|set_sensitive/.test(name))
        assert.equal(block.sensitive, true, `${relative(TERRAFORM_DIR, dir) || 'root'}: ${name} is not sensitive`);
    }
  }
});
