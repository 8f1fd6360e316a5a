import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { clusterHosts, readClusterInventory } from '../../src/inventory/cluster.js';
import { packageRoot } from '../../src/paths.js';

const fixtures = join(packageRoot(), 'test', 'fixtures');

test('masters and workers with their addresses and comments; other groups and :vars are left to Ansible', () => {
  const text =
    '[masters]\npi0 ansible_host=198.51.100.10   # Raspberry Pi 4, dc:a6:32:00:00:10\n[workers]\n198.51.100.11\n[nas]\nstore ansible_host=198.51.100.5\n[all:vars]\nansible_user=root\n';
  const cluster = clusterHosts(text);
  assert.deepEqual(cluster.hosts, [
    {
      name: 'pi0',
      groups: ['masters'],
      role: 'masters',
      ansibleHost: '198.51.100.10',
      address: '198.51.100.10',
      comment: 'Raspberry Pi 4, dc:a6:32:00:00:10',
      line: 2,
    },
    { name: '198.51.100.11', groups: ['workers'], role: 'workers', address: '198.51.100.11', line: 4 },
  ]);
  assert.deepEqual(
    cluster.masters.map((h) => h.name),
    ['pi0'],
  );
});

test("bootstrap's fixture: masters, workers, addresses and the model/MAC comment", async () => {
  const inv = clusterHosts(await readFile(join(fixtures, 'bootstrap', 'pi-hosts'), 'utf8'));
  assert.deepEqual(
    inv.hosts.map((h) => [h.name, h.address, h.role]),
    [
      ['pi0', '198.51.100.10', 'masters'],
      ['pi1', '198.51.100.11', 'workers'],
      ['pi2', '198.51.100.12', 'workers'],
    ],
  );
  assert.match(inv.hosts[0].comment ?? '', /dc:a6:32:00:00:10/);
});

test("the add-ons' fixture: hosts, groups and addresses; comments and :vars skipped; IPv4 addresses required", async () => {
  const read = (text: string, label?: string) => clusterHosts(text, label, { requireIPv4: true });
  const inventory = read(await readFile(join(fixtures, 'addons', 'pi-hosts'), 'utf8'));
  assert.deepEqual(
    inventory.masters.map(({ name, address, role }) => ({ name, address, role })),
    [{ name: 'pi0', address: '198.51.100.10', role: 'masters' }],
  );
  assert.deepEqual(
    inventory.workers.map((h) => h.name),
    ['pi1', 'pi2'],
  );
  assert.equal(inventory.hosts.length, 3);
  const bare = read('; a comment\n[masters]\n198.51.100.7\n[cluster:children]\nmasters\n');
  assert.deepEqual(bare.hosts, [{ name: '198.51.100.7', groups: ['masters'], role: 'masters', address: '198.51.100.7', line: 3 }]);
  assert.throws(() => read('[workers]\npi9 ansible_host=pi9.local\n', 'pi-hosts'), /pi-hosts:2: host pi9 has no IPv4 address/);
});

test('a host without an address, and a line Ansible would reject, name the file and line', () => {
  assert.throws(() => clusterHosts('[masters]\npi0\n', 'pi-hosts'), /^UserError: pi-hosts:2: pi0 has no ansible_host=/);
  assert.throws(
    () => clusterHosts('[masters\npi0 ansible_host=198.51.100.10\n', 'pi-hosts'),
    /pi-hosts:1: not a valid Ansible INI inventory/,
  );
});

test('reading: a missing file and an inventory without masters are user errors with a hint', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pic-inventory-'));
  await assert.rejects(
    readClusterInventory(join(dir, 'pi-hosts')),
    (error: Error & { hint?: string }) => /does not exist/.test(error.message) && /pi-cluster discover/.test(error.hint ?? ''),
  );
  await writeFile(join(dir, 'pi-hosts'), '[workers]\npi1 ansible_host=198.51.100.11\n');
  await assert.rejects(readClusterInventory(join(dir, 'pi-hosts')), /has no host in \[masters\]/);
});
