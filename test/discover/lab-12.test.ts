import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inventoryHosts, parseInventory, roleOf } from '../../src/inventory/ini.js';
import { Lab, labSkipReason } from '../lab/index.js';
import { runDiscover, tempProject } from './run.js';

/** Twelve virtual Pis: all found with the right names and addresses, in one run. */
const skip = labSkipReason();

describe('discover against 12 virtual Pis', { skip }, () => {
  let lab: Lab;

  before(async () => {
    lab = new Lab({ name: 'disc' });
    await lab.up(12, { prefix: 'pi' });
  });
  after(async () => {
    await lab?.down();
  });

  it('finds all 12 with their names, addresses and MACs, and writes one master and 11 workers', async () => {
    const cwd = tempProject();
    const run = await runDiscover(cwd, {
      interfaces: [lab.bridgeInterface],
      sshKey: lab.privateKeyPath,
      masters: '1',
      timeout: '15s',
      json: true,
    });
    assert.equal(run.error, undefined, run.error?.stack);
    const result = run.result!;
    assert.deepEqual(
      result.cluster.map((h) => [h.name, h.address, h.mac, h.problem?.message]),
      lab.hosts.map((h) => [h.name, h.ip, h.mac, undefined]),
    );
    assert.ok(result.browse.elapsedMs < 8000, `stopped after ${result.browse.elapsedMs} ms of 15 s`);
    const hosts = inventoryHosts(parseInventory(readFileSync(join(cwd, 'pi-hosts'), 'utf8')));
    assert.deepEqual(
      hosts.filter((h) => roleOf(h) === 'masters').map((h) => h.name),
      ['pi0'],
    );
    assert.deepEqual(
      hosts.filter((h) => roleOf(h) === 'workers').map((h) => h.name),
      lab.hosts.slice(1).map((h) => h.name),
      'pi2 before pi10',
    );
    const json = JSON.parse(run.out) as { roles: { masters: string[]; workers: string[] }; hosts: Array<{ name: string; ok: boolean }> };
    assert.deepEqual(json.roles.masters, ['pi0']);
    assert.equal(json.hosts.filter((h) => h.ok).length, 12, '--json prints the hosts and roles, and only that, on stdout');
  });
});
