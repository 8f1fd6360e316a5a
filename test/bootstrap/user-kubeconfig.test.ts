// reset's removal of the cluster from the user's kubeconfig, on files written by the real kubectl of this
// machine and merged by the real control_plane tasks (ansible-playbook); read back with `kubectl config view`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { removeClusterFromKubeconfig } from '../../src/bootstrap/user-kubeconfig.js';
import { fixture, helperPlaybook } from '../ansible/run.js';
import { hasProgram, skipUnless } from '../helpers/requires.js';

const skip = skipUnless(
  hasProgram('kubectl', ['version', '--client']) && hasProgram('ansible-playbook'),
  'kubectl or ansible-playbook is not installed',
);

const kubectl = (file: string, ...args: string[]) => execFileSync('kubectl', ['--kubeconfig', file, ...args], { encoding: 'utf8' });
const view = (file: string) =>
  JSON.parse(kubectl(file, 'config', 'view', '--raw', '-o', 'json')) as {
    contexts?: Array<{ name: string }>;
    clusters?: Array<{ name: string }>;
    users?: Array<{ name: string }>;
    'current-context': string;
  };

/** A user's ~/.kube/config as kubectl writes it: a work cluster, and one whose name starts like ours. */
function kubectlWritten(dir: string): string {
  const file = join(dir, 'config');
  for (const name of ['work', 'lab-old']) {
    kubectl(file, 'config', 'set-cluster', name, `--server=https://${name}.example:6443`);
    kubectl(file, 'config', 'set-credentials', `${name}-admin`, '--token=abc');
    kubectl(file, 'config', 'set-context', name, `--cluster=${name}`, `--user=${name}-admin`);
  }
  kubectl(file, 'config', 'use-context', 'work');
  chmodSync(file, 0o600);
  return file;
}

async function mergeLab(file: string, dir: string): Promise<void> {
  const merged = await helperPlaybook('merge-kubeconfig.yml', {
    admin_conf: fixture('admin.conf'),
    pi_cluster_state_dir: join(dir, '.pi-cluster'),
    pi_cluster_user_kubeconfig: file,
    pi_cluster_name: 'lab',
  });
  assert.equal(merged.code, 0, merged.stdout);
}

describe("reset removes the cluster's context from ~/.kube/config", { skip }, () => {
  it("after a real merge (bootstrap's tasks) into a kubectl-written file, exactly context lab, cluster lab and user lab-admin go", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-kubeconfig-'));
    const file = kubectlWritten(dir);
    const before = view(file);
    await mergeLab(file, dir);
    assert.ok(
      view(file).contexts?.some((c) => c.name === 'lab'),
      'the merge added the lab context',
    );

    const result = await removeClusterFromKubeconfig(file, 'lab');
    assert.deepEqual(result, { removed: ['context lab', 'cluster lab', 'user lab-admin'], currentContextCleared: false });
    assert.deepEqual(view(file), before, 'kubectl sees the file as it was before bootstrap');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(kubectl(file, 'config', 'current-context').trim(), 'work');

    const again = readFileSync(file, 'utf8');
    assert.deepEqual(await removeClusterFromKubeconfig(file, 'lab'), { removed: [], currentContextCleared: false });
    assert.equal(readFileSync(file, 'utf8'), again, 'a second reset leaves the file untouched');
  });

  it("the rest of the text stays as it was (comments, order), and the current context is unset when it was the cluster's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-kubeconfig-'));
    const file = kubectlWritten(dir);
    await mergeLab(file, dir);
    kubectl(file, 'config', 'use-context', 'lab');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, `# my clusters\n${text}`, { mode: 0o640 });
    chmodSync(file, 0o640);
    const result = await removeClusterFromKubeconfig(file, 'lab');
    assert.equal(result.currentContextCleared, true);
    const after = readFileSync(file, 'utf8');
    assert.match(after, /^# my clusters\n/);
    assert.equal(view(file)['current-context'], '');
    assert.deepEqual(
      view(file)
        .contexts?.map((c) => c.name)
        .sort(),
      ['lab-old', 'work'],
    );
    assert.deepEqual(
      view(file)
        .clusters?.map((c) => c.name)
        .sort(),
      ['lab-old', 'work'],
    );
    assert.deepEqual(
      view(file)
        .users?.map((u) => u.name)
        .sort(),
      ['lab-old-admin', 'work-admin'],
    );
    assert.equal(statSync(file).mode & 0o777, 0o640, 'the file keeps its mode');
    // Every line of the result was in the file before: nothing re-worded, only entries taken out.
    const original = new Set(`# my clusters\n${text}`.split('\n'));
    assert.deepEqual(
      after.split('\n').filter((line) => !original.has(line) && !/current-context/.test(line)),
      [],
    );
  });

  it('a missing file is not an error', async () => {
    assert.deepEqual(await removeClusterFromKubeconfig(join(tmpdir(), 'no-such-kubeconfig'), 'lab'), {
      removed: [],
      currentContextCleared: false,
    });
  });
});
