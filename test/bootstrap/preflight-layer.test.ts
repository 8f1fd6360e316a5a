// 00-preflight through the orchestrator, with no host contacted: every inventory and settings problem
// reaches the user in one error, each line with the host or setting and the fix.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bootstrap } from '../../src/bootstrap/bootstrap.js';
import { loadState } from '../../src/bootstrap/state.js';
import { configSchema } from '../../src/config/schema.js';
import { UserError } from '../../src/errors.js';

describe('00-preflight through bootstrap (no hosts contacted)', () => {
  it('fails once, listing every problem with its fix, and records the failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-preflight-'));
    // pi-hosts passes the checks made before any connection (src/inventory/validate.ts), so the
    // Ansible layer's own checks answer: two masters, and a bad -e value.
    writeFileSync(
      join(dir, 'pi-hosts'),
      '[masters]\npi0 ansible_host=198.51.100.10\npi1 ansible_host=198.51.100.11\n\n[workers]\npi2 ansible_host=198.51.100.12\n',
    );
    mkdirSync(join(dir, '.pi-cluster'));
    writeFileSync(join(dir, '.pi-cluster', 'known_hosts'), '');
    const options = {
      config: configSchema.parse({}),
      cwd: dir,
      inventoryPath: 'pi-hosts',
      privateKeyPath: join(dir, 'id_test'),
      dryRun: false,
      only: '00-preflight',
      skipPreflight: true,
      extraVars: { pi_cluster_pod_cidr: '10.244.0.0' },
      report: () => {},
    };
    await assert.rejects(bootstrap(options), (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.deepEqual(error.message.split('\n'), [
        'layer 00-preflight failed: 2 problems in pi-hosts or the cluster settings:',
        '- the inventory needs exactly one host in [masters] (found 2); fix: edit pi-hosts or run `pi-cluster discover --masters 1`',
        '- kubernetes.podCidr (pi_cluster_pod_cidr) 10.244.0.0 is not an IPv4 CIDR like 10.244.0.0/16; fix: pi-cluster.yaml',
      ]);
      assert.match(error.hint ?? '', /resumes at 00-preflight/);
      return true;
    });
    const state = await loadState(join(dir, '.pi-cluster'));
    assert.equal(state.lastFailure?.layer, '00-preflight');
    assert.match(state.lastFailure?.message ?? '', /^2 problems/);
    assert.deepEqual(state.layers, {});
  });
});
