/**
 * discover and pi-hosts agree with the fixed addresses of pi-cluster.yaml (issue 13), against virtual
 * Pis running real avahi-daemon and OpenSSH: a Pi whose avahi is stopped is found at its configured
 * address over SSH; an address mDNS contradicts is refused, naming both.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inventoryHosts, parseInventory } from '../../src/inventory/ini.js';
import { Lab, labSkipReason } from '../lab/index.js';
import { runDiscover, tempProject } from './run.js';

const SILENT_ADDRESS = '198.51.100.51';

function config(hosts: Record<string, string>): string {
  return [
    'hosts:',
    ...Object.entries(hosts).map(([name, address]) => `  ${name}: {address: ${address}}`),
    'network:',
    '  subnet: 198.51.100.0/24',
    '  gateway: 198.51.100.1',
    '',
  ].join('\n');
}

function addresses(cwd: string): Record<string, string | undefined> {
  const hosts = inventoryHosts(parseInventory(readFileSync(join(cwd, 'pi-hosts'), 'utf8')));
  return Object.fromEntries(hosts.map((h) => [h.name, h.ansibleHost]));
}

describe('discover with fixed addresses from pi-cluster.yaml (virtual Pis)', { skip: labSkipReason() }, () => {
  let lab: Lab;
  let base: { interfaces: string[]; sshKey: string; masters: string };

  before(async () => {
    lab = new Lab({ name: 'fixdisc' });
    await lab.addHost('pi0');
    await lab.addHost('pi1', { ip: SILENT_ADDRESS });
    // pi1 stops announcing itself: only its fixed address can find it.
    await lab.exec('pi1', ['rc-service', 'avahi-daemon', 'stop']);
    // The stop returns once the signal is sent; on a busy machine the daemon takes a moment to go.
    let left = '';
    for (let i = 0; i < 50; i++) {
      left = (await lab.exec('pi1', ['sh', '-c', 'pidof avahi-daemon || true'])).stdout.trim();
      if (left === '') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(left, '', 'avahi-daemon still runs on pi1 5 s after its stop');
    base = { interfaces: [lab.bridgeInterface], sshKey: lab.privateKeyPath, masters: '1' };
  });
  after(async () => {
    await lab?.down();
  });

  it('without the config, the Pi that does not announce itself is not found (the lab is what the test says)', async () => {
    const cwd = tempProject();
    const run = await runDiscover(cwd, { ...base, timeout: '3s' });
    assert.equal(run.error, undefined, run.error?.stack);
    assert.deepEqual(addresses(cwd), { pi0: lab.host('pi0').ip });
  });

  it('finds pi1 at hosts.pi1.address over SSH, checks its key and facts, and writes it into pi-hosts', async () => {
    const cwd = tempProject();
    writeFileSync(join(cwd, 'pi-cluster.yaml'), config({ pi0: `${lab.host('pi0').ip}/24`, pi1: `${SILENT_ADDRESS}/24` }));
    const run = await runDiscover(cwd, { ...base, timeout: '3s' });
    assert.equal(run.error, undefined, run.error?.stack);
    assert.deepEqual(addresses(cwd), { pi0: lab.host('pi0').ip, pi1: SILENT_ADDRESS });
    const pi1 = run.result!.cluster.find((h) => h.name === 'pi1')!;
    assert.equal(pi1.source, 'config');
    assert.equal(pi1.nameFrom, 'config');
    assert.equal(pi1.facts?.hostname, 'pi1');
    assert.equal(pi1.mac, lab.host('pi1').mac, 'MAC read over SSH from the interface holding the address');
    assert.equal(pi1.hostKey?.status, 'new');
    assert.equal(run.result!.cluster.find((h) => h.name === 'pi0')!.nameFrom, 'mdns', 'pi0: mDNS and the config agree');
    assert.match(run.out, /pi1 .*found at its fixed address \(pi-cluster\.yaml\)/);
    const knownHosts = readFileSync(join(cwd, '.pi-cluster/known_hosts'), 'utf8');
    assert.match(knownHosts, new RegExp(`^pi1,[^ ]*${SILENT_ADDRESS.replace(/\./g, '\\.')}`, 'm'), knownHosts);
  });

  it('refuses a host whose mDNS address contradicts the config, naming both, and leaves it out of pi-hosts', async () => {
    const cwd = tempProject();
    writeFileSync(join(cwd, 'pi-cluster.yaml'), config({ pi0: '198.51.100.20/24', pi1: `${SILENT_ADDRESS}/24` }));
    const run = await runDiscover(cwd, { ...base, timeout: '3s' });
    assert.ok(run.error, 'discover must fail');
    assert.match(
      run.error.message,
      new RegExp(
        `pi0 \\(announces ${lab.host('pi0').ip.replace(/\./g, '\\.')} over mDNS, but hosts\\.pi0\\.address in pi-cluster\\.yaml is 198\\.51\\.100\\.20\\)`,
      ),
    );
    assert.match(run.error.hint ?? '', /hosts\.pi0\.address/);
    assert.deepEqual(addresses(cwd), { pi1: SILENT_ADDRESS });
  });

  it('refuses a configured address that another host announces', async () => {
    const cwd = tempProject();
    writeFileSync(join(cwd, 'pi-cluster.yaml'), config({ pi1: `${SILENT_ADDRESS}/24`, pi2: `${lab.host('pi0').ip}/24` }));
    const run = await runDiscover(cwd, { ...base, timeout: '3s' });
    assert.ok(run.error, 'discover must fail');
    assert.match(
      run.error.message,
      new RegExp(
        `pi2 \\(hosts\\.pi2\\.address in pi-cluster\\.yaml is ${lab.host('pi0').ip.replace(/\./g, '\\.')}, but pi0 announces that address over mDNS\\)`,
      ),
    );
    assert.deepEqual(addresses(cwd), { pi0: lab.host('pi0').ip, pi1: SILENT_ADDRESS });
  });

  it('a configured Pi that is switched off is a warning, not a failure', async () => {
    const cwd = tempProject();
    writeFileSync(join(cwd, 'pi-cluster.yaml'), config({ pi1: `${SILENT_ADDRESS}/24`, pi5: '198.51.100.55/24' }));
    const run = await runDiscover(cwd, { ...base, timeout: '3s' });
    assert.equal(run.error, undefined, run.error?.stack);
    assert.match(run.err, /warning: pi5: not announced over mDNS and no SSH at its fixed address 198\.51\.100\.55 \(hosts\.pi5\.address\)/);
    assert.deepEqual(addresses(cwd), { pi0: lab.host('pi0').ip, pi1: SILENT_ADDRESS });
  });
});
