// The orchestrator against the virtual lab: preflight failures, --dry-run, a killed run that resumes,
// and a re-run of a completed bootstrap that executes no layer.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { clusterHosts } from '../../src/inventory/cluster.js';
import { runPreflight } from '../../src/bootstrap/preflight.js';
import { bootstrap } from '../../src/bootstrap/bootstrap.js';
import { loadState, planLayers } from '../../src/bootstrap/state.js';
import { LAYERS } from '../../src/bootstrap/layers.js';
import { Lab, labSkipReason } from '../lab/index.js';
import { labBootstrapOptions, labPolicy, makeProject } from './lab-helpers.js';

const skip = labSkipReason();

/** A digest of everything under the host's /etc, /opt, /usr/local and /var/lib (what a layer would change). */
async function hostDigest(lab: Lab, host: string): Promise<string> {
  const result = await lab.exec(host, [
    'sh',
    '-c',
    'find /etc /opt /usr/local /var/lib -xdev \\( -type f -o -type l \\) 2>/dev/null | sort | xargs -d "\\n" md5sum 2>/dev/null | md5sum',
  ]);
  return result.stdout.trim();
}

describe('bootstrap on the virtual lab', { skip, timeout: 1_200_000 }, () => {
  let lab: Lab;

  before(async () => {
    lab = new Lab({ name: 'pcboot' });
    await lab.up(2); // pi0 (master), pi1 (worker)
    await lab.addHost('pi2', { hostname: 'pi1' }); // a second Pi that calls itself pi1
    await lab.addHost('pi3');
  });
  after(async () => {
    await lab?.down();
  });

  it('--dry-run changes nothing on the hosts and writes no state', async () => {
    const project = makeProject(lab, [lab.host('pi0'), lab.host('pi1')]);
    const before = await hostDigest(lab, 'pi0');
    const result = await bootstrap(labBootstrapOptions(lab, project, { dryRun: true }));
    assert.equal(result.commands.length, 4, '00..30 would run');
    assert.ok(result.commands.every((argv) => argv[0] === 'ansible-playbook' && argv.includes(project.inventory)));
    assert.equal(await hostDigest(lab, 'pi0'), before);
    assert.equal(existsSync(join(project.dir, '.pi-cluster', 'state.json')), false);
    assert.equal(existsSync(join(project.dir, '.pi-cluster', 'logs')), false);
  });

  it('preflight finds a stopped host, a wrong host key and a duplicate hostname, naming host and fix', async () => {
    const project = makeProject(lab, lab.hosts);
    // pi0's recorded key is replaced by pi3's: what a re-flashed Pi or an impostor looks like.
    const lines = readFileSync(project.knownHosts, 'utf8').trim().split('\n');
    const keyOf = (name: string) =>
      lines
        .find((l) => l.split(' ')[0].split(',').includes(name))!
        .split(' ')
        .slice(1)
        .join(' ');
    writeFileSync(
      project.knownHosts,
      `${lines.map((l) => (l.split(' ')[0].split(',').includes('pi0') ? `${l.split(' ')[0]} ${keyOf('pi3')}` : l)).join('\n')}\n`,
    );
    await lab.stop('pi3');
    try {
      const result = await runPreflight({
        hosts: clusterHosts(readFileSync(project.inventory, 'utf8')).hosts,
        privateKeyPath: lab.privateKeyPath,
        knownHostsPath: project.knownHosts,
        done: { prepare: false, disk: false, node: false },
        interfaceName: 'eth0',
        policy: labPolicy,
        connectTimeoutMs: 3000,
      });
      const fails = (host: string) => result.findings.filter((f) => f.host === host && f.severity === 'fail');
      assert.match(fails('pi0')[0]?.problem ?? '', /host key does not match/);
      assert.match(fails('pi0')[0]?.fix ?? '', /discover/);
      assert.match(fails('pi3')[0]?.problem ?? '', /not reachable|no SSH answer/);
      for (const host of ['pi1', 'pi2']) assert.match(fails(host)[0]?.problem ?? '', /hostname pi1 is used by pi1 and pi2/);
      assert.ok(result.ms < 15_000);
    } finally {
      await lab.start('pi3');
    }
  });

  it('Ctrl-C during a layer stops ansible-playbook and its ssh, records the layer, says how to resume, exits 130', async () => {
    const project = makeProject(lab, [lab.host('pi0'), lab.host('pi1')]);
    const bin = fileURLToPath(new URL('../../../bin/pi-cluster.js', import.meta.url));
    // The real command, as a user runs it against the lab (`make demo` does the same).
    const child = spawn(
      process.execPath,
      [bin, 'bootstrap', '--to', '30-node', '--ssh-key', lab.privateKeyPath, '-e', 'pi_cluster_lab=true', '--yes'],
      {
        cwd: project.dir,
        env: { ...process.env, CI: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait until 10-prepare's playbook is under way (state.json names it), then give Ansible a moment to be in a task.
    const statePath = join(project.dir, '.pi-cluster', 'state.json');
    const deadline = Date.now() + 120_000;
    while (!(existsSync(statePath) && /"running":\s*\{\s*"layer":\s*"10-prepare"/.test(readFileSync(statePath, 'utf8')))) {
      assert.ok(Date.now() < deadline, `10-prepare never started; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1500));
    const ansibleOf = () => spawnSync('pgrep', ['-f', `ansible-playbook.*${project.inventory}`], { encoding: 'utf8' }).stdout.trim();
    assert.notEqual(ansibleOf(), '', 'ansible-playbook runs before the signal');
    child.kill('SIGINT'); // what a terminal's Ctrl-C sends to the foreground process (pi-cluster)

    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /Stopped during 10-prepare; `pi-cluster bootstrap` resumes at 10-prepare/);
    assert.doesNotMatch(stderr, /internal error/);
    assert.equal(ansibleOf(), '', 'no ansible-playbook is left running');
    // ssh calls of the stopped workers (a ControlPersist master renames itself "ssh: PATH [mux]" and may stay:
    // it is the shared connection, which ends on its own).
    const sshOf = () => spawnSync('pgrep', ['-f', `ssh .*${lab.privateKeyPath}`], { encoding: 'utf8' }).stdout.trim();
    for (let i = 0; i < 30 && sshOf() !== ''; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(sshOf(), '', 'no ssh of the run is left');
    const state = await loadState(join(project.dir, '.pi-cluster'));
    assert.equal(state.running, undefined);
    assert.equal(state.lastFailure?.layer, '10-prepare');
    assert.match(state.lastFailure?.message ?? '', /stopped by the user/);
    assert.equal(state.layers['10-prepare'], undefined, 'the layer is not marked done');
    assert.ok(state.layers['00-preflight'], 'the layer before it stays done');
  });

  it('a run killed in the middle of 30-node resumes at 30-node; a completed run re-executes no layer', async () => {
    const project = makeProject(lab, [lab.host('pi0'), lab.host('pi1'), lab.host('pi3')]);
    const options = labBootstrapOptions(lab, project);
    const child = spawn(process.execPath, [fileURLToPath(new URL('./lab-child.js', import.meta.url))], {
      env: { ...process.env, PI_CLUSTER_TEST_OPTIONS: JSON.stringify({ ...options, report: undefined }) },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true, // its own process group: the kill takes ansible-playbook and ssh with it
    });
    const killed = await new Promise<boolean>((resolve) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        if (/LAYER 30-node TASK 8\n/.test(buffer)) {
          process.kill(-child.pid!, 'SIGKILL');
          resolve(true);
        }
      });
      child.on('exit', () => resolve(false));
    });
    assert.ok(killed, 'the child was killed during 30-node');
    await new Promise((r) => setTimeout(r, 500));

    const state = await loadState(join(project.dir, '.pi-cluster'));
    assert.deepEqual(Object.keys(state.layers).sort(), ['00-preflight', '10-prepare', '20-disk']);
    assert.equal(state.running?.layer, '30-node');
    const { inputsHash } = state.layers['10-prepare'];
    const plan = planLayers(LAYERS, state, inputsHash, { to: '30-node' });
    assert.deepEqual(
      plan.filter((p) => p.run).map((p) => p.layer.id),
      ['30-node'],
    );

    const resumed = await bootstrap(options);
    assert.deepEqual(
      resumed.outcomes.filter((o) => o.status === 'ran').map((o) => o.title.split(':')[0]),
      ['preflight', '30-node'],
    );
    const after = await loadState(join(project.dir, '.pi-cluster'));
    assert.ok(after.layers['30-node']);
    assert.equal(after.running, undefined);

    const t0 = Date.now();
    const again = await bootstrap(options); // preflight included: what a user waits for
    const ms = Date.now() - t0;
    assert.deepEqual(
      again.outcomes.filter((o) => o.status === 'ran').map((o) => o.title.split(':')[0]),
      ['preflight'],
      'no layer re-executed',
    );
    assert.ok(ms < 5000, `re-run took ${ms} ms`);

    // reset: runs 90-reset on every host (no kubeadm in the lab: the clean-up part), the state follows.
    await lab.exec('pi1', ['sh', '-c', 'echo {} > /etc/cni/net.d/10-flannel.conflist']);
    writeFileSync(join(project.dir, '.pi-cluster', 'kubeconfig'), 'stale');
    const withCluster = await loadState(join(project.dir, '.pi-cluster'));
    withCluster.layers['40-control-plane'] = { doneAt: 't', inputsHash: inputsHash };
    const { saveState } = await import('../../src/bootstrap/state.js');
    await saveState(join(project.dir, '.pi-cluster'), withCluster);
    const { reset } = await import('../../src/bootstrap/reset.js');
    await reset({
      config: options.config,
      cwd: project.dir,
      inventoryPath: 'pi-hosts',
      privateKeyPath: lab.privateKeyPath,
      extraVars: options.extraVars,
      report: () => {},
    });
    const afterReset = await loadState(join(project.dir, '.pi-cluster'));
    assert.deepEqual(Object.keys(afterReset.layers).sort(), ['00-preflight', '10-prepare', '20-disk', '30-node']);
    assert.equal(existsSync(join(project.dir, '.pi-cluster', 'kubeconfig')), false);
    assert.equal((await lab.exec('pi1', ['sh', '-c', 'ls -A /etc/cni/net.d; test -d /etc/cni/net.d && echo kept'])).stdout.trim(), 'kept');
  });
});
