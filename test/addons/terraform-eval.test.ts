import { skipUnless } from '../helpers/requires.js';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { clusterHosts } from '../../src/inventory/cluster.js';

/** pi-hosts as the add-ons read it. */
const parseInventory = (text: string, label?: string) => clusterHosts(text, label, { requireIPv4: true });
import { buildTfvars, type TerraformVars } from '../../src/addons/tfvars.js';
import { parseConfigText } from '../../src/config/load.js';
import { packageRoot } from '../../src/paths.js';
import { generateKeyPairSync } from 'node:crypto';
import { evaluate, hasTerraform, renderFiles, validateVariables } from './terraform.js';

const skip = skipUnless(hasTerraform, 'terraform is not installed');
const root = { module: '.', names: ['variables.tf'] };
const fixtures = join(packageRoot(), 'test', 'fixtures', 'addons');

async function sampleVars(): Promise<TerraformVars> {
  const config = parseConfigText(await readFile(join(fixtures, 'pi-cluster.yaml'), 'utf8'));
  const inventory = parseInventory(await readFile(join(fixtures, 'pi-hosts'), 'utf8'));
  return buildTfvars({
    config,
    inventory,
    kubeconfig: { path: '/tmp/kubeconfig', context: 'lab' },
    etcdBackupPublicKey: '/tmp/etcd-backup.pub',
  }).vars;
}

function withNetwork(vars: TerraformVars, network: Partial<TerraformVars['network']>): TerraformVars {
  return { ...vars, network: { ...vars.network, ...network } };
}

test('Terraform accepts the variables the CLI writes for the sample config', { skip }, async () => {
  const vars = await sampleVars();
  assert.equal(vars.etcd_backup_public_key, '/tmp/etcd-backup.pub');
  assert.equal(validateVariables(root, vars), undefined);
  // The backup needs the key the CLI names; without the backup it does not.
  const { etcd_backup_public_key: _key, ...withoutKey } = vars;
  assert.match(validateVariables(root, withoutKey) ?? '', /etcd_backup_public_key is not set: run `pi-cluster addons tfvars`/);
  assert.equal(validateVariables(root, { ...withoutKey, addons: { ...vars.addons, etcd_backup: false } }), undefined);
});

test("Terraform's own checks reject what the CLI would reject too", { skip }, async () => {
  const vars = await sampleVars();
  const cases: Array<[string, TerraformVars, RegExp]> = [
    [
      'range over the nodes',
      withNetwork(vars, { metallb_range: '198.51.100.5-198.51.100.220' }),
      /metallb_range 198\.51\.100\.5-198\.51\.100\.220 overlaps node addresses \(pi0=198\.51\.100\.10/,
    ],
    [
      'range outside the subnet',
      withNetwork(vars, { metallb_range: '203.0.113.200-203.0.113.250' }),
      /must be host addresses inside the subnet 198\.51\.100\.0\/24/,
    ],
    [
      'subnet with host bits',
      withNetwork(vars, { subnet: '198.51.100.7/24' }),
      /network\.subnet 198\.51\.100\.7\/24 is not a network in CIDR form/,
    ],
    ['not an address', withNetwork(vars, { traefik_ip: '198.51.100.300' }), /must be IPv4 addresses/],
    [
      'service outside the range',
      withNetwork(vars, { adguard_ip: '198.51.100.150' }),
      /must be two different addresses inside metallb_range/,
    ],
    ['range backwards', withNetwork(vars, { metallb_range: '198.51.100.250-198.51.100.200' }), /ends before it starts/],
    ['pod CIDR', { ...vars, pod_cidr: '10.244.0.0/33' }, /pod_cidr 10\.244\.0\.0\/33 is not a network/],
    ['Grafana without Traefik', { ...vars, addons: { ...vars.addons, traefik: false } }, /reached through Traefik/],
  ];
  for (const [label, bad, message] of cases) {
    const error = validateVariables(root, bad);
    assert.ok(error, `${label}: Terraform accepted it`);
    assert.match(error.replace(/\s*│\s*/g, ' ').replace(/\s+/g, ' '), message, `${label}: ${error}`);
  }
});

test('MetalLB: the fixed addresses get their own pool, the rest of the range stays assignable', { skip }, () => {
  const pools = (range: string, reserved: string[]) =>
    evaluate(renderFiles('metallb'), { address_range: range, reserved_addresses: reserved }, 'local.pools');
  assert.deepEqual(pools('198.51.100.200-198.51.100.250', ['198.51.100.201', '198.51.100.200']), [
    { name: 'default', addresses: ['198.51.100.202-198.51.100.250'], auto_assign: true },
    { name: 'fixed', addresses: ['198.51.100.200/32', '198.51.100.201/32'], auto_assign: false },
  ]);
  // Cut in the middle and at the end; a one-address gap becomes a /32.
  assert.deepEqual(pools('10.0.0.10-10.0.1.20', ['10.0.0.255', '10.0.1.20', '10.0.0.12', '192.0.2.1']), [
    { name: 'default', addresses: ['10.0.0.10-10.0.0.11', '10.0.0.13-10.0.0.254', '10.0.1.0-10.0.1.19'], auto_assign: true },
    { name: 'fixed', addresses: ['10.0.0.12/32', '10.0.0.255/32', '10.0.1.20/32'], auto_assign: false },
  ]);
  assert.deepEqual(pools('10.0.0.10-10.0.0.11', ['10.0.0.10', '10.0.0.11']), [
    { name: 'fixed', addresses: ['10.0.0.10/32', '10.0.0.11/32'], auto_assign: false },
  ]);
});

test("modules' own variable checks: flannel backend, backup retention, password length", { skip }, () => {
  assert.match(validateVariables(renderFiles('flannel'), { backend: 'ipip' }) ?? '', /backend must be host-gw, vxlan or wireguard/);
  assert.match(validateVariables(renderFiles('flannel'), { cni_bin_dir: 'opt/cni' }) ?? '', /cni_bin_dir must be an absolute path/);
  const nfs = { server: '198.51.100.5', path: '/srv/backups' };
  const keys = generateKeyPairSync('x25519');
  const public_key = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.equal(validateVariables(renderFiles('etcd-backup'), { nfs, public_key }), undefined);
  assert.match(
    validateVariables(renderFiles('etcd-backup'), { nfs, public_key, keep: 0 }) ?? '',
    /keep must be a whole number of snapshots, at least 1/,
  );
  assert.match(validateVariables(renderFiles('etcd-backup'), { nfs, public_key, schedule: 'nightly' }) ?? '', /5-field cron expression/);
  const private_key = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.match(
    validateVariables(renderFiles('etcd-backup'), { nfs, public_key: private_key }) ?? '',
    /public_key must be a PEM public key [\s\S]*never the\s+private key/,
  );
  const traefik = { load_balancer_ip: '198.51.100.200', dashboard_host: 'traefik.home.arpa' };
  assert.match(
    validateVariables(renderFiles('traefik'), { ...traefik, dashboard_password: 'short' }) ?? '',
    /password is missing or shorter than 12/,
  );
  assert.match(
    validateVariables(renderFiles('monitoring'), { grafana_host: 'g', grafana_admin_password: '' }) ?? '',
    /Grafana admin password is missing/,
  );
});

test('the generic Helm release: its checks, and secret values as sorted string --set entries', { skip }, () => {
  const chart = {
    name: 'traefik',
    namespace: 'traefik',
    chart: 'traefik',
    repository: 'https://traefik.github.io/charts',
    chart_version: '39.0.8',
  };
  const files = renderFiles('helm-release');
  assert.equal(validateVariables(files, chart), undefined);
  assert.equal(
    validateVariables(files, { name: 'objects', namespace: 'traefik', chart: './chart' }),
    undefined,
    'a local chart needs no version',
  );
  const rejected: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'unpinned',
      { ...chart, chart_version: null },
      /chart_version must be set for a chart from a repository \(https:\/\/traefik\.github\.io\/charts\): pin it/,
    ],
    ['a range', { ...chart, chart_version: '~> 39.0' }, /one exact version such as 39\.0\.8, not a range/],
    ['plain http', { ...chart, repository: 'http://charts.example' }, /https:\/\/ or oci:\/\/ URL/],
    ['long name', { ...chart, name: 'x'.repeat(54) }, /at most 53 characters/],
    ['bad values', { ...chart, values: ['a: [1'] }, /must be a YAML document/],
    ['timeout', { ...chart, timeout: 0 }, /whole number of seconds/],
  ];
  for (const [label, vars, message] of rejected) {
    const error = validateVariables(files, vars);
    assert.ok(error, `${label}: Terraform accepted it`);
    assert.match(error.replace(/\s*│\s*/g, ' ').replace(/\s+/g, ' '), message, `${label}: ${error}`);
  }
  const plain = 'nonsensitive([for s in local.set_sensitive : { for k, v in s : k => nonsensitive(v) }])';
  assert.deepEqual(evaluate(files, { ...chart, set_sensitive: { 'b.password': '0123', 'a.enabled': 'true' } }, plain), [
    { name: 'a.enabled', type: 'string', value: 'true' },
    { name: 'b.password', type: 'string', value: '0123' },
  ]);
  assert.equal(evaluate(files, chart, 'nonsensitive(local.set_sensitive)'), null);
  // Terraform's deadline covers Helm's wait and the atomic clean-up after it (the provider's default is 20m).
  assert.deepEqual(evaluate(files, chart, 'local.timeouts'), { create: '25m', update: '25m', delete: '15m' });
  assert.deepEqual(evaluate(files, { ...chart, timeout: 1200 }, 'local.timeouts'), { create: '45m', update: '45m', delete: '25m' });
});

test(
  'registry credentials: checked at the root, rendered as a dockerconfigjson Secret (Docker Hub under its own key)',
  { skip },
  async () => {
    const vars = await sampleVars();
    const login = { server: 'docker.io', username: 'lab', password: 'pull:s3cret' };
    // As a user passes it: TF_VAR_registry_credentials, never a file or the command line.
    const fromEnv = (value: unknown) => ({ TF_VAR_registry_credentials: JSON.stringify(value) });
    assert.equal(validateVariables(root, vars, fromEnv(login)), undefined);
    for (const bad of [
      { ...login, server: 'https://docker.io' },
      { ...login, password: '' },
      { ...login, username: ' ' },
    ]) {
      const error = validateVariables(root, vars, fromEnv(bad)) ?? '';
      assert.match(
        error.replace(/\s*│\s*/g, ' ').replace(/\s+/g, ' '),
        /registry_credentials \(TF_VAR_registry_credentials\) needs server/,
      );
      // Terraform prints the values a failed condition names: the login must not be among them.
      assert.ok(!/pull:s3cret|"lab"/.test(error), `the error shows the login:\n${error}`);
    }
    const config = (server: string) =>
      JSON.parse(
        evaluate(
          renderFiles('registry-secret'),
          { namespace: 'adguard', credentials: { ...login, server } },
          'nonsensitive(local.dockerconfigjson)',
        ) as string,
      );
    assert.deepEqual(config('docker.io'), {
      auths: {
        'https://index.docker.io/v1/': {
          username: 'lab',
          password: 'pull:s3cret',
          auth: Buffer.from('lab:pull:s3cret').toString('base64'),
        },
      },
    });
    assert.deepEqual(Object.keys(config('registry.lab.home.arpa:5000').auths), ['registry.lab.home.arpa:5000']);
  },
);
