// The orchestrator's pure parts: inventory, layer planning (resume), preflight judgement, live view, state file.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import { clusterHosts } from '../../src/inventory/cluster.js';
import { LAYERS, findLayer } from '../../src/bootstrap/layers.js';
import { decodeThrottled } from '../../src/facts/index.js';
import { DEFAULT_POLICY, evaluateFacts, preflightFacts, SYSTEM_PARTITION_LABEL, type HostFacts } from '../../src/bootstrap/preflight.js';
import { packageRoot } from '../../src/paths.js';
import { LayerProgress } from '../../src/bootstrap/progress.js';
import { emptyState, hashOf, loadState, planLayers, saveState, statePath, type BootstrapState } from '../../src/bootstrap/state.js';
import { extraVars } from '../../src/bootstrap/vars.js';
import { runPhases, type Phase } from '../../src/bootstrap/phases.js';
import { CancelledError } from '../../src/errors.js';

const fixture = readFileSync(new URL('../../../test/fixtures/bootstrap/pi-hosts', import.meta.url), 'utf8');

describe('layer planning (resume)', () => {
  const done = (ids: string[], hash: string): BootstrapState => ({
    version: 1,
    layers: Object.fromEntries(ids.map((id) => [id, { doneAt: 't', inputsHash: hash }])),
  });
  const running = (plan: ReturnType<typeof planLayers>) => plan.filter((p) => p.run).map((p) => p.layer.id);

  it('a fresh project runs every layer', () => {
    assert.deepEqual(
      running(planLayers(LAYERS, emptyState(), 'h')),
      LAYERS.map((l) => l.id),
    );
  });

  it('a completed bootstrap runs nothing again', () => {
    assert.deepEqual(
      running(
        planLayers(
          LAYERS,
          done(
            LAYERS.map((l) => l.id),
            'h',
          ),
          'h',
        ),
      ),
      [],
    );
  });

  it('resumes at the layer that was under way when the run was killed', () => {
    const state = { ...done(['00-preflight', '10-prepare', '20-disk'], 'h'), running: { layer: '30-node', startedAt: 't', pid: 1 } };
    const plan = planLayers(LAYERS, state, 'h');
    assert.deepEqual(running(plan), ['30-node', '40-control-plane', '50-workers', '60-post']);
    assert.equal(plan[3].reason, 'stopped during the last run');
  });

  it('changed inventory or settings run every layer again', () => {
    const plan = planLayers(
      LAYERS,
      done(
        LAYERS.map((l) => l.id),
        'old',
      ),
      'new',
    );
    assert.deepEqual(
      running(plan),
      LAYERS.map((l) => l.id),
    );
    assert.equal(plan[0].reason, 'inventory or settings changed');
  });

  it('--from, --only and --to override the state', () => {
    const all = done(
      LAYERS.map((l) => l.id),
      'h',
    );
    assert.deepEqual(running(planLayers(LAYERS, all, 'h', { from: '50-workers' })), ['50-workers', '60-post']);
    assert.deepEqual(running(planLayers(LAYERS, all, 'h', { only: '30-node' })), ['30-node']);
    assert.deepEqual(running(planLayers(LAYERS, emptyState(), 'h', { to: '20-disk' })), ['00-preflight', '10-prepare', '20-disk']);
  });

  it('finds layers by id, number or name', () => {
    assert.equal(findLayer('30')?.id, '30-node');
    assert.equal(findLayer('control-plane')?.id, '40-control-plane');
    assert.equal(findLayer('50-workers')?.id, '50-workers');
    assert.equal(findLayer('99'), undefined);
  });
});

describe('state file', () => {
  it('is written atomically with mode 0600 and read back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-state-'));
    const state: BootstrapState = { version: 1, layers: { '10-prepare': { doneAt: 'now', inputsHash: 'x' } } };
    await saveState(dir, state);
    assert.deepEqual(await loadState(dir), state);
    assert.equal(statSync(statePath(dir)).mode & 0o777, 0o600);
  });

  it('a damaged file means start over, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-state-'));
    writeFileSync(statePath(dir), '{"version": 1, "layers": {');
    assert.deepEqual(await loadState(dir), emptyState());
  });

  it('hashes are stable across key order and change with the inputs', () => {
    assert.equal(hashOf('inv', { a: 1, b: 2 }), hashOf('inv', { b: 2, a: 1 }));
    assert.notEqual(hashOf('inv', { a: 1 }), hashOf('inv', { a: 2 }));
  });
});

describe('preflight judgement', () => {
  const inventory = clusterHosts(fixture).hosts;
  const facts = (host: string, over: Partial<HostFacts> = {}): HostFacts => ({
    host,
    arch: 'aarch64',
    hostname: host,
    memTotalBytes: 4_000_000 * 1024,
    mac: `dc:a6:32:00:00:1${host.slice(-1)}`,
    skewSeconds: 0,
    rootFstype: 'tmpfs',
    rootAvailBytes: 900_000 * 1024,
    cardFreeBytes: 30 * 2 ** 30,
    memoryCgroup: true,
    ...over,
  });
  const none = { prepare: false, disk: false, node: false };

  it('healthy Pis give no finding', () => {
    assert.deepEqual(
      evaluateFacts(
        ['pi0', 'pi1', 'pi2'].map((h) => facts(h)),
        inventory,
        none,
      ),
      [],
    );
  });

  it("the Pi's own checks join as warnings: under-voltage, throttling, 16K pages, a master's slow card (not a RAM root, not a worker)", () => {
    const slowCard = Array.from({ length: 20 }, (_, i) => (i < 18 ? 3 : 40)); // p99 40 ms
    const found = evaluateFacts(
      [
        facts('pi0', {
          rootFstype: 'ext4',
          rootAvailBytes: 20 * 2 ** 30,
          fsyncMs: slowCard,
          throttling: decodeThrottled(0x50005),
          pageSize: 16384,
        }),
        facts('pi1', { rootFstype: 'ext4', rootAvailBytes: 20 * 2 ** 30, fsyncMs: slowCard }),
        facts('pi2', { fsyncMs: slowCard, temperatureC: 82 }),
      ],
      inventory,
      none,
    );
    assert.deepEqual(
      found.map((f) => `${f.host} ${f.severity} ${f.problem.split(':')[0]}`),
      [
        'pi0 warn under-voltage now',
        'pi0 warn throttled now',
        'pi0 warn the kernel uses 16K pages (Pi 5 default)',
        'pi0 warn fsync p99 40.0 ms on / (etcd wants under 10 ms)',
        'pi2 warn 82 °C',
      ],
    );
    assert.match(found[3].fix, /USB SSD/);
  });

  it('a duplicate hostname fails on both hosts, naming them', () => {
    const found = evaluateFacts([facts('pi0'), facts('pi1'), facts('pi2', { hostname: 'pi1' })], inventory, none);
    const dup = found.filter((f) => /hostname pi1 is used by pi1 and pi2/.test(f.problem));
    assert.deepEqual(
      dup.map((f) => [f.host, f.severity]),
      [
        ['pi1', 'fail'],
        ['pi2', 'fail'],
      ],
    );
    assert.ok(dup.every((f) => /--hostnames/.test(f.fix)));
  });

  it('a shared MAC fails', () => {
    const found = evaluateFacts([facts('pi0'), facts('pi1', { mac: 'dc:a6:32:00:00:10' })], inventory, none);
    assert.equal(found.filter((f) => /MAC address dc:a6:32:00:00:10/.test(f.problem)).length, 2);
  });

  it('memory: under 1 GiB fails, under 2 GiB warns', () => {
    const found = evaluateFacts(
      [facts('pi0', { memTotalBytes: 480_000 * 1024 }), facts('pi1', { memTotalBytes: 940_000 * 1024 })],
      inventory,
      none,
    );
    assert.deepEqual(
      found.map((f) => [f.host, f.severity]),
      [
        ['pi0', 'fail'],
        ['pi1', 'warn'],
      ],
    );
  });

  it('arch: armv7 warns, x86_64 fails', () => {
    const found = evaluateFacts([facts('pi0', { arch: 'armv7l' }), facts('pi1', { arch: 'x86_64' })], inventory, none);
    assert.deepEqual(
      found.map((f) => [f.host, f.severity]),
      [
        ['pi0', 'warn'],
        ['pi1', 'fail'],
      ],
    );
  });

  it('clock skew warns before time sync is set up and fails after', () => {
    assert.equal(evaluateFacts([facts('pi0', { skewSeconds: 40 })], inventory, none)[0].severity, 'warn');
    assert.equal(evaluateFacts([facts('pi0', { skewSeconds: -40 })], inventory, { ...none, prepare: true })[0].severity, 'fail');
    assert.deepEqual(evaluateFacts([facts('pi0', { skewSeconds: 2 })], inventory, { ...none, prepare: true }), []);
  });

  it('too little free card space for the system partition fails', () => {
    const [finding] = evaluateFacts([facts('pi0', { cardFreeBytes: 2 ** 30 })], inventory, none);
    assert.equal(finding.severity, 'fail');
    assert.match(finding.problem, /free on the card/);
  });

  it('a partition 2 left by an earlier 20-disk run counts as the system partition (defect: it read "0.0 GiB free")', () => {
    const ours = facts('pi0', {
      cardFreeBytes: 0,
      cardSystemPartition: { bytes: 28 * 2 ** 30, fstype: 'ext4', label: SYSTEM_PARTITION_LABEL },
    });
    assert.deepEqual(evaluateFacts([ours], inventory, none), []);
    const blank = facts('pi0', { cardFreeBytes: 0, cardSystemPartition: { bytes: 28 * 2 ** 30, fstype: '', label: '' } });
    assert.deepEqual(evaluateFacts([blank], inventory, none), []);
    const small = facts('pi0', {
      cardFreeBytes: 0,
      cardSystemPartition: { bytes: 2 ** 30, fstype: 'ext4', label: SYSTEM_PARTITION_LABEL },
    });
    assert.match(evaluateFacts([small], inventory, none)[0]!.problem, /partition 2 of the card has only 1\.0 GiB/);
    const foreign = facts('pi0', { cardFreeBytes: 0, cardSystemPartition: { bytes: 28 * 2 ** 30, fstype: 'ext4', label: 'photos' } });
    const [finding] = evaluateFacts([foreign], inventory, none);
    assert.equal(finding!.severity, 'fail');
    assert.match(finding!.problem, /labelled 'photos', not one 20-disk made/);
  });

  it('Kubernetes on Alpine: a version the release does not carry fails, naming the release that does (defect 6)', () => {
    const today = new Date('2026-11-30T00:00:00Z');
    const onAlpine = facts('pi0', { alpineRelease: '3.24.2' });
    assert.deepEqual(evaluateFacts([onAlpine], inventory, none, DEFAULT_POLICY, { today }), []);
    assert.deepEqual(evaluateFacts([onAlpine], inventory, none, DEFAULT_POLICY, { kubeVersion: '1.36.1', today }), []);
    const [wrong] = evaluateFacts([onAlpine], inventory, none, DEFAULT_POLICY, { kubeVersion: '1.34.2', today });
    assert.equal(wrong!.severity, 'fail');
    assert.match(wrong!.problem, /Alpine 3\.24\.2, which carries Kubernetes 1\.36, not 1\.34\.2/);
    assert.match(wrong!.fix, /flash Alpine 3\.23 \(it carries 1\.34\)/);
    const [none135] = evaluateFacts([onAlpine], inventory, none, DEFAULT_POLICY, { kubeVersion: '1.35.0', today });
    assert.match(none135!.fix, /no Alpine release carries 1\.35/);
    const [unknown] = evaluateFacts([facts('pi0', { alpineRelease: '3.19.1' })], inventory, none, DEFAULT_POLICY, { today });
    assert.match(unknown!.problem, /Alpine 3\.19\.1, whose Kubernetes pi-cluster does not know/);
  });

  it('a running or chosen Kubernetes minor past its end of life is a warning with the upgrade', () => {
    const today = new Date('2026-11-30T00:00:00Z');
    const [old] = evaluateFacts([facts('pi0', { alpineRelease: '3.23.0' })], inventory, none, DEFAULT_POLICY, { today });
    assert.equal(old!.severity, 'warn');
    assert.match(old!.problem, /1\.34 reached its end of life on 2026-10-27/);
    const [running] = evaluateFacts([facts('pi0', { kubeletVersion: '1.34.2' })], inventory, none, DEFAULT_POLICY, { today });
    assert.match(running!.problem, /1\.34 reached its end of life/);
  });

  it('parses the Alpine release and kubelet version from the facts script', () => {
    const f = preflightFacts('pi0', '@alpine\n3.24.2\n@kubelet\n1.36.1\n', 0);
    assert.equal(f.alpineRelease, '3.24.2');
    assert.equal(f.kubeletVersion, '1.36.1');
  });

  it('the partition label agrees with the sysdisk role', () => {
    const defaults = readFileSync(join(packageRoot(), 'ansible/roles/sysdisk/defaults/main.yml'), 'utf8');
    assert.match(defaults, new RegExp(`^sysdisk_label: ${SYSTEM_PARTITION_LABEL}$`, 'm'));
  });

  it('memory cgroup is only checked once the disk layer has run', () => {
    const off = [facts('pi0', { memoryCgroup: false, rootFstype: 'ext4', rootAvailBytes: 20_000_000 * 1024 })];
    assert.deepEqual(evaluateFacts(off, inventory, none), []);
    assert.equal(evaluateFacts(off, inventory, { prepare: true, disk: true, node: false })[0].severity, 'warn');
    const [fail] = evaluateFacts(off, inventory, { prepare: true, disk: true, node: true });
    assert.equal(fail.severity, 'fail');
    assert.match(fail.fix, /cgroup_enable=memory/);
  });

  it('parses the facts script output', () => {
    const out = [
      '@arch',
      'aarch64',
      '@hostname',
      'pi0',
      '@mem',
      'MemTotal:        3884000 kB',
      '@mac',
      'eth0 DC:A6:32:00:00:10',
      'wlan0 dc:a6:32:00:00:11',
      '@time',
      '1000',
      '@root',
      'fstype tmpfs',
      'size_kb 20',
      'avail_kb 10',
      '@card',
      'free_bytes 1024',
      '@card_p2',
      '@cgroup',
      'v1 0',
      '@alpine',
      '@kubelet',
    ].join('\n');
    assert.deepEqual(preflightFacts('pi0', out, 998.5), {
      host: 'pi0',
      arch: 'aarch64',
      hostname: 'pi0',
      memTotalBytes: 3884000 * 1024,
      mac: 'dc:a6:32:00:00:10',
      skewSeconds: 1.5,
      rootFstype: 'tmpfs',
      rootSizeBytes: 20 * 1024,
      rootAvailBytes: 10 * 1024,
      cardFreeBytes: 1024,
      memoryCgroup: false,
    });
    assert.equal(preflightFacts('pi0', out, 998.5, 'wlan0').mac, 'dc:a6:32:00:00:11', 'the MAC of network.interface');
    assert.equal(DEFAULT_POLICY.arch[0], 'aarch64');
  });
});

describe('live per-host view', () => {
  it('counts ok/changed/failed per host and shows the current task', () => {
    const view = new LayerProgress('30-node', ['pi0', 'pi1']);
    view.apply({ event: 'task', name: 'node : Set the Kubernetes sysctls', time: 0 });
    view.apply({
      event: 'result',
      status: 'changed',
      host: 'pi0',
      task: 'node : Set the Kubernetes sysctls',
      changed: true,
      message: '',
      time: 0,
    });
    view.apply({
      event: 'result',
      status: 'ok',
      host: 'pi1',
      task: 'node : Set the Kubernetes sysctls',
      changed: false,
      message: '',
      time: 0,
    });
    view.apply({
      event: 'result',
      status: 'failed',
      host: 'pi1',
      task: 'node : Set the Kubernetes sysctls',
      changed: false,
      message: 'boom',
      time: 0,
    });
    const [pi0, pi1] = view.rows();
    assert.deepEqual([pi0.ok, pi0.changed, pi0.failed], [0, 1, 0]);
    assert.deepEqual([pi1.ok, pi1.changed, pi1.failed], [1, 0, 1]);
    assert.match(view.lines()[1], /^ {2}pi1 .*failed 1 {2}FAILED \| node : Set the Kubernetes sysctls$/);
  });
});

describe('settings to Ansible variables', () => {
  it('maps pi-cluster.yaml and --kube-version to pi_cluster_* variables', () => {
    const config = configSchema.parse({ cluster: { name: 'lab' }, kubernetes: { version: '1.33.0', untaintMaster: true } });
    const vars = extraVars({ config, stateDir: '/p/.pi-cluster', kubeVersion: '1.34.1' });
    assert.equal(vars.pi_cluster_name, 'lab');
    assert.equal(vars.pi_cluster_kube_version, '1.34.1');
    assert.equal(vars.pi_cluster_untaint_master, true);
    assert.equal(vars.pi_cluster_pod_cidr, '10.244.0.0/16');
    assert.equal(extraVars({ config: configSchema.parse({}), stateDir: '/p' }).pi_cluster_kube_version, '');
  });

  it('renders nfs.server and nfs.mounts as pi_cluster_nfs_mounts (src, path, opts of ansible.posix.mount)', () => {
    const mounts = [
      { path: '/export/media', mountPoint: '/mnt/media' },
      { path: '/export/backup', mountPoint: '/mnt/backup', options: 'nfsvers=4.2,soft,ro' },
    ];
    const vars = extraVars({ config: configSchema.parse({ nfs: { server: 'nas.home.arpa', mounts } }), stateDir: '/p' });
    assert.deepEqual(vars.pi_cluster_nfs_mounts, [
      { src: 'nas.home.arpa:/export/media', path: '/mnt/media', opts: 'nfsvers=4.1,hard,noatime' },
      { src: 'nas.home.arpa:/export/backup', path: '/mnt/backup', opts: 'nfsvers=4.2,soft,ro' },
    ]);
    const v6 = extraVars({ config: configSchema.parse({ nfs: { server: 'fd00::5', mounts: mounts.slice(0, 1) } }), stateDir: '/p' });
    assert.deepEqual(v6.pi_cluster_nfs_mounts, [{ src: '[fd00::5]:/export/media', path: '/mnt/media', opts: 'nfsvers=4.1,hard,noatime' }]);
    assert.deepEqual(
      extraVars({ config: configSchema.parse({}), stateDir: '/p' }).pi_cluster_nfs_mounts,
      [],
      'no mounts: none in Ansible either',
    );
    assert.deepEqual(extraVars({ config: configSchema.parse({ nfs: { server: 'nas' } }), stateDir: '/p' }).pi_cluster_nfs_mounts, []);
  });
});

describe('phase manager', () => {
  it('dry run asks each phase what it would do and runs nothing', async () => {
    const ran: string[] = [];
    const phases: Array<Phase<null>> = [
      { title: 'a', run: async () => void ran.push('a'), dryRun: async () => ['would a'] },
      { title: 'b', run: async () => void ran.push('b'), shouldRun: () => false },
    ];
    const outcomes = await runPhases(phases, null, { dryRun: true, report: () => {} });
    assert.deepEqual(ran, []);
    assert.deepEqual(
      outcomes.map((o) => [o.title, o.status]),
      [
        ['a', 'dry-run'],
        ['b', 'skipped'],
      ],
    );
  });

  it('stops at the first failure: later phases do not run', async () => {
    const log: string[] = [];
    const phases: Array<Phase<null>> = [
      { title: 'a', run: async () => void log.push('run a') },
      {
        title: 'b',
        run: async () => {
          throw new Error('b broke');
        },
      },
      { title: 'c', run: async () => void log.push('run c') },
    ];
    await assert.rejects(runPhases(phases, null, { dryRun: false, report: () => {} }), /b broke/);
    assert.deepEqual(log, ['run a']);
  });

  it('stops before the next phase once the signal is aborted (Ctrl-C), as a cancellation (exit 130)', async () => {
    const log: string[] = [];
    const interrupt = new AbortController();
    const phases: Array<Phase<null>> = [
      {
        title: 'a: first',
        run: async () => {
          log.push('run a');
          interrupt.abort();
        },
      },
      { title: 'b: second', run: async () => void log.push('run b') },
    ];
    await assert.rejects(runPhases(phases, null, { dryRun: false, report: () => {}, signal: interrupt.signal }), (error: unknown) => {
      assert.ok(error instanceof CancelledError);
      assert.equal(error.exitCode, 130);
      assert.match(error.message, /Stopped before b; `pi-cluster bootstrap` resumes there/);
      return true;
    });
    assert.deepEqual(log, ['run a']);
  });
});
