// Item 4 of issue 12: pi-hosts is checked on this machine before any connection, one line per problem
// with its line number; bootstrap, reset and etcd all read it through readClusterInventory.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UserError } from '../../src/errors.js';
import { clusterHosts, readClusterInventory } from '../../src/inventory/cluster.js';

function problems(text: string, allowConnectionOverrides = false): string[] {
  try {
    clusterHosts(text, 'pi-hosts', { allowConnectionOverrides });
  } catch (error) {
    assert.ok(error instanceof UserError, String(error));
    assert.match(error.hint ?? '', /nothing was contacted/);
    const lines = error.message.split('\n');
    return lines.length === 1 ? lines : lines.slice(1);
  }
  return [];
}

const GOOD =
  '[masters]\npi0 ansible_host=198.51.100.10\n[workers]\npi1 ansible_host=pi1.home.arpa\n198.51.100.12\n[all:vars]\nansible_user=root\nansible_python_interpreter=/usr/bin/python3\n';

describe('pi-hosts checks before any connection', () => {
  test('a clean inventory passes (IPv4, DNS names, an address as the name)', () => {
    assert.deepEqual(problems(GOOD), []);
  });

  test('every problem is reported at once, one line each, with its line number, in file order', () => {
    const text = [
      '[masters]',
      'pi0 ansible_host=-oProxyCommand=x',
      'Pi_1 ansible_host=198.51.100.11',
      '[workers]',
      '10.0.0.[11:12]',
      'pi5:2222',
      'pi0 ansible_host=198.51.100.13',
      'pi6 ansible_host=198.51.100.11',
      'pi7 ansible_host=198.51.100.17',
      'pi7 ansible_host=198.51.100.17',
      'pi8 ansible_host="a b"',
    ].join('\n');
    assert.deepEqual(problems(text), [
      'pi-hosts:2: pi0: ansible_host=-oProxyCommand=x looks like an ssh option, not an address',
      'pi-hosts:3: Pi_1 is not a valid node name (lower-case letters, digits and dashes, or an IPv4 address)',
      'pi-hosts:5: 10.0.0.[11:12] is a host range; pi-cluster needs each Pi on its own line (name ansible_host=a.b.c.d)',
      'pi-hosts:6: pi5:2222 puts a port in the host name; write `pi5 ansible_host=ADDRESS ansible_port=2222`',
      'pi-hosts:7: pi0 is in both [masters] (line 2) and [workers]; keep each host in one group',
      'pi-hosts:8: pi6 has the address 198.51.100.11 of Pi_1 (line 3); each Pi has an address of its own',
      'pi-hosts:10: pi7 is listed twice in [workers] (first on line 9); keep one line',
      'pi-hosts:11: pi8: ansible_host=a b is not an IPv4 address or DNS name',
    ]);
  });

  test('connection overrides are refused on host lines and in :vars, unless allowed', () => {
    const text =
      '[masters]\npi0 ansible_host=198.51.100.10 ansible_connection=local\n[all:vars]\nansible_ssh_common_args=\'-o ProxyCommand="sh -c id"\'\nansible_ssh_extra_args=-v\n';
    assert.deepEqual(problems(text), [
      'pi-hosts:2: ansible_connection="local" overrides how Ansible connects; remove it, or pass --allow-ssh-overrides if you mean it',
      'pi-hosts:4: ansible_ssh_common_args="-o ProxyCommand=\\"sh -c id\\"" overrides how Ansible connects; remove it, or pass --allow-ssh-overrides if you mean it',
      'pi-hosts:5: ansible_ssh_extra_args="-v" overrides how Ansible connects; remove it, or pass --allow-ssh-overrides if you mean it',
    ]);
    assert.deepEqual(problems(text, true), []);
  });

  test('ports and option-like users are refused', () => {
    assert.deepEqual(problems('[masters]\npi0 ansible_host=198.51.100.10 ansible_port=99999 ansible_user=-oX\n'), [
      'pi-hosts:2: ansible_port=99999 is not a port (1-65535)',
      'pi-hosts:2: ansible_user=-oX is not a user or file (it would be read as an ssh option)',
    ]);
  });

  test('a folder given as the inventory is a user error naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pic-inv-'));
    await assert.rejects(
      readClusterInventory(dir),
      (error: unknown) => error instanceof UserError && error.message === `inventory ${dir} is a folder, not a file`,
    );
    await writeFile(join(dir, 'pi-hosts'), '[masters]\npi0 ansible_host=198.51.100.10 ansible_connection=local\n');
    await assert.rejects(readClusterInventory(join(dir, 'pi-hosts')), /ansible_connection="local" overrides/);
  });
});
