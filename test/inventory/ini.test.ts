import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatInventory, inventoryHosts, mergeInventory, parseInventory, roleOf } from '../../src/inventory/ini.js';
import { UserError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';

const fixture = (name: string) => readFileSync(join(packageRoot(), 'test/fixtures/discover', name), 'utf8');
const found = (n: number, base = 10) => ({
  name: `pi${n}`,
  address: `198.51.100.${base + n}`,
  note: `Raspberry Pi 4 Model B Rev 1.4, dc:a6:32:00:00:${base + n}`,
});

describe('pi-hosts inventory', () => {
  it('writes a new inventory with masters, workers and a comment per host', () => {
    const hosts = [found(0), found(1), found(2)];
    const { inventory, changes } = mergeInventory(
      undefined,
      hosts,
      (name) => (name === 'pi0' ? 'masters' : 'workers'),
      '# written by pi-cluster discover',
    );
    assert.equal(
      formatInventory(inventory),
      [
        '# written by pi-cluster discover',
        '',
        '[masters]',
        'pi0 ansible_host=198.51.100.10   # Raspberry Pi 4 Model B Rev 1.4, dc:a6:32:00:00:10',
        '',
        '[workers]',
        'pi1 ansible_host=198.51.100.11   # Raspberry Pi 4 Model B Rev 1.4, dc:a6:32:00:00:11',
        'pi2 ansible_host=198.51.100.12   # Raspberry Pi 4 Model B Rev 1.4, dc:a6:32:00:00:12',
        '',
        '[all:vars]',
        'ansible_user=root',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      changes.map((c) => c.kind === 'added' && `${c.name}:${c.role}`),
      ['pi0:masters', 'pi1:workers', 'pi2:workers'],
    );
    // What we write, we read back the same.
    assert.equal(formatInventory(parseInventory(formatInventory(inventory))), formatInventory(inventory));
  });

  it('merges into a hand-edited file: one changed address rewrites one line, roles and other lines stay', () => {
    const text = fixture('pi-hosts.hand-edited');
    const existing = parseInventory(text);
    assert.equal(formatInventory(existing), text, 'round trip is exact');
    const listed = inventoryHosts(existing);
    assert.deepEqual(
      listed.map((h) => `${h.name}:${roleOf(h)}`),
      ['pi0:masters', 'pi2:masters', 'pi1:workers', 'pi4:workers'],
    );

    const hosts = [found(0), { ...found(1), address: '198.51.100.21' }, found(2), found(3)];
    const { inventory, changes } = mergeInventory(existing, hosts, () => 'workers');
    const before = text.split('\n');
    const after = formatInventory(inventory).split('\n');
    const removed = before.filter((l) => !after.includes(l));
    const added = after.filter((l) => !before.includes(l));
    assert.deepEqual(removed, ['pi1 ansible_host=198.51.100.11    # Raspberry Pi 4 Model B Rev 1.4, dc:a6:32:00:00:11']);
    assert.deepEqual(added, [
      'pi1 ansible_host=198.51.100.21   # Raspberry Pi 4 Model B Rev 1.4, dc:a6:32:00:00:11',
      'pi3 ansible_host=198.51.100.13   # Raspberry Pi 4 Model B Rev 1.4, dc:a6:32:00:00:13',
    ]);
    assert.equal(after.indexOf(added[1]), after.indexOf('pi4 ansible_host=198.51.100.14') + 1, 'new worker goes after the last worker');
    assert.deepEqual(changes, [
      { kind: 'address', name: 'pi1', from: '198.51.100.11', to: '198.51.100.21' },
      { kind: 'added', name: 'pi3', role: 'workers', address: '198.51.100.13' },
      { kind: 'missing', name: 'pi4', role: 'workers', address: '198.51.100.14' },
    ]);
  });

  it('rejects files Ansible would not read, naming the line', () => {
    const cases: Array<[string, RegExp]> = [
      ['pi-hosts.yaml-inventory', /^pi-hosts:1: not a valid Ansible INI inventory: "all:" is not a host name$/],
      ['pi-hosts.bad-section', /^pi-hosts:1: .*section header/],
      ['pi-hosts.bad-var', /^pi-hosts:3: .*expected key=value after the host name, got "198\.51\.100\.11"$/],
    ];
    for (const [name, message] of cases) {
      assert.throws(
        () => parseInventory(fixture(name)),
        (e: unknown) => e instanceof UserError && message.test(e.message) && Boolean(e.hint),
        name,
      );
    }
    assert.throws(() => parseInventory('[masters]\npi0 ansible_host="198.51.100.10\n'), /unbalanced quotes/);
  });
});
