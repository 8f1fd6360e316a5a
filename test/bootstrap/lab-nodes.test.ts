// Nodes in and out on the virtual lab: bootstrap after a Pi was added runs the layers only on it (the hosts done
// already only learn its /etc/hosts line), and `node remove` in lab mode resets the host, drops its /etc/hosts
// line on the others and marks it removed.
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bootstrap } from '../../src/bootstrap/bootstrap.js';
import { LAYERS, type Layer } from '../../src/bootstrap/layers.js';
import { layerInputs, loadState, planLayers } from '../../src/bootstrap/state.js';
import { extraVars } from '../../src/bootstrap/vars.js';
import type { AnsibleEvent } from '../../src/ansible/index.js';
import { clusterHosts } from '../../src/inventory/cluster.js';
import { removedHosts } from '../../src/inventory/removed.js';
import { removeNode, type RemoveOptions } from '../../src/nodes/remove.js';
import { loadRemoveState } from '../../src/nodes/remove-state.js';
import { Lab, labSkipReason } from '../lab/index.js';
import { labBootstrapOptions, makeProject, type Project } from './lab-helpers.js';

const skip = labSkipReason();
const MARK = '/run/pi-cluster-test-mark';

/** Files under /etc, /opt, /usr/local and /var/lib changed since the mark (what a layer would change). */
async function changedSinceMark(lab: Lab, host: string): Promise<string[]> {
  const result = await lab.exec(host, [
    'sh',
    '-c',
    `find /etc /opt /usr/local /var/lib -xdev -newer ${MARK} \\( -type f -o -type l \\) | sort`,
  ]);
  return result.stdout.split('\n').filter(Boolean);
}

describe('nodes in and out on the virtual lab', { skip, timeout: 600_000 }, () => {
  let lab: Lab;
  let project: Project;

  before(async () => {
    lab = new Lab({ name: 'pcnodes' });
    await lab.up(3); // pi0 (master), pi1 (worker), pi2: the Pi discover finds later (pi3: a later test adds it)
    project = makeProject(lab, [lab.host('pi0'), lab.host('pi1')]);
  });
  after(async () => {
    await lab?.down();
  });

  /** `node remove NAME` in lab mode on the project, as the CLI would call it. */
  const removeOptions = (name: string, over: Partial<RemoveOptions> = {}): RemoveOptions => {
    const stateDir = join(project.dir, '.pi-cluster');
    const base = labBootstrapOptions(lab, project);
    return {
      name,
      cwd: project.dir,
      inventoryPath: 'pi-hosts',
      stateDir,
      privateKeyPath: lab.privateKeyPath,
      knownHostsPath: project.knownHosts,
      clusterVars: extraVars({ config: base.config, stateDir, extra: base.extraVars }),
      dryRun: false,
      lab: true,
      report: () => {},
      ...over,
    };
  };

  it('bootstrap after a Pi was added runs the layers on it alone; the others only learn its /etc/hosts line', async () => {
    await bootstrap(labBootstrapOptions(lab, project));
    for (const host of ['pi0', 'pi1']) await lab.exec(host, ['sh', '-c', `touch ${MARK}; sleep 1.1`]);
    const pi2 = lab.host('pi2');
    appendFileSync(project.inventory, `${pi2.name} ansible_host=${pi2.ip}  # lab ${pi2.mac}\n`); // under [workers]

    const dry = await bootstrap(labBootstrapOptions(lab, project, { dryRun: true }));
    const plan10 = dry.outcomes.find((o) => o.title.startsWith('10-prepare'))?.plan ?? [];
    assert.match(plan10[0], /^pi2 only \(pi0, pi1 done\)/);
    assert.ok(plan10[1].includes('--limit pi2'), plan10[1]);
    const plan30 = dry.outcomes.find((o) => o.title.startsWith('30-node'))?.plan ?? [];
    assert.match(plan30.join('\n'), /then \/etc\/hosts on pi0, pi1 \(they learn pi2\)/);

    const recaps: Array<[string, string[]]> = [];
    const viewHosts = new Map<string, string[]>(); // what the live per-host view is told to show
    const onAnsibleEvent = (layer: Layer, event: AnsibleEvent, hosts: string[]) => {
      if (event.event === 'recap') recaps.push([layer.id, Object.keys(event.hosts).sort()]);
      if (!viewHosts.has(layer.id)) viewHosts.set(layer.id, hosts);
    };
    const result = await bootstrap(labBootstrapOptions(lab, project, { onAnsibleEvent }));
    assert.deepEqual(
      result.outcomes.filter((o) => o.status === 'ran').map((o) => o.title.split(':')[0]),
      ['preflight', '00-preflight', '10-prepare', '20-disk', '30-node'],
    );
    // Ansible's own recap: every playbook of the layers worked on pi2 alone, then /etc/hosts on pi0 and pi1
    // (00-preflight checks the whole inventory on this machine, contacting no host).
    assert.deepEqual(recaps, [
      ['00-preflight', ['pi0', 'pi1', 'pi2']],
      ['10-prepare', ['pi2']],
      ['20-disk', ['pi2']],
      ['30-node', ['pi2']],
      ['30-node', ['pi0', 'pi1']],
    ]);
    assert.deepEqual(viewHosts.get('10-prepare'), ['pi2']);
    const state = await loadState(join(project.dir, '.pi-cluster'));
    assert.deepEqual(state.layers['10-prepare'].ranOn, ['pi2']);
    assert.deepEqual(Object.keys(state.layers['30-node'].hosts ?? {}), ['pi0', 'pi1', 'pi2']);
    for (const host of ['pi0', 'pi1']) {
      assert.deepEqual(await changedSinceMark(lab, host), ['/etc/hosts'], `${host}: nothing but /etc/hosts changed`);
      assert.match((await lab.exec(host, ['cat', '/etc/hosts'])).stdout, new RegExp(`${pi2.ip.replace(/\./g, '\\.')} pi2`));
    }
    assert.match((await lab.exec('pi2', ['cat', '/etc/hosts'])).stdout, /pi0\n.*pi1\n.*pi2/s);

    const again = await bootstrap(labBootstrapOptions(lab, project));
    assert.deepEqual(
      again.outcomes.filter((o) => o.status === 'ran').map((o) => o.title.split(':')[0]),
      ['preflight'],
    );
  });

  it('node remove in lab mode: Kubernetes steps skipped, the host reset, pi-hosts marks it removed; a re-run has nothing to do', async () => {
    await lab.exec('pi2', ['sh', '-c', 'mkdir -p /etc/cni/net.d && echo {} > /etc/cni/net.d/10-flannel.conflist']);
    for (const host of ['pi0', 'pi1']) await lab.exec(host, ['sh', '-c', `touch ${MARK}; sleep 1.1`]);
    const stateDir = join(project.dir, '.pi-cluster');
    const recaps: string[][] = [];
    const options = removeOptions('pi2', {
      onAnsibleEvent: (event: AnsibleEvent) => void (event.event === 'recap' && recaps.push(Object.keys(event.hosts))),
    });
    const textBefore = readFileSync(project.inventory, 'utf8');
    const result = await removeNode(options);
    assert.deepEqual(
      result.outcomes.map((o) => `${o.step}:${o.status}`),
      ['drain:skipped-lab', 'delete-node:skipped-lab', 'reset:ran', 'forget-hosts:ran', 'mark-removed:ran'],
    );
    assert.deepEqual(recaps, [['pi2'], ['pi0', 'pi1']], 'the reset worked on pi2 alone, then /etc/hosts on the others');
    assert.equal((await lab.exec('pi2', ['sh', '-c', 'ls -A /etc/cni/net.d'])).stdout.trim(), '', 'reset cleaned pi2');
    for (const host of ['pi0', 'pi1']) {
      assert.deepEqual(await changedSinceMark(lab, host), ['/etc/hosts'], `${host}: nothing but /etc/hosts changed`);
      const etcHosts = (await lab.exec(host, ['cat', '/etc/hosts'])).stdout;
      const block = /# BEGIN pi-cluster nodes\n(.*)# END pi-cluster nodes/s.exec(etcHosts)?.[1];
      assert.equal(block, `${lab.host('pi0').ip} pi0\n${lab.host('pi1').ip} pi1\n`, `${host}: pi2 gone from the block`);
    }

    const text = readFileSync(project.inventory, 'utf8');
    const pi2Line = textBefore.split('\n').find((l) => l.startsWith('pi2 '))!;
    assert.equal(text, textBefore.replace(pi2Line, `# removed by pi-cluster ${new Date().toISOString().slice(0, 10)}: ${pi2Line}`));
    assert.deepEqual(
      clusterHosts(text).hosts.map((h) => h.name),
      ['pi0', 'pi1'],
    );
    assert.deepEqual(
      removedHosts(text).map((h) => h.name),
      ['pi2'],
    );
    const saved = await loadRemoveState(stateDir, 'pi2');
    assert.deepEqual(Object.keys(saved?.done ?? {}), ['reset', 'forget-hosts', 'mark-removed']);

    const rerun = await removeNode(options);
    assert.ok(rerun.alreadyRemoved);
    // The layers stay done for the hosts left: the next bootstrap runs none.
    const inventory = clusterHosts(text);
    const plan = planLayers(LAYERS, await loadState(stateDir), layerInputs(inventory, options.clusterVars), { to: '30-node' });
    assert.deepEqual(
      plan.filter((p) => p.run).map((p) => p.layer.id),
      [],
    );
  });

  it('node remove while another host that stays is down: a warning names it, the ones that answer are updated', async () => {
    const pi3 = await lab.addHost('pi3');
    appendFileSync(project.inventory, `${pi3.name} ansible_host=${pi3.ip}  # lab ${pi3.mac}\n`);
    copyFileSync(lab.knownHostsPath, project.knownHosts); // the lab's file now has pi3's key too
    await bootstrap(labBootstrapOptions(lab, project)); // layers on pi3 alone; pi0 and pi1 learn its line
    assert.match((await lab.exec('pi0', ['cat', '/etc/hosts'])).stdout, / pi3\n/);
    await lab.stop('pi1');
    try {
      const warnings: string[] = [];
      const result = await removeNode(
        removeOptions('pi3', { report: (event) => void (event.kind === 'warn' && warnings.push(event.message)) }),
      );
      assert.deepEqual(
        result.outcomes.map((o) => `${o.step}:${o.status}`),
        ['drain:skipped-lab', 'delete-node:skipped-lab', 'reset:ran', 'forget-hosts:ran', 'mark-removed:ran'],
      );
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(
        warnings[0]!,
        /^pi1 did not answer: its \/etc\/hosts still lists pi3 \(updated: pi0; log: .*node-remove-pi3-hosts\.log\)$/,
      );
      assert.doesNotMatch((await lab.exec('pi0', ['cat', '/etc/hosts'])).stdout, / pi3\n/);
      assert.deepEqual(
        removedHosts(readFileSync(project.inventory, 'utf8')).map((h) => h.name),
        ['pi2', 'pi3'],
      );
    } finally {
      await lab.start('pi1');
    }
  });
});
