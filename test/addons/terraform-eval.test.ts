import { skipUnless } from '../helpers/requires.js';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseInventory } from '../../src/addons/inventory.js';
import { buildTfvars, type TerraformVars } from '../../src/addons/tfvars.js';
import { parseConfigText } from '../../src/config/load.js';
import { packageRoot } from '../../src/paths.js';
import { evaluate, hasTerraform, renderFiles, validateVariables } from './terraform.js';

const skip = skipUnless(hasTerraform, 'terraform is not installed');
const root = { module: '.', names: ['variables.tf'] };
const fixtures = join(packageRoot(), 'test', 'fixtures', 'addons');

async function sampleVars(): Promise<TerraformVars> {
  const config = parseConfigText(await readFile(join(fixtures, 'pi-cluster.yaml'), 'utf8'));
  const inventory = parseInventory(await readFile(join(fixtures, 'pi-hosts'), 'utf8'));
  return buildTfvars({ config, inventory, kubeconfig: { path: '/tmp/kubeconfig', context: 'lab' } }).vars;
}

function withNetwork(vars: TerraformVars, network: Partial<TerraformVars['network']>): TerraformVars {
  return { ...vars, network: { ...vars.network, ...network } };
}

test('Terraform accepts the variables the CLI writes for the sample config', { skip }, async () => {
  assert.equal(validateVariables(root, await sampleVars()), undefined);
});

test("Terraform's own checks reject what the CLI would reject too", { skip }, async () => {
  const vars = await sampleVars();
  const cases: Array<[string, TerraformVars, RegExp]> = [
    ['range over the nodes', withNetwork(vars, { metallb_range: '198.51.100.5-198.51.100.220' }), /metallb_range 198\.51\.100\.5-198\.51\.100\.220 overlaps node addresses \(pi0=198\.51\.100\.10/],
    ['range outside the subnet', withNetwork(vars, { metallb_range: '203.0.113.200-203.0.113.250' }), /must be host addresses inside the subnet 198\.51\.100\.0\/24/],
    ['subnet with host bits', withNetwork(vars, { subnet: '198.51.100.7/24' }), /network\.subnet 198\.51\.100\.7\/24 is not a network in CIDR form/],
    ['not an address', withNetwork(vars, { traefik_ip: '198.51.100.300' }), /must be IPv4 addresses/],
    ['service outside the range', withNetwork(vars, { adguard_ip: '198.51.100.150' }), /must be two different addresses inside metallb_range/],
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
  const pools = (range: string, reserved: string[]) => evaluate(renderFiles('metallb'), { address_range: range, reserved_addresses: reserved }, 'local.pools');
  assert.deepEqual(pools('198.51.100.200-198.51.100.250', ['198.51.100.201', '198.51.100.200']), [
    { name: 'default', addresses: ['198.51.100.202-198.51.100.250'], auto_assign: true },
    { name: 'fixed', addresses: ['198.51.100.200/32', '198.51.100.201/32'], auto_assign: false },
  ]);
  // Cut in the middle and at the end; a one-address gap becomes a /32.
  assert.deepEqual(pools('10.0.0.10-10.0.1.20', ['10.0.0.255', '10.0.1.20', '10.0.0.12', '192.0.2.1']), [
    { name: 'default', addresses: ['10.0.0.10-10.0.0.11', '10.0.0.13-10.0.0.254', '10.0.1.0-10.0.1.19'], auto_assign: true },
    { name: 'fixed', addresses: ['10.0.0.12/32', '10.0.0.255/32', '10.0.1.20/32'], auto_assign: false },
  ]);
  assert.deepEqual(pools('10.0.0.10-10.0.0.11', ['10.0.0.10', '10.0.0.11']), [{ name: 'fixed', addresses: ['10.0.0.10/32', '10.0.0.11/32'], auto_assign: false }]);
});

test("modules' own variable checks: flannel backend, backup retention, password length", { skip }, () => {
  assert.match(validateVariables(renderFiles('flannel'), { backend: 'ipip' }) ?? '', /backend must be host-gw, vxlan or wireguard/);
  assert.match(validateVariables(renderFiles('flannel'), { cni_bin_dir: 'opt/cni' }) ?? '', /cni_bin_dir must be an absolute path/);
  const nfs = { server: '198.51.100.5', path: '/srv/backups' };
  assert.equal(validateVariables(renderFiles('etcd-backup'), { nfs }), undefined);
  assert.match(validateVariables(renderFiles('etcd-backup'), { nfs, keep: 0 }) ?? '', /keep must be a whole number of snapshots, at least 1/);
  assert.match(validateVariables(renderFiles('etcd-backup'), { nfs, schedule: 'nightly' }) ?? '', /5-field cron expression/);
  const traefik = { load_balancer_ip: '198.51.100.200', dashboard_host: 'traefik.home.arpa' };
  assert.match(validateVariables(renderFiles('traefik'), { ...traefik, dashboard_password: 'short' }) ?? '', /password is missing or shorter than 12/);
  assert.match(validateVariables(renderFiles('monitoring'), { grafana_host: 'g', grafana_admin_password: '' }) ?? '', /Grafana admin password is missing/);
});
