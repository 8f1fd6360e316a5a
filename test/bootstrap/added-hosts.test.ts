// Bootstrap after `discover` added a Pi: the per-host layer records and the plan that runs only for the new host.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterHosts } from '../../src/inventory/cluster.js';
import { LAYERS } from '../../src/bootstrap/layers.js';
import { layerDone, layerInputs, planLayers, type BootstrapState, type LayerPlan } from '../../src/bootstrap/state.js';

const vars = { pi_cluster_name: 'home', pi_cluster_lab: true };
const two =
  '# my cluster\n[masters]\npi0 ansible_host=198.51.100.10  # Pi 4\n\n[workers]\npi1 ansible_host=198.51.100.11\n\n[all:vars]\nansible_user=root\n';
const three = two.replace('pi1 ansible_host=198.51.100.11\n', 'pi1 ansible_host=198.51.100.11\npi2 ansible_host=198.51.100.12  # new\n');
const inputsOf = (text: string, v: Record<string, unknown> = vars) => layerInputs(clusterHosts(text), v);
const doneFor = (text: string): BootstrapState => ({
  version: 1,
  layers: Object.fromEntries(LAYERS.map((l) => [l.id, layerDone(inputsOf(text))])),
});
const summary = (plan: LayerPlan[]) => plan.map((p) => `${p.layer.id}:${!p.run ? '-' : p.limit ? `[${p.limit.join(',')}]` : 'all'}`);

describe('bootstrap for added hosts (per-host layer records)', () => {
  it('only a host added: each layer runs for it alone, the workers join it, the first master labels it', () => {
    const plan = planLayers(LAYERS, doneFor(two), inputsOf(three));
    assert.deepEqual(summary(plan), [
      '00-preflight:all',
      '10-prepare:[pi2]',
      '20-disk:[pi2]',
      '30-node:[pi2]',
      '40-control-plane:[]',
      '50-workers:[pi2]',
      '60-post:[pi0]',
    ]);
    assert.equal(plan[1].reason, 'pi2 only (pi0, pi1 done)');
    assert.match(plan[0].reason, /the whole inventory, for pi2 \(no host is contacted\)/);
    assert.deepEqual(plan[3].done, ['pi0', 'pi1']);
    assert.match(plan[4].reason, /nothing to do for pi2 \(the first master pi0 is done\)/);
    assert.match(plan[6].reason, /on the first master pi0, for pi2/);
  });

  it('a new master (not the first) is no worker to join', () => {
    const text = two.replace(
      '[masters]\npi0 ansible_host=198.51.100.10  # Pi 4\n',
      '[masters]\npi0 ansible_host=198.51.100.10  # Pi 4\npi5 ansible_host=198.51.100.15\n',
    );
    assert.equal(planLayers(LAYERS, doneFor(two), inputsOf(text))[5].limit?.length, 0);
  });

  it('nothing added, or only comments changed: no layer runs', () => {
    assert.deepEqual(
      planLayers(LAYERS, doneFor(two), inputsOf(two.replace('# Pi 4', '# Pi 4 Model B').replace('# my cluster', '# ours'))).filter(
        (p) => p.run,
      ),
      [],
    );
  });

  it('settings, inventory variables, a changed host line or a new first master: every layer for every host', () => {
    const cases = [
      inputsOf(three, { ...vars, pi_cluster_name: 'other' }),
      inputsOf(three.replace('ansible_user=root', 'ansible_user=pi')),
      inputsOf(three.replace('198.51.100.11', '198.51.100.21')),
      inputsOf(three.replace('[masters]\n', '[masters]\npi9 ansible_host=198.51.100.19\n')),
    ];
    for (const inputs of cases) {
      const plan = planLayers(LAYERS, doneFor(two), inputs);
      assert.deepEqual(
        summary(plan),
        LAYERS.map((l) => `${l.id}:all`),
      );
    }
  });

  it('a layer not done yet for anyone runs fully, and so do the layers after it', () => {
    const state = doneFor(two);
    delete state.layers['30-node'];
    assert.deepEqual(summary(planLayers(LAYERS, state, inputsOf(three))).slice(0, 5), [
      '00-preflight:all',
      '10-prepare:[pi2]',
      '20-disk:[pi2]',
      '30-node:all',
      '40-control-plane:all',
    ]);
  });

  it('a host an earlier layer runs for is carried into the later layers, even when they recorded it', () => {
    // 10-prepare was done for two hosts, the later layers (an --only run) for three already.
    const state = doneFor(three);
    state.layers['10-prepare'] = layerDone(inputsOf(two));
    assert.deepEqual(summary(planLayers(LAYERS, state, inputsOf(three))).slice(0, 4), [
      '00-preflight:-',
      '10-prepare:[pi2]',
      '20-disk:[pi2]',
      '30-node:[pi2]',
    ]);
  });

  it('a state from before per-host records reruns everything when the inventory changed', () => {
    const old = doneFor(two);
    for (const layer of Object.values(old.layers)) {
      delete layer.settingsHash;
      delete layer.hosts;
    }
    assert.deepEqual(
      summary(planLayers(LAYERS, old, inputsOf(three))),
      LAYERS.map((l) => `${l.id}:all`),
    );
    assert.deepEqual(
      summary(planLayers(LAYERS, old, inputsOf(two))),
      LAYERS.map((l) => `${l.id}:-`),
    );
  });
});
