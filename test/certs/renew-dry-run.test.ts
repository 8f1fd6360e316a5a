// `pi-cluster certs renew --dry-run` as a user runs it: every master in inventory order (never a worker), the
// playbook limited to it and each command run there, the kubeconfig refresh after the first; nothing is touched.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';

test('certs renew --dry-run names each master in order and every command, and changes nothing', async () => {
  const project = mkdtempSync(join(tmpdir(), 'pi-cluster-certs-dry-'));
  writeFileSync(
    join(project, 'pi-hosts'),
    '[masters]\nm2 ansible_host=198.51.100.12\nm1 ansible_host=198.51.100.11\n\n[workers]\nw1 ansible_host=198.51.100.21\n',
  );
  const run = await runCli(['certs', 'renew', '--dry-run'], { cwd: project });
  assert.equal(run.code, 0, run.stderr);
  const out = run.stdout;
  assert.match(out, /^Dry run: nothing was changed\.$/m);
  assert.match(out, /^preflight, before any change: on m2, m1 over SSH: command -v kubeadm && /m);
  const m2 = out.indexOf('1. m2: would renew');
  const m1 = out.indexOf('2. m1: would renew');
  assert.ok(m2 > 0 && m1 > m2, 'inventory order, one at a time');
  assert.doesNotMatch(out, /w1/, 'workers are not touched');
  for (const host of ['m2', 'm1']) {
    assert.match(
      out,
      new RegExp(`ansible-playbook -i ${project}/pi-hosts .*--limit ${host} \\S+/ansible/playbooks/certs-renew\\.yml$`, 'm'),
    );
    assert.match(out, new RegExp(`on ${host}: kubeadm certs renew all$`, 'm'));
    assert.match(
      out,
      new RegExp(
        `on ${host}: mkdir -p /etc/kubernetes/manifests.pi-cluster-certs-renew; mv /etc/kubernetes/manifests/\\*\\.yaml .*sleep 20; mv .*sleep 20$`,
        'm',
      ),
    );
    assert.match(out, new RegExp(`on ${host}: kubectl --kubeconfig /etc/kubernetes/admin.conf get --raw=/readyz`, 'm'));
    assert.match(out, new RegExp(`check: ${host}'s certificates read again .*must expire later than before$`, 'm'));
  }
  // The kubeconfig here comes from the first master only, right after its renewal.
  const kubeconfigLine = out.indexOf(`here: write ${project}/.pi-cluster/kubeconfig (0600) from m2:/etc/kubernetes/admin.conf`);
  assert.ok(kubeconfigLine > m2 && kubeconfigLine < m1, out);
  assert.match(out, /here: merge cluster pi-cluster, user pi-cluster-admin, context pi-cluster into ~\/\.kube\/config/);
  assert.equal(existsSync(join(project, '.pi-cluster')), false, 'a dry run writes nothing');
});

test('certs renew without --yes and without a terminal refuses, naming the flag', async () => {
  const project = mkdtempSync(join(tmpdir(), 'pi-cluster-certs-yes-'));
  writeFileSync(join(project, 'pi-hosts'), '[masters]\nm1 ansible_host=198.51.100.11\n');
  const key = join(project, 'id_ed25519');
  writeFileSync(key, 'not read before the question', { mode: 0o600 });
  const run = await runCli(['certs', 'renew', '--ssh-key', key], { cwd: project });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /no terminal to ask on/);
  assert.match(run.stderr, /--yes/);
});
