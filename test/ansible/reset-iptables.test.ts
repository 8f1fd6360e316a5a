// The reset role's iptables clean-up, run by the real ansible-playbook with the real iptables inside a
// network namespace of its own (the machine's own rules are never touched): what kube-proxy, flannel and
// the CNI plugins made goes, a firewall of the user's stays.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { labSkipReason } from '../lab/index.js';
import { ansibleRoot, fixture, sh } from './run.js';

const skip = labSkipReason();
const netns = `pcipt${randomBytes(3).toString('hex')}`;
const inNetns = (argv: string[]) => sh('ip', ['netns', 'exec', netns, ...argv]);

async function iptables(...args: string[]): Promise<void> {
  const result = await inNetns(args);
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
}

describe('90-reset: iptables clean-up', { skip }, () => {
  before(async () => {
    assert.equal((await sh('ip', ['netns', 'add', netns])).code, 0);
    // The user's own firewall: a chain, INPUT rules and a NAT rule.
    await iptables('iptables', '-N', 'HOME-FW');
    await iptables('iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '22', '-j', 'ACCEPT');
    await iptables('iptables', '-A', 'INPUT', '-j', 'HOME-FW');
    await iptables('iptables', '-A', 'HOME-FW', '-s', '203.0.113.0/24', '-j', 'DROP');
    await iptables('iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '192.168.7.0/24', '-j', 'MASQUERADE');
    // What kube-proxy (iptables mode), flannel and the portmap CNI plugin make.
    await iptables('iptables', '-N', 'KUBE-FIREWALL');
    await iptables('iptables', '-I', 'INPUT', '-j', 'KUBE-FIREWALL');
    await iptables('iptables', '-A', 'KUBE-FIREWALL', '-m', 'mark', '--mark', '0x8000/0x8000', '-j', 'DROP');
    await iptables('iptables', '-t', 'nat', '-N', 'KUBE-SERVICES');
    await iptables(
      'iptables',
      '-t',
      'nat',
      '-A',
      'PREROUTING',
      '-m',
      'comment',
      '--comment',
      'kubernetes service portals',
      '-j',
      'KUBE-SERVICES',
    );
    await iptables('iptables', '-t', 'nat', '-N', 'CNI-HOSTPORT-DNAT');
    await iptables('iptables', '-t', 'nat', '-A', 'OUTPUT', '-j', 'CNI-HOSTPORT-DNAT');
    await iptables('iptables', '-N', 'FLANNEL-FWD');
    await iptables('iptables', '-A', 'FORWARD', '-j', 'FLANNEL-FWD');
    await iptables('iptables', '-A', 'FLANNEL-FWD', '-s', '10.244.0.0/16', '-j', 'ACCEPT');
    await iptables('ip6tables', '-N', 'KUBE-KUBELET-CANARY');
  });
  after(async () => {
    await sh('ip', ['netns', 'delete', netns]);
  });

  const runReset = () =>
    inNetns([
      'env',
      `ANSIBLE_CONFIG=${ansibleRoot()}/ansible.cfg`,
      'ansible-playbook',
      '-i',
      fixture('pi-hosts'),
      '-e',
      JSON.stringify({ role: 'reset', tasks: 'iptables', pi_cluster_hardware: true }),
      fixture('run-role-tasks.yml'),
    ]);

  it("removes the KUBE-, CNI- and FLANNEL- chains and the rules that jump to them, keeps the user's rules; a second run changes nothing", async () => {
    const first = await runReset();
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /changed=1/);
    const rules = (await inNetns(['iptables-save'])).stdout.split('\n').filter((line) => line && !line.startsWith('#'));
    const rules6 = (await inNetns(['ip6tables-save'])).stdout;
    assert.deepEqual(
      rules.filter((line) => /KUBE-|CNI-|FLANNEL-/.test(line)),
      [],
    );
    assert.doesNotMatch(rules6, /KUBE-/);
    for (const kept of [
      ':HOME-FW - [0:0]',
      '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
      '-A INPUT -j HOME-FW',
      '-A HOME-FW -s 203.0.113.0/24 -j DROP',
      '-A POSTROUTING -s 192.168.7.0/24 -j MASQUERADE',
    ]) {
      assert.ok(rules.includes(kept), `kept: ${kept}\n${rules.join('\n')}`);
    }
    const second = await runReset();
    assert.equal(second.code, 0, second.stdout);
    assert.match(second.stdout, /changed=0/);
  });
});
