/**
 * src/inventory reads pi-hosts as Ansible does: every inventory of a corpus goes through our reader and through the
 * real `ansible-inventory -i FILE --list --export` (ansible-core's INI plugin only). Where Ansible fails, we fail too;
 * where both read the file, hosts, their groups and ansible_host agree; where Ansible reads what we cannot (ranges,
 * host:port), we refuse it by name, never as a host without an address.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { UserError } from '../../src/errors.js';
import { inventoryHosts, parseInventory } from '../../src/inventory/ini.js';
import { packageRoot } from '../../src/paths.js';
import { hasProgram, skipUnless } from '../helpers/requires.js';

const skip = skipUnless(hasProgram('ansible-inventory'), 'ansible-inventory is not installed');
const fixture = (path: string) => readFileSync(join(packageRoot(), 'test', 'fixtures', path), 'utf8');
const M = '[masters]\npi0 ansible_host=198.51.100.10\n';

/** name, text, and for files Ansible reads but pi-cluster refuses on purpose: the reason our error must name. */
const CORPUS: Array<[string, string, RegExp?]> = [
  ['discover: hand-edited', fixture('discover/pi-hosts.hand-edited')],
  ['discover: bad section', fixture('discover/pi-hosts.bad-section')],
  ['discover: bad var', fixture('discover/pi-hosts.bad-var')],
  ['discover: a YAML inventory', fixture('discover/pi-hosts.yaml-inventory'), /is not a host name/],
  ['bootstrap: pi-hosts', fixture('bootstrap/pi-hosts')],
  ['bootstrap: pi-hosts-bad', fixture('bootstrap/pi-hosts-bad')],
  ['add-ons: pi-hosts', fixture('addons/pi-hosts')],
  ['an address range', '[masters]\n10.0.0.[11:12]\n', /10\.0\.0\.\[11:12\] is a host range/],
  ['a name range with an address', '[workers]\npi[1:3] ansible_host=198.51.100.5\n', /pi\[1:3\] is a host range/],
  ['a letter range in another group', `${M}[nas]\nstore-[a:c]\n`, /store-\[a:c\] is a host range/],
  ['a port after the name', '[masters]\npi5:2222 ansible_host=198.51.100.5\n', /pi5:2222 puts a port in the host name/],
  ['a port after an address', `${M}[workers]\n198.51.100.9:22\n`, /198\.51\.100\.9:22 puts a port in the host name/],
  ['a colon that is not a port', `${M}[workers]\npi5:abc ansible_host=198.51.100.5\n`],
  ['a name ending in a colon', '[masters]\npi0: ansible_host=198.51.100.10\n'],
  ['; after a host is not a comment', '[masters]\npi0 ansible_host=198.51.100.10 ; Pi 4\n'],
  ['# inside a word starts a comment', '[masters]\npi0 ansible_host=198.51.100.10#Pi 4\n'],
  ['# after a host', '[masters]\npi0 ansible_host=198.51.100.10   # Raspberry Pi 4, dc:a6:32:00:00:10\n'],
  ['; and # as whole-line comments', `; mine\n# also mine\n${M}`],
  ['quotes and escapes', '[masters]\npi0 ansible_host="198.51.100.10" node_labels="disk=ssd, zone=a" note=a\\ b\n'],
  ['an unclosed quote', '[masters]\npi0 ansible_host="198.51.100.10\n'],
  ['a token without =', '[masters]\npi0 ansible_host\n'],
  ['a host above every header, then in a group', `pi0 ansible_host=198.51.100.10\npi9 ansible_host=198.51.100.9\n${M}`],
  ['a later ansible_host wins', `${M}[workers]\npi1 ansible_host=198.51.100.21\n[storage]\npi1 ansible_host=198.51.100.11\n`],
  ['one host in two groups', `${M}[workers]\npi1 ansible_host=198.51.100.11\n[storage]\npi1\npi0\n`],
  [':children before its groups', `[k8s:children]\nmasters\nworkers\n${M}[workers]\npi1 ansible_host=198.51.100.11\n`],
  [':children naming an undefined group', `${M}[k8s:children]\nmasters\nnope\n`],
  [':vars of an undefined group', `${M}[nope:vars]\nx=1\n`],
  [':vars before its group', `[masters:vars]\nx=1\n${M}`],
  ['[g:hosts] is [g]', '[masters:hosts]\npi0 ansible_host=198.51.100.10\n'],
  ['an unknown section type', '[masters:other]\npi0 ansible_host=198.51.100.10\n'],
  ['a comment after a header', '[masters]   # the control plane\npi0 ansible_host=198.51.100.10\n'],
  ['; after a header', '[masters] ; the control plane\npi0 ansible_host=198.51.100.10\n'],
  ['spaces in a header', '[ masters ]\npi0 ansible_host=198.51.100.10\n'],
  ['spaces around = in :vars', `${M}[all:vars]\nansible_user = root\nansible_python_interpreter=/usr/bin/python3\n`],
  ['a :vars line without =', `${M}[all:vars]\nansible_user\n`],
  ['CRLF line ends', M.replace(/\n/g, '\r\n')],
  ['YAML with ---', '---\nall:\n  hosts:\n    pi0:\n', /YAML/],
];

interface Read {
  hosts: Record<string, { groups: string[]; ansibleHost?: string }>;
}

function ours(text: string): Read | UserError {
  try {
    const hosts: Read['hosts'] = {};
    for (const h of inventoryHosts(parseInventory(text)))
      hosts[h.name] = { groups: [...h.groups].sort(), ...(h.ansibleHost !== undefined ? { ansibleHost: h.ansibleHost } : {}) };
    return { hosts };
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
}

/** The file as ansible-inventory reads it (INI plugin only, no ansible.cfg of the machine), or its error. */
async function ansible(file: string, config: string): Promise<Read | string> {
  const env = {
    ...process.env,
    ANSIBLE_INVENTORY_ENABLED: 'ini',
    ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
    ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: 'true',
    ANSIBLE_CONFIG: config,
  };
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('ansible-inventory', ['-i', file, '--list', '--export'], { env, cwd: tmpdir() }));
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
  const list = JSON.parse(stdout) as Record<string, { hosts?: string[]; hostvars?: Record<string, Record<string, unknown>> }>;
  const hosts: Read['hosts'] = {};
  for (const [group, entry] of Object.entries(list)) {
    if (group === '_meta') continue;
    for (const name of entry.hosts ?? []) (hosts[name] ??= { groups: [] }).groups.push(group);
  }
  for (const [name, host] of Object.entries(hosts)) {
    host.groups.sort();
    const value = list._meta?.hostvars?.[name]?.ansible_host;
    if (value !== undefined) host.ansibleHost = String(value);
  }
  return { hosts };
}

test(
  'pi-hosts is read as ansible-inventory reads it; what Ansible reads and pi-cluster cannot is refused by name',
  { skip, timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-inventory-corpus-'));
    const config = join(dir, 'ansible.cfg');
    writeFileSync(config, '[defaults]\n');
    const verdicts = await Promise.all(
      CORPUS.map(async ([name, text], index) => {
        const file = join(dir, `pi-hosts-${index}`);
        writeFileSync(file, text);
        return { name, theirs: await ansible(file, config), mine: ours(text) };
      }),
    );
    let bothRead = 0;
    for (const [index, { name, theirs, mine }] of verdicts.entries()) {
      const refusal = CORPUS[index][2];
      if (typeof theirs === 'string') {
        assert.ok(mine instanceof UserError, `${name}: Ansible refuses it (${theirs.trim().replace(/\s+/g, ' ')}), pi-cluster read it`);
        assert.match(mine.message, /^pi-hosts:\d+: /, `${name}: the error names the line`);
        continue;
      }
      if (mine instanceof UserError) {
        assert.ok(refusal, `${name}: Ansible reads it, pi-cluster refused it: ${mine.message}`);
        assert.match(mine.message, refusal, name);
        assert.doesNotMatch(mine.message, /has no ansible_host/, name);
        continue;
      }
      assert.equal(refusal, undefined, `${name}: expected pi-cluster to refuse it`);
      assert.deepEqual(mine.hosts, theirs.hosts, name);
      bothRead++;
    }
    assert.ok(bothRead >= 12, `only ${bothRead} files read by both`);
  },
);
