import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { clusterHosts } from '../../src/inventory/cluster.js';

/** pi-hosts as the add-ons read it. */
const parseInventory = (text: string, label?: string) => clusterHosts(text, label, { requireIPv4: true });
import { buildTfvars, defaultRange, subnetAround, type TfvarsResult } from '../../src/addons/tfvars.js';
import { parseConfigText } from '../../src/config/load.js';
import { parseCidr, type Cidr } from '../../src/config/net.js';
import { UserError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';

const fixtures = join(packageRoot(), 'test', 'fixtures', 'addons');
const kubeconfig = { path: '/home/me/lab/.pi-cluster/kubeconfig', context: 'lab' };
const threeNodes = '[masters]\npi0 ansible_host=198.51.100.10\n[workers]\npi1 ansible_host=198.51.100.11\npi2 ansible_host=198.51.100.12\n';

async function sample(): Promise<TfvarsResult> {
  const config = parseConfigText(await readFile(join(fixtures, 'pi-cluster.yaml'), 'utf8'));
  const inventory = parseInventory(await readFile(join(fixtures, 'pi-hosts'), 'utf8'));
  return buildTfvars({ config, inventory, kubeconfig });
}

function build(yaml: string, hosts = threeNodes): TfvarsResult {
  return buildTfvars({ config: parseConfigText(yaml), inventory: parseInventory(hosts), kubeconfig });
}

function problems(yaml: string, hosts = threeNodes): string {
  try {
    build(yaml, hosts);
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    assert.match(error.hint ?? '', /nothing was written/);
    return error.message;
  }
  assert.fail('expected the settings to be rejected');
}

const withNfs = 'nfs:\n  server: 198.51.100.5\n';

test('the sample config and inventory give the expected subnet, ranges, addresses and paths', async () => {
  const { vars, derived } = await sample();
  assert.deepEqual(vars.cluster, { name: 'lab', domain: 'lab.home.arpa' });
  assert.deepEqual(vars.kubeconfig, kubeconfig);
  assert.deepEqual(vars.network, {
    subnet: '198.51.100.0/24',
    nodes: { pi0: '198.51.100.10', pi1: '198.51.100.11', pi2: '198.51.100.12' },
    metallb_range: '198.51.100.200-198.51.100.250',
    traefik_ip: '198.51.100.200',
    adguard_ip: '198.51.100.201',
  });
  assert.equal(vars.pod_cidr, '10.244.0.0/16');
  assert.deepEqual(vars.nfs, { server: '198.51.100.5', path: '/srv/nfs/lab', backup_path: '/srv/nfs/lab-etcd' });
  assert.deepEqual(vars.addons, {
    flannel: true,
    metallb: true,
    traefik: true,
    adguard: true,
    monitoring: true,
    dashboard: true,
    etcd_backup: true,
  });
  // Every derived value is reported, so the user sees what was chosen for them.
  assert.equal(derived.length, 4);
  assert.match(derived[0], /network\.subnet 198\.51\.100\.0\/24/);
});

test('configured values are used as they are, and switches map to Terraform names', () => {
  const { vars, derived } = build(
    `${withNfs}network:\n  subnet: 198.51.100.0/24\n  metallb:\n    range: 198.51.100.100-198.51.100.120\n  services:\n    traefik: 198.51.100.110\n    adguard: 198.51.100.111\naddons:\n  etcdBackup: false\n  monitoring: false\n`,
  );
  assert.deepEqual(derived, []);
  assert.equal(vars.network.metallb_range, '198.51.100.100-198.51.100.120');
  assert.equal(vars.network.traefik_ip, '198.51.100.110');
  assert.equal(vars.network.adguard_ip, '198.51.100.111');
  assert.equal(vars.addons.etcd_backup, false);
  assert.equal(vars.addons.monitoring, false);
});

test('the subnet is derived from the nodes: a /24, widened until it holds them all', () => {
  assert.equal(format(subnetAround(['198.51.100.10', '198.51.100.200'])), '198.51.100.0/24');
  assert.equal(format(subnetAround(['10.0.2.10', '10.0.3.10'])), '10.0.2.0/23');
  assert.equal(format(subnetAround(['10.0.0.10', '10.0.9.10'])), '10.0.0.0/20');
});

test('the default MetalLB range is .200-.250 of the last /24, scaled down in small subnets', () => {
  const range = (cidr: string) => {
    const r = defaultRange(parseCidr(cidr) as Cidr);
    return r && `${r.start}-${r.end}`;
  };
  assert.equal(range('192.168.1.0/24'), '192.168.1.200-192.168.1.250');
  assert.equal(range('10.1.0.0/16'), '10.1.255.200-10.1.255.250');
  assert.equal(range('192.168.1.128/25'), '192.168.1.228-192.168.1.253');
  assert.equal(range('192.168.1.0/30'), undefined);
});

test('a MetalLB range outside the subnet is rejected, naming the setting', () => {
  // No subnet in the file: the range is checked against the subnet derived from the nodes.
  const message = problems(
    `${withNfs}network:\n  metallb:\n    range: 203.0.113.200-203.0.113.250\n  services:\n    traefik: 203.0.113.200\n    adguard: 203.0.113.201\n`,
  );
  assert.match(message, /network\.metallb\.range: 203\.0\.113\.200-203\.0\.113\.250 is not inside the subnet 198\.51\.100\.0\/24/);
});

test('a MetalLB range that overlaps node addresses is rejected, naming each node', () => {
  const message = problems(`${withNfs}network:\n  metallb:\n    range: 198.51.100.5-198.51.100.20\n`);
  assert.match(message, /overlaps node pi0 \(198\.51\.100\.10\)/);
  assert.match(message, /overlaps node pi2 \(198\.51\.100\.12\)/);
  assert.match(message, /3 problems|4 problems/);
});

test('a node outside the configured subnet, or a range on the broadcast address, is rejected', () => {
  assert.match(
    problems(`${withNfs}network:\n  subnet: 198.51.100.0/25\n`, `${threeNodes}pi3 ansible_host=198.51.100.130\n`),
    /node pi3 \(198\.51\.100\.130\) is outside 198\.51\.100\.0\/25/,
  );
  assert.match(
    problems(`${withNfs}network:\n  metallb:\n    range: 198.51.100.240-198.51.100.255\n`),
    /includes the network or broadcast address/,
  );
});

test('two services on one address, and a pod network inside the LAN, are rejected', () => {
  assert.match(
    problems(
      `${withNfs}network:\n  metallb:\n    range: 198.51.100.200-198.51.100.210\n  services:\n    traefik: 198.51.100.205\n    adguard: 198.51.100.205\n`,
    ),
    /traefik and adguard both ask for 198\.51\.100\.205/,
  );
  assert.match(problems(`${withNfs}kubernetes:\n  podCidr: 198.51.0.0/16\n`), /kubernetes\.podCidr: 198\.51\.0\.0\/16 overlaps the LAN/);
});

test('AdGuard and etcd backups without an NFS server are rejected; without them NFS is optional', () => {
  assert.match(problems(''), /nfs\.server: not set, but addons\.adguard and addons\.etcdBackup keep data on NFS/);
  const { vars } = build('addons:\n  adguard: false\n  etcdBackup: false\n');
  assert.equal(vars.nfs.server, null);
});

test('add-ons whose dependencies are off are rejected', () => {
  assert.match(problems(`${withNfs}addons:\n  traefik: false\n`), /addons\.monitoring: its web page is served through Traefik/);
  assert.match(problems(`${withNfs}addons:\n  metallb: false\n`), /addons\.traefik: needs a LAN address from MetalLB/);
});

function format(cidr: Cidr): string {
  return `${cidr.network}/${cidr.prefix}`;
}
