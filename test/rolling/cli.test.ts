// `pi-cluster patch --dry-run` and `--help` through the real launcher: the order (masters first, whatever
// pi-hosts' order), each host's playbook command and steps on lines that start with its name, and nothing written.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';

describe('pi-cluster patch (CLI)', () => {
  it('--dry-run prints the masters one at a time first, then the workers, with every command; writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-patch-'));
    writeFileSync(
      join(dir, 'pi-hosts'),
      [
        '[workers]',
        'w1 ansible_host=198.51.100.21',
        'w2 ansible_host=198.51.100.22',
        '',
        '[masters]',
        'm1 ansible_host=198.51.100.11',
        'm2 ansible_host=198.51.100.12',
        '',
      ].join('\n'),
    );
    const result = await runCli(['patch', '--dry-run', '-e', 'pi_cluster_lab=true'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /takes one host at a time, in this order: m1, m2, w1, w2$/m);
    const heads = result.stdout.split('\n').filter((l) => / \((master|worker), \d of 4\): /.test(l));
    assert.deepEqual(
      heads.map((l) => l.split(' ')[0]),
      ['m1', 'm2', 'w1', 'w2'],
    );
    assert.match(result.stdout, /^w2 \(worker, 4 of 4\): .*ansible-playbook .*--limit w2 .*patch\.yml$/m);
    assert.match(result.stdout, /^w1: {3}drain w1 \(on m1\) \[skipped on the lab: needs Kubernetes\]$/m);
    assert.match(
      result.stdout,
      /^w1: +kubectl --kubeconfig \/etc\/kubernetes\/admin\.conf drain w1 --ignore-daemonsets --delete-emptydir-data --timeout=300s$/m,
    );
    assert.match(result.stdout, /^m2: +kubectl --kubeconfig \/etc\/kubernetes\/admin\.conf uncordon m2$/m);
    assert.match(result.stdout, /^preflight .*rolling-preflight\.yml$/m);
    assert.equal(existsSync(join(dir, '.pi-cluster', 'patch.json')), false);
  });

  it('--help shows examples for patch and upgrade', async () => {
    for (const command of ['patch', 'upgrade']) {
      const result = await runCli([command, '--help']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, new RegExp(`Examples:\\n  \\$ pi-cluster ${command} .*--dry-run`));
    }
  });
});
