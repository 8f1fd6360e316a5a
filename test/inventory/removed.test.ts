// `pi-cluster node remove` marks a host removed in pi-hosts: checked with the real `ansible-inventory --list`,
// with pi-cluster's own readers (bootstrap's cluster view) and with discover's merge.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { clusterHosts } from '../../src/inventory/cluster.js';
import { mergeInventory, parseInventory, formatInventory } from '../../src/inventory/ini.js';
import { markRemoved, removedHosts } from '../../src/inventory/removed.js';
import { hasProgram, skipUnless } from '../helpers/requires.js';

const TEXT = `# pi-hosts: written by pi-cluster discover, edited by hand
[masters]
pi0 ansible_host=198.51.100.10  # Raspberry Pi 4, dc:a6:32:00:00:10

[workers]
pi1 ansible_host=198.51.100.11  # Raspberry Pi 4, dc:a6:32:00:00:11
; my note about pi2
pi2 ansible_host=198.51.100.12  # Raspberry Pi 5, 2c:cf:67:00:00:12
pi3 ansible_host=198.51.100.13

[gpu]
pi2

[all:vars]
ansible_user=root
`;

function ansibleList(text: string): { groups: Record<string, string[]>; hostvars: Record<string, Record<string, unknown>> } {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-removed-'));
  writeFileSync(join(dir, 'pi-hosts'), text);
  const json = JSON.parse(execFileSync('ansible-inventory', ['-i', join(dir, 'pi-hosts'), '--list', '--export'], { encoding: 'utf8' }));
  const groups: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(json as Record<string, { hosts?: string[] }>)) if (value.hosts) groups[name] = value.hosts;
  return { groups, hostvars: json._meta?.hostvars ?? {} };
}

describe('removed hosts in pi-hosts', () => {
  const marked = markRemoved(TEXT, 'pi2', new Date('2026-11-30T22:00:00Z'));

  it('every line of the host becomes a marker comment; every other line stays byte for byte', () => {
    assert.deepEqual(marked.lines, [8, 12]);
    const before = TEXT.split('\n');
    const after = marked.text.split('\n');
    assert.equal(after.length, before.length);
    for (let i = 0; i < before.length; i++) {
      if (i === 7 || i === 11) assert.equal(after[i], `# removed by pi-cluster 2026-11-30: ${before[i]}`);
      else assert.equal(after[i], before[i]);
    }
    assert.deepEqual(removedHosts(marked.text), [{ name: 'pi2', date: '2026-11-30', line: 8 }]);
    assert.equal(markRemoved(TEXT, 'pi9').text, TEXT, 'a host not listed: unchanged');
  });

  it(
    'Ansible no longer sees the host in any group; pi-cluster reads the same masters and workers',
    { skip: skipUnless(hasProgram('ansible-inventory'), 'no ansible-inventory') },
    () => {
      const listed = ansibleList(marked.text);
      assert.deepEqual(listed.groups.workers, ['pi1', 'pi3']);
      assert.deepEqual(listed.groups.masters, ['pi0']);
      assert.equal(listed.groups.gpu, undefined, 'the group is empty');
      assert.equal(listed.hostvars.pi2, undefined);
      assert.equal(listed.hostvars.pi3?.ansible_host, '198.51.100.13');
      const cluster = clusterHosts(marked.text);
      assert.deepEqual(
        cluster.workers.map((h) => h.name),
        listed.groups.workers,
      );
      assert.deepEqual(
        cluster.hosts.map((h) => h.name),
        ['pi0', 'pi1', 'pi3'],
      );
    },
  );

  it("discover's merge does not add a removed Pi that still answers, and says why", () => {
    const found = ['pi0', 'pi1', 'pi2', 'pi3'].map((name, i) => ({ name, address: `198.51.100.1${i}` }));
    const merged = mergeInventory(parseInventory(marked.text), found, () => 'workers');
    assert.deepEqual(
      merged.changes.filter((c) => c.kind !== 'address'),
      [{ kind: 'removed', name: 'pi2', date: '2026-11-30', address: '198.51.100.12' }],
    );
    assert.equal(formatInventory(merged.inventory), marked.text);
  });
});
