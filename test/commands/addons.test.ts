import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, statSync, writeFileSync, existsSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findKubeconfig } from '../../src/addons/kubeconfig.js';
import { addonsTfvarsCommand } from '../../src/commands/addons/tfvars.js';
import { UserError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';

const fixtures = join(packageRoot(), 'test', 'fixtures', 'addons');
const kubeconfigText = (contexts: string[], current: string) =>
  `apiVersion: v1\nkind: Config\ncontexts:\n${contexts.map((c) => `- name: ${c}\n  context: {cluster: c, user: u}\n`).join('')}current-context: ${current}\n`;

/** A project folder as bootstrap leaves it: pi-cluster.yaml, pi-hosts, .pi-cluster/kubeconfig. */
function project(): { dir: string; home: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-addons-'));
  copyFileSync(join(fixtures, 'pi-cluster.yaml'), join(dir, 'pi-cluster.yaml'));
  copyFileSync(join(fixtures, 'pi-hosts'), join(dir, 'pi-hosts'));
  mkdirSync(join(dir, '.pi-cluster'));
  writeFileSync(join(dir, '.pi-cluster', 'kubeconfig'), kubeconfigText(['kubernetes-admin@kubernetes'], 'kubernetes-admin@kubernetes'), {
    mode: 0o600,
  });
  const home = join(dir, 'home');
  mkdirSync(home);
  return { dir, home };
}

const mode = (path: string) => statSync(path).mode & 0o777;

test('addons tfvars writes the variables and 0600 passwords once, then keeps them', async () => {
  const { dir, home } = project();
  const out: string[] = [];
  const options = {
    inventoryPath: 'pi-hosts',
    terraformDir: 'terraform',
    json: false,
    cwd: dir,
    home,
    env: {},
    write: (t: string) => out.push(t),
  };
  const first = await addonsTfvarsCommand(options);
  const file = join(dir, 'terraform', 'cluster.auto.tfvars.json');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), first.vars);
  assert.deepEqual(first.vars.kubeconfig, { path: join(dir, '.pi-cluster', 'kubeconfig') });
  assert.equal(mode(join(dir, 'terraform', 'secrets')), 0o700);
  const passwords = ['traefik-dashboard-password', 'grafana-admin-password'].map((name) => join(dir, 'terraform', 'secrets', name));
  for (const path of passwords) {
    assert.equal(mode(path), 0o600);
    assert.match(readFileSync(path, 'utf8'), /^[\w-]{24}\n$/);
  }
  const before = passwords.map((p) => readFileSync(p, 'utf8'));
  // The output says where the passwords are, never what they are.
  for (const password of before) assert.ok(!out.join('').includes(password.trim()));

  await addonsTfvarsCommand(options);
  assert.deepEqual(
    passwords.map((p) => readFileSync(p, 'utf8')),
    before,
  );
});

test('a password in TF_VAR_... is used instead of a file, and --json writes nothing', async () => {
  const { dir, home } = project();
  const result = await addonsTfvarsCommand({
    inventoryPath: 'pi-hosts',
    terraformDir: 'terraform',
    json: false,
    cwd: dir,
    home,
    env: { TF_VAR_grafana_admin_password: 'from-the-environment' },
    write: () => {},
  });
  assert.deepEqual(
    result.secrets.map((s) => `${s.spec.file}:${s.source}`),
    ['traefik-dashboard-password:generated', 'grafana-admin-password:environment'],
  );
  assert.equal(existsSync(join(dir, 'terraform', 'secrets', 'grafana-admin-password')), false);

  const other = project();
  let printed = '';
  await addonsTfvarsCommand({
    inventoryPath: 'pi-hosts',
    terraformDir: 'terraform',
    json: true,
    cwd: other.dir,
    home: other.home,
    env: {},
    write: (t) => (printed += t),
  });
  assert.equal(JSON.parse(printed).network.metallb_range, '198.51.100.200-198.51.100.250');
  assert.equal(existsSync(join(other.dir, 'terraform')), false);
});

test('a registry login comes from TF_VAR_registry_credentials only: checked first, never written or printed', async () => {
  const { dir, home } = project();
  const login = { server: 'docker.io', username: 'lab', password: 'registry-secret-value' };
  const out: string[] = [];
  const run = (value: string, write = (t: string) => void out.push(t)) =>
    addonsTfvarsCommand({
      inventoryPath: 'pi-hosts',
      terraformDir: 'terraform',
      json: false,
      cwd: dir,
      home,
      env: { TF_VAR_registry_credentials: value },
      write,
    });
  const result = await run(JSON.stringify(login));
  assert.equal(result.registry, 'docker.io');
  assert.match(out.join(''), /registry login for docker\.io: from TF_VAR_registry_credentials \(image pulls of adguard and etcd backups\)/);
  const written = [
    join(dir, 'terraform', 'cluster.auto.tfvars.json'),
    ...['traefik-dashboard-password', 'grafana-admin-password'].map((f) => join(dir, 'terraform', 'secrets', f)),
  ];
  for (const text of [out.join(''), ...written.map((f) => readFileSync(f, 'utf8'))])
    assert.ok(!text.includes('registry-secret-value'), 'the password was written or printed');

  const bad: Array<[string, RegExp]> = [
    ['docker.io:lab:pw', /TF_VAR_registry_credentials is not JSON/],
    [JSON.stringify({ ...login, password: '' }), /needs server, username and password/],
    [JSON.stringify({ ...login, server: 'https://docker.io' }), /without https:\/\//],
    [JSON.stringify({ ...login, email: 'me@example.org' }), /fields Terraform does not know: email/],
  ];
  for (const [value, message] of bad) {
    await assert.rejects(
      run(value, () => {}),
      (e: unknown) =>
        e instanceof UserError &&
        message.test(e.message) &&
        !`${e.message}${e.hint}`.includes('registry-secret-value') &&
        !`${e.message}`.includes(value),
    );
  }
  // Unset or empty: anonymous pulls, nothing said.
  assert.equal((await run('', () => {})).registry, undefined);
});

test('the kubeconfig: .pi-cluster first, else the context named after the cluster in ~/.kube/config', async () => {
  const { dir, home } = project();
  assert.deepEqual(await findKubeconfig({ clusterName: 'lab', cwd: dir, home }), { path: join(dir, '.pi-cluster', 'kubeconfig') });
  writeFileSync(join(dir, '.pi-cluster', 'kubeconfig'), kubeconfigText(['other', 'lab'], 'other'));
  assert.deepEqual(await findKubeconfig({ clusterName: 'lab', cwd: dir, home }), {
    path: join(dir, '.pi-cluster', 'kubeconfig'),
    context: 'lab',
  });

  const bare = mkdtempSync(join(tmpdir(), 'pi-cluster-addons-'));
  mkdirSync(join(home, '.kube'));
  writeFileSync(join(home, '.kube', 'config'), kubeconfigText(['work-cluster'], 'work-cluster'));
  // ~/.kube/config holds other clusters: its current context is never taken for this one.
  await assert.rejects(
    findKubeconfig({ clusterName: 'lab', cwd: bare, home }),
    (e: unknown) => e instanceof UserError && /run `pi-cluster bootstrap` first/.test(e.hint ?? ''),
  );
  writeFileSync(join(home, '.kube', 'config'), kubeconfigText(['work-cluster', 'lab'], 'work-cluster'));
  assert.deepEqual(await findKubeconfig({ clusterName: 'lab', cwd: bare, home }), { path: join(home, '.kube', 'config'), context: 'lab' });
  await assert.rejects(findKubeconfig({ clusterName: 'lab', cwd: bare, home, explicitContext: 'nope' }), /has no context nope/);
});

test('make apply checks the pins, writes the variables, runs terraform init only when needed, then apply', () => {
  const make = (target: string, dir = packageRoot(), ...vars: string[]) =>
    spawnSync('make', ['-n', '--no-print-directory', '-C', dir, target, ...vars], { encoding: 'utf8' });
  const dry = make('apply');
  if (dry.error) return; // no make here
  const lines = dry.stdout.trim().split('\n');
  assert.equal(lines[0], 'node bin/pi-cluster.js addons check --terraform-dir terraform');
  assert.equal(lines[1], 'node bin/pi-cluster.js addons tfvars --inventory pi-hosts');
  assert.equal(make('plan').stdout.split('\n')[0], 'node bin/pi-cluster.js addons check --terraform-dir terraform');
  assert.equal(
    make('apply', packageRoot(), 'SKIP_CHECK=1').stdout.split('\n')[0],
    'node bin/pi-cluster.js addons check --terraform-dir terraform --skip-check',
  );
  assert.equal(lines.at(-1), 'terraform -chdir=terraform apply -input=false');
  assert.equal(lines.includes('terraform -chdir=terraform init -input=false'), !existsSync(join(packageRoot(), 'terraform', '.terraform')));
  assert.match(make('destroy-target').stdout, /usage: make destroy-target TARGET=module/);
  assert.match(make('tf-lint').stdout, /terraform fmt -check -diff -recursive terraform/);
});
