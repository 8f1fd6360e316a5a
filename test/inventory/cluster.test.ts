import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { clusterHosts, readClusterInventory } from '../../src/inventory/cluster.js';

test('masters and workers with their addresses and comments; other groups and :vars are left to Ansible', () => {
  const text = '[masters]\npi0 ansible_host=198.51.100.10   # Raspberry Pi 4, dc:a6:32:00:00:10\n[workers]\n198.51.100.11\n[nas]\nstore ansible_host=198.51.100.5\n[all:vars]\nansible_user=root\n';
  const cluster = clusterHosts(text);
  assert.deepEqual(cluster.hosts, [
    { name: 'pi0', address: '198.51.100.10', group: 'masters', comment: 'Raspberry Pi 4, dc:a6:32:00:00:10' },
    { name: '198.51.100.11', address: '198.51.100.11', group: 'workers' },
  ]);
  assert.deepEqual(cluster.masters.map((h) => h.name), ['pi0']);
});

test('a host without an address, and a line Ansible would reject, name the file and line', () => {
  assert.throws(() => clusterHosts('[masters]\npi0\n', 'pi-hosts'), /^UserError: pi-hosts:2: pi0 has no ansible_host=/);
  assert.throws(() => clusterHosts('[masters\npi0 ansible_host=198.51.100.10\n', 'pi-hosts'), /pi-hosts:1: not a valid Ansible INI inventory/);
});

test('reading: a missing file and an inventory without masters are user errors with a hint', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pic-inventory-'));
  await assert.rejects(readClusterInventory(join(dir, 'pi-hosts')), (error: Error & { hint?: string }) => /does not exist/.test(error.message) && /pi-cluster discover/.test(error.hint ?? ''));
  await writeFile(join(dir, 'pi-hosts'), '[workers]\npi1 ansible_host=198.51.100.11\n');
  await assert.rejects(readClusterInventory(join(dir, 'pi-hosts')), /has no host in \[masters\]/);
});
