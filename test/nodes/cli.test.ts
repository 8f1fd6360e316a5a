// `pi-cluster node remove` and bootstrap for an added host, end to end through the real CLI with --dry-run
// (no hosts needed): every step and Kubernetes command shown, nothing written; refusals as one line and a hint.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { configSchema } from '../../src/config/schema.js';
import { LAYERS } from '../../src/bootstrap/layers.js';
import { layerDone, layerInputs, saveState } from '../../src/bootstrap/state.js';
import { extraVars } from '../../src/bootstrap/vars.js';
import { clusterHosts } from '../../src/inventory/cluster.js';

const bin = join(packageRoot(), 'bin', 'pi-cluster.js');
const cli = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [bin, '--no-color', ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });

const HOSTS = (masters: string[], workers: string[]) =>
  `[masters]\n${masters.map((m) => `${m}\n`).join('')}\n[workers]\n${workers.map((w) => `${w}\n`).join('')}`;

function project(inventory: string, config = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-node-cli-'));
  writeFileSync(join(dir, 'pi-hosts'), inventory);
  if (config) writeFileSync(join(dir, 'pi-cluster.yaml'), config);
  mkdirSync(join(dir, '.pi-cluster'));
  writeFileSync(join(dir, '.pi-cluster', 'known_hosts'), '');
  writeFileSync(join(dir, 'id_test'), '-----BEGIN OPENSSH PRIVATE KEY-----\n');
  return dir;
}

const pi = (n: number) => `pi${n} ansible_host=198.51.100.1${n}`;

describe('pi-cluster node remove --dry-run (CLI)', () => {
  it('a worker: drain and delete on the first master, reset --limit, the pi-hosts change; nothing written', () => {
    const dir = project(HOSTS([pi(0)], [pi(1), pi(2)]));
    const before = readFileSync(join(dir, 'pi-hosts'), 'utf8');
    const result = cli(dir, 'node', 'remove', 'pi2', '--dry-run', '--ssh-key', join(dir, 'id_test'));
    assert.equal(result.status, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /Dry run: nothing was changed\. Removing pi2 \(workers\)/);
    assert.match(
      out,
      /1\. drain: would run\n\s+ssh root@pi0: kubectl --kubeconfig \/etc\/kubernetes\/admin\.conf drain pi2 --ignore-daemonsets --delete-emptydir-data/,
    );
    assert.match(
      out,
      /2\. delete-node: would run\n\s+ssh root@pi0: kubectl --kubeconfig \/etc\/kubernetes\/admin\.conf delete node pi2 --ignore-not-found/,
    );
    assert.match(out, /3\. reset: would run\n\s+.*ansible-playbook .*--limit pi2 .*playbooks\/90-reset\.yml/);
    // The hosts that stay rewrite their /etc/hosts block without pi2 (node-hosts.yml, pi2 passed as leaving).
    assert.match(out, /4\. forget-hosts: would run\n\s+.*ansible-playbook .*--limit pi0,pi1 .*playbooks\/node-hosts\.yml/);
    assert.match(out, /5\. mark-removed: would run\n\s+pi-hosts: each line of pi2 becomes "# removed by pi-cluster DATE: <the line>"/);
    assert.doesNotMatch(out, /etcd/);
    assert.equal(readFileSync(join(dir, 'pi-hosts'), 'utf8'), before);
    assert.deepEqual(readdirSync(join(dir, '.pi-cluster')), ['known_hosts']);
  });

  it('a master (not the first): the quorum check and etcdctl member remove from the etcd pod of the master that stays', () => {
    const dir = project(HOSTS([pi(0), pi(1)], [pi(2)]));
    const result = cli(dir, 'node', 'remove', 'pi1', '--dry-run', '--ssh-key', join(dir, 'id_test'));
    assert.equal(result.status, 0, result.stderr);
    const etcdctl =
      'kubectl --kubeconfig /etc/kubernetes/admin.conf -n kube-system exec etcd-pi0 -- etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key';
    assert.ok(result.stdout.includes(`etcd on pi0: ${etcdctl} endpoint health --cluster -w simple`), result.stdout);
    assert.match(result.stdout, /refuse when the members left would have fewer healthy than floor\(members left \/ 2\) \+ 1/);
    assert.ok(result.stdout.includes(`3. etcd-member-remove: would run\n       ssh root@pi0: ${etcdctl} member list -w simple`));
    assert.ok(result.stdout.includes(`ssh root@pi0: ${etcdctl} member remove <ID of pi1 in the member list>`));
  });

  it('resumes: the steps a stopped run finished show as done before', async () => {
    const dir = project(HOSTS([pi(0)], [pi(1), pi(2)]));
    const { saveRemoveState } = await import('../../src/nodes/remove-state.js');
    await saveRemoveState(join(dir, '.pi-cluster'), {
      version: 1,
      name: 'pi2',
      role: 'workers',
      done: { drain: 't1', 'delete-node': 't2' },
    });
    const result = cli(dir, 'node', 'remove', 'pi2', '--dry-run', '--ssh-key', join(dir, 'id_test'));
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /1\. drain: done before[\s\S]*2\. delete-node: done before[\s\S]*3\. reset: would run/);
  });

  const refusals: Array<[string, string, string, RegExp, string?]> = [
    ['the last master', HOSTS([pi(0)], [pi(1)]), 'pi0', /pi0 is the last master: removing it deletes the cluster/],
    [
      'the first master without a control-plane endpoint',
      HOSTS([pi(0), pi(1)], []),
      'pi0',
      /pi0 is the first master: the nodes reach the API server at its address/,
    ],
    ['a host not in pi-hosts', HOSTS([pi(0)], [pi(1)]), 'pi7', /pi7 is not in pi-hosts/],
  ];
  for (const [title, inventory, name, message] of refusals) {
    it(`refuses ${title} with one line and a hint`, () => {
      const dir = project(inventory);
      const result = cli(dir, 'node', 'remove', name, '--dry-run', '--ssh-key', join(dir, 'id_test'));
      assert.equal(result.status, 1);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /hint: /);
      assert.doesNotMatch(result.stderr, /at .*\.js:\d+/, 'no stack trace');
    });
  }

  it('without --yes and without a terminal: refused before anything is contacted', () => {
    const dir = project(HOSTS([pi(0)], [pi(1)]));
    const result = cli(dir, 'node', 'remove', 'pi1', '--ssh-key', join(dir, 'id_test'));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /node remove needs confirmation/);
  });
});

describe('pi-cluster bootstrap --dry-run after discover added a host (CLI)', () => {
  it('shows each layer for the new host only, and the /etc/hosts step for the others', async () => {
    const two = HOSTS([pi(0)], [pi(1), pi(2)]);
    const dir = project(`${two}${pi(3)}\n`);
    const stateDir = join(dir, '.pi-cluster');
    const inputs = layerInputs(clusterHosts(two), extraVars({ config: configSchema.parse({}), stateDir }));
    await saveState(stateDir, { version: 1, layers: Object.fromEntries(LAYERS.map((l) => [l.id, layerDone(inputs)])) });
    const result = cli(dir, 'bootstrap', '--dry-run', '--ssh-key', join(dir, 'id_test'));
    assert.equal(result.status, 0, result.stderr);
    const out = result.stdout;
    assert.match(
      out,
      /10-prepare: python, package repositories, time sync\n\s+pi3 only \(pi0, pi1, pi2 done\); hosts: pi3\n\s+.*--limit pi3 .*10-prepare\.yml/,
    );
    assert.match(out, /then \/etc\/hosts on pi0, pi1, pi2 \(they learn pi3\):\n\s+.*--limit pi0,pi1,pi2 .*node-hosts\.yml/);
    assert.match(out, /40-control-plane: kubeadm init, kubeconfig\n\s+nothing to do for pi3 \(the first master pi0 is done\)/);
    assert.match(out, /50-workers: join the workers\n\s+pi3 only \(pi0, pi1, pi2 done\); hosts: pi3/);
    assert.match(
      out,
      /60-post: labels, taint, helm\n\s+on the first master pi0, for pi3 \(pi0, pi1, pi2 done\); hosts: pi0\n\s+.*--limit pi0 .*60-post\.yml/,
    );
    assert.equal(existsSync(join(stateDir, 'logs')), false);
  });
});
