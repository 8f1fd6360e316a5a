// The ansible/ tree without hosts: syntax, lint, the role conventions, and the rendered files.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { extraVars } from '../../src/bootstrap/vars.js';
import { configSchema } from '../../src/config/schema.js';
import { checkKubeadmDocuments } from './kubeadm-api.js';
import { ansibleRoot, fixture, helperPlaybook, sh } from './run.js';

const playbooks = () =>
  readdirSync(join(ansibleRoot(), 'playbooks'))
    .filter((f) => /^\d\d-.*\.yml$/.test(f))
    .sort();
const roles = () => readdirSync(join(ansibleRoot(), 'roles')).sort();
const tmp = () => mkdtempSync(join(tmpdir(), 'pi-cluster-ansible-'));

describe('ansible tree', () => {
  it('has one numbered playbook per layer, in order', () => {
    assert.deepEqual(playbooks(), [
      '00-preflight.yml',
      '10-prepare.yml',
      '20-disk.yml',
      '30-node.yml',
      '40-control-plane.yml',
      '50-workers.yml',
      '60-post.yml',
      '90-reset.yml',
    ]);
  });

  it('every playbook passes ansible-playbook --syntax-check', async () => {
    const files = playbooks().map((f) => join(ansibleRoot(), 'playbooks', f));
    const result = await sh('ansible-playbook', ['-i', fixture('pi-hosts'), '--syntax-check', ...files]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
  });

  it('passes ansible-lint (production profile) and yamllint', async () => {
    const lint = await sh('ansible-lint', ['--nocolor', '-q'], { cwd: ansibleRoot() });
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
    const yaml = await sh('yamllint', ['-s', '.'], { cwd: ansibleRoot() });
    assert.equal(yaml.code, 0, yaml.stdout + yaml.stderr);
  });

  it('role settings are prefixed with the role name, per-OS internals in vars/Alpine.yml and vars/Debian.yml', () => {
    for (const role of roles()) {
      for (const file of ['defaults/main.yml', 'vars/Alpine.yml', 'vars/Debian.yml']) {
        const path = join(ansibleRoot(), 'roles', role, file);
        if (!existsSync(path)) continue;
        const keys = Object.keys((parse(readFileSync(path, 'utf8')) as Record<string, unknown>) ?? {});
        for (const key of keys) assert.ok(key.startsWith(`${role}_`), `${role}/${file}: ${key} is not prefixed with ${role}_`);
      }
      const vars = join(ansibleRoot(), 'roles', role, 'vars');
      if (existsSync(vars)) assert.deepEqual(readdirSync(vars).sort(), ['Alpine.yml', 'Debian.yml'], `${role}: vars/ per OS family`);
    }
  });

  it('tasks that touch the kernel or the whole machine sit behind pi_cluster_hardware', () => {
    const risky = /\b(modprobe|swapoff|reboot|parted|filesystem|setup-disk|iptables -t)\b/;
    for (const role of roles()) {
      const dir = join(ansibleRoot(), 'roles', role, 'tasks');
      for (const file of readdirSync(dir)) {
        const tasks = parse(readFileSync(join(dir, file), 'utf8')) as Array<Record<string, unknown>>;
        for (const task of flatten(tasks)) {
          const body = JSON.stringify(Object.fromEntries(Object.entries(task).filter(([k]) => k !== 'name')));
          if (!risky.test(body)) continue;
          const guarded =
            JSON.stringify(task.when ?? '').includes('pi_cluster_hardware') || (file.startsWith('setup-Alpine') && role === 'sysdisk');
          assert.ok(guarded, `${role}/tasks/${file}: "${String(task.name)}" needs when: pi_cluster_hardware`);
        }
      }
    }
  });

  it("etcd snapshots use kubeadm's healthcheck-client pair, like the nightly CronJob, never etcd's server pair", () => {
    const tasks = readFileSync(join(ansibleRoot(), 'roles/etcd_backup/tasks/snapshot.yml'), 'utf8');
    assert.match(tasks, /--cert=\{\{ etcd_backup_pki_dir \}\}\/healthcheck-client\.crt/);
    assert.match(tasks, /--key=\{\{ etcd_backup_pki_dir \}\}\/healthcheck-client\.key/);
    assert.doesNotMatch(tasks, /server\.(crt|key)/);
  });

  it('the join token: every task that handles it is no_log; it reaches kubeadm join in a file on /run, not in argv, and the file is removed', () => {
    const join_ = parse(readFileSync(join(ansibleRoot(), 'roles/workers/tasks/join.yml'), 'utf8')) as Array<Record<string, unknown>>;
    const all = flatten(join_);
    const handling = all
      .filter((task) => !('block' in task))
      .filter((task) =>
        /token|workers_join\b/i.test(
          JSON.stringify(Object.fromEntries(Object.entries(task).filter(([k]) => !['name', 'when'].includes(k)))),
        ),
      );
    assert.ok(handling.length >= 4, 'create, parse, write, join, delete');
    for (const task of handling) {
      if (task['ansible.builtin.fail']) continue; // prints stderr with the token replaced
      assert.equal(task.no_log, true, `"${String(task.name)}" must be no_log`);
    }
    const joinTask = all.find((task) => /kubeadm join/.test(String(task.name))) as { 'ansible.builtin.command': { argv: string[] } };
    assert.deepEqual(joinTask['ansible.builtin.command'].argv, ['kubeadm', 'join', '--config', '{{ workers_join_config }}']);
    const writers = all.filter((task) =>
      ['ansible.builtin.copy', 'ansible.builtin.template', 'ansible.builtin.lineinfile'].some((m) => m in task),
    );
    assert.deepEqual(writers, [], "no copy/template: their temporary file would land in Ansible's folder on the SD card");
    const defaults = parse(readFileSync(join(ansibleRoot(), 'roles/workers/defaults/main.yml'), 'utf8')) as Record<string, string>;
    assert.match(defaults.workers_join_config, /^\/run\//, 'a tmpfs');
    const removal = all.find((task) => (task['ansible.builtin.file'] as { state?: string } | undefined)?.state === 'absent');
    assert.ok(removal, 'the file is removed in an always: block');
    const cfg = readFileSync(join(ansibleRoot(), 'ansible.cfg'), 'utf8');
    assert.match(cfg, /^pipelining = True$/m, 'pipelining keeps module arguments off the workers disks');
    assert.match(cfg, /^host_key_checking = True$/m);
    assert.doesNotMatch(cfg, /StrictHostKeyChecking=no/);
  });
});

describe('rendered kubeadm configuration', () => {
  const render = async (vars: Record<string, unknown>) => {
    const out = join(tmp(), 'kubeadm-config.yaml');
    const result = await helperPlaybook('render-kubeadm.yml', { out, ...vars });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    return parseAllDocuments(readFileSync(out, 'utf8')).map((doc) => doc.toJS());
  };

  it('uses only v1beta4 / kubelet v1beta1 field names, with the right types', async () => {
    const docs = await render({});
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['InitConfiguration', 'ClusterConfiguration', 'KubeletConfiguration'],
    );
    assert.deepEqual(checkKubeadmDocuments(docs), []);
  });

  it('carries the cluster settings: version, pod CIDR, endpoint, node name, cgroupfs', async () => {
    const docs = await render({
      pi_cluster_kube_version: '1.33.4',
      pi_cluster_pod_cidr: '10.42.0.0/16',
      pi_cluster_control_plane_endpoint: 'k8s.home.arpa:6443',
      pi_cluster_name: 'lab',
      control_plane_ignore_preflight_errors: ['SystemVerification'],
    });
    assert.deepEqual(checkKubeadmDocuments(docs), []);
    const [init, cluster, kubelet] = docs;
    assert.equal(cluster.kubernetesVersion, 'v1.33.4');
    assert.equal(cluster.networking.podSubnet, '10.42.0.0/16');
    assert.equal(cluster.controlPlaneEndpoint, 'k8s.home.arpa:6443');
    assert.equal(cluster.clusterName, 'lab');
    assert.ok(cluster.apiServer.certSANs.includes('k8s.home.arpa'));
    assert.equal(init.nodeRegistration.name, 'pi0');
    assert.deepEqual(init.nodeRegistration.ignorePreflightErrors, ['SystemVerification']);
    assert.equal(init.localAPIEndpoint.advertiseAddress, '198.51.100.10');
    assert.equal(init.bootstrapTokens[0].ttl, '15m0s');
    assert.equal(init.bootstrapTokens[0].token, undefined, 'kubeadm generates the token: none is written into the file');
    assert.equal(kubelet.cgroupDriver, 'cgroupfs');
  });

  it('defaults the endpoint to the master address on 6443', async () => {
    const [, cluster] = await render({});
    assert.equal(cluster.controlPlaneEndpoint, '198.51.100.10:6443');
  });

  it('the checker itself rejects a wrong field name and a wrong type', () => {
    const problems = checkKubeadmDocuments([
      { apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'ClusterConfiguration', networking: { podCIDR: '10.244.0.0/16' } },
      { apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'InitConfiguration', nodeRegistration: { kubeletExtraArgs: { 'node-ip': '1.2.3.4' } } },
    ]);
    assert.equal(problems.length, 2, problems.join('\n'));
  });
});

describe('kubeconfig on this machine', () => {
  it('writes .pi-cluster/kubeconfig (0600) named after the cluster and merges it into ~/.kube/config, twice without change', async () => {
    const dir = tmp();
    const user = join(dir, 'kube', 'config');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'kube'));
    writeFileSync(
      user,
      'apiVersion: v1\nkind: Config\nclusters: [{name: home, cluster: {server: "https://nas:6443"}}]\n' +
        'users: [{name: home, user: {token: t}}]\ncontexts: [{name: home, context: {cluster: home, user: home}}]\ncurrent-context: home\n',
    );
    const vars = {
      admin_conf: fixture('admin.conf'),
      pi_cluster_state_dir: join(dir, '.pi-cluster'),
      pi_cluster_user_kubeconfig: user,
      pi_cluster_name: 'lab',
    };
    const first = await helperPlaybook('merge-kubeconfig.yml', vars);
    assert.equal(first.code, 0, first.stdout);
    const second = await helperPlaybook('merge-kubeconfig.yml', vars);
    assert.match(second.stdout, /changed=0/);
    const own = join(dir, '.pi-cluster', 'kubeconfig');
    assert.equal(statSync(own).mode & 0o777, 0o600);
    assert.equal(statSync(user).mode & 0o777, 0o600);
    const merged = parse(readFileSync(user, 'utf8'));
    assert.deepEqual(
      merged.contexts.map((c: { name: string }) => c.name),
      ['home', 'lab'],
    );
    assert.equal(merged['current-context'], 'home', 'the user keeps their current context');
    assert.equal(merged.clusters[1].cluster.server, 'https://198.51.100.10:6443');
    assert.deepEqual(parse(readFileSync(own, 'utf8'))['current-context'], 'lab');
  });
});

describe('00-preflight (no hosts contacted)', () => {
  it('accepts the fixture inventory', async () => {
    const result = await sh('ansible-playbook', ['-i', fixture('pi-hosts'), join(ansibleRoot(), 'playbooks', '00-preflight.yml')]);
    assert.equal(result.code, 0, result.stdout);
  });

  it('names the problem and the fix for a bad inventory', async () => {
    const result = await sh('ansible-playbook', ['-i', fixture('pi-hosts-bad'), join(ansibleRoot(), 'playbooks', '00-preflight.yml')]);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout, /exactly one host in \[masters\] \(found 2\); fix:/);
  });

  it('rejects a pod CIDR that is not one', async () => {
    const result = await sh('ansible-playbook', [
      '-i',
      fixture('pi-hosts'),
      '-e',
      'pi_cluster_pod_cidr=10.244.0.0',
      join(ansibleRoot(), 'playbooks', '00-preflight.yml'),
    ]);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout, /kubernetes\.podCidr/);
  });

  /** Runs 00-preflight on an inventory text; returns the listed problems (the "- " lines of the one failure). */
  const preflight = async (inventory: string | null, vars: Record<string, unknown> = {}) => {
    const file = inventory === null ? fixture('pi-hosts') : join(tmp(), 'pi-hosts');
    if (inventory !== null) writeFileSync(file, inventory);
    const result = await sh('ansible-playbook', [
      '-i',
      file,
      '-e',
      JSON.stringify(vars),
      join(ansibleRoot(), 'playbooks', '00-preflight.yml'),
    ]);
    const failed = [...result.stdout.matchAll(/^fatal: \[/gm)].length;
    const problems = result.stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('- '))
      .map((line) => line.slice(2));
    return { ...result, failed, problems };
  };

  it('lists every problem of a bad inventory at once, each with the host and the fix', async () => {
    const result = await preflight(readFileSync(fixture('pi-hosts-bad'), 'utf8'));
    assert.notEqual(result.code, 0);
    assert.equal(result.failed, 1, 'one failure, not one per check');
    assert.match(result.stdout, /3 problems in pi-hosts or the cluster settings:/);
    assert.deepEqual(result.problems, [
      'the inventory needs exactly one host in [masters] (found 2); fix: edit pi-hosts or run `pi-cluster discover --masters 1`',
      'pi0 and pi2 share the address 198.51.100.10; fix: correct pi-hosts (each Pi has an address of its own)',
      'Pi_1: not a valid Kubernetes node name (lower-case letters, digits, dashes); fix: rename it in pi-hosts',
    ]);
  });

  it('lists inventory and settings problems together: groups, addresses, CIDRs, version, name, NFS mounts', async () => {
    const inventory =
      '[masters]\npi0 ansible_host=198.51.100.10\n\n[workers]\npi0 ansible_host=198.51.100.10\npi1\npi2 ansible_host=pi2.local\n';
    const result = await preflight(inventory, {
      pi_cluster_pod_cidr: '10.96.0.0/12',
      pi_cluster_service_cidr: '10.96.0.0/12',
      pi_cluster_kube_version: '1.34',
      pi_cluster_name: 'My_Cluster',
      pi_cluster_nfs_mounts: [
        { src: 'nas', path: '/mnt/a' },
        { src: 'nas:/export/b', path: '/mnt/a' },
        { src: '[fd00::5]:/export/c', path: 'mnt/c' },
      ],
    });
    assert.notEqual(result.code, 0);
    assert.equal(result.failed, 1);
    assert.deepEqual(result.problems, [
      'pi0 is in both [masters] and [workers]; fix: keep each host in one group of pi-hosts',
      'pi1: ansible_host=(missing) is not an IPv4 address; fix: run `pi-cluster discover` again',
      'pi2: ansible_host=pi2.local is not an IPv4 address; fix: run `pi-cluster discover` again',
      'kubernetes.podCidr and kubernetes.serviceCidr are both 10.96.0.0/12; fix: two different networks in pi-cluster.yaml',
      'kubernetes.version (pi_cluster_kube_version) 1.34 is not X.Y.Z; fix: pi-cluster.yaml or --kube-version',
      'cluster.name (pi_cluster_name) My_Cluster is not lower-case letters, digits and dashes; fix: pi-cluster.yaml',
      'pi_cluster_nfs_mounts has a mount point twice (/mnt/a, /mnt/a, mnt/c); fix: give each of nfs.mounts its own mountPoint in pi-cluster.yaml',
      'pi_cluster_nfs_mounts: {"src": "nas", "path": "/mnt/a"} has no src of the form server:/exported/path; fix: set nfs.server and nfs.mounts[].path in pi-cluster.yaml',
      'pi_cluster_nfs_mounts: {"src": "[fd00::5]:/export/c", "path": "mnt/c"} has no absolute mount point (path); fix: set nfs.mounts[].mountPoint in pi-cluster.yaml to an absolute path',
    ]);
  });

  it('an empty [masters] and bad CIDRs are named too', async () => {
    const result = await preflight('[masters]\n\n[workers]\npi1 ansible_host=198.51.100.11\n', {
      pi_cluster_pod_cidr: '10.244.0.0',
      pi_cluster_service_cidr: '10.96.0.0/33',
    });
    assert.equal(result.failed, 1);
    assert.deepEqual(result.problems, [
      'the inventory needs exactly one host in [masters] (found 0); fix: edit pi-hosts or run `pi-cluster discover --masters 1`',
      'kubernetes.podCidr (pi_cluster_pod_cidr) 10.244.0.0 is not an IPv4 CIDR like 10.244.0.0/16; fix: pi-cluster.yaml',
      'kubernetes.serviceCidr (pi_cluster_service_cidr) 10.96.0.0/33 is not an IPv4 CIDR like 10.96.0.0/12; fix: pi-cluster.yaml',
    ]);
  });

  it('accepts the NFS mounts that bootstrap renders from pi-cluster.yaml', async () => {
    const config = configSchema.parse({
      nfs: {
        server: 'fd00::5',
        mounts: [
          { path: '/export/a', mountPoint: '/mnt/a' },
          { path: '/', mountPoint: '/mnt/root', options: 'ro' },
        ],
      },
    });
    const vars = extraVars({ config, stateDir: tmp() });
    const result = await preflight(null, vars);
    assert.equal(result.code, 0, result.stdout);
    assert.equal(result.problems.length, 0);
  });
});

describe('containerd: the configuration file for the installed version', () => {
  /** Renders the containerd role's config.toml for a containerd version and parses it with Python's tomllib. */
  const renderToml = async (version: string, extra: Record<string, unknown> = {}) => {
    const out = join(tmp(), 'config.toml');
    const configVersion = Number(version.split('.')[0]) < 2 ? 2 : 3;
    const result = await helperPlaybook('render-template.yml', {
      role: 'containerd',
      template: 'config.toml.j2',
      os_family: 'Debian',
      out,
      containerd_version: version,
      containerd_config_version: configVersion,
      pi_cluster_cgroup_driver: 'cgroupfs',
      ...extra,
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const parsed = await sh('python3', ['-c', 'import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], "rb"))))', out]);
    assert.equal(parsed.code, 0, `not valid TOML: ${parsed.stderr}`);
    return JSON.parse(parsed.stdout) as Record<string, unknown>;
  };
  /** The value at a key path of the parsed TOML (undefined when a table on the way is missing). */
  const at = (tree: unknown, ...path: string[]): unknown =>
    path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], tree);

  it('containerd 1.7: config version 2, runc with SystemdCgroup and the CNI folders under io.containerd.grpc.v1.cri', async () => {
    const toml = await renderToml('1.7.24', { pi_cluster_cgroup_driver: 'systemd' });
    assert.equal(toml.version, 2);
    const cri = at(toml, 'plugins', 'io.containerd.grpc.v1.cri');
    assert.equal(at(cri, 'containerd', 'runtimes', 'runc', 'runtime_type'), 'io.containerd.runc.v2');
    assert.equal(at(cri, 'containerd', 'runtimes', 'runc', 'sandbox_mode'), 'podsandbox');
    assert.equal(at(cri, 'containerd', 'runtimes', 'runc', 'options', 'SystemdCgroup'), true);
    assert.deepEqual(at(cri, 'cni'), { bin_dir: '/opt/cni/bin', conf_dir: '/etc/cni/net.d' });
  });

  it('containerd 2.0: config version 3 under io.containerd.cri.v1.runtime, bin_dir', async () => {
    const toml = await renderToml('2.0.7');
    assert.equal(toml.version, 3);
    const runtime = at(toml, 'plugins', 'io.containerd.cri.v1.runtime');
    assert.equal(at(runtime, 'containerd', 'runtimes', 'runc', 'runtime_type'), 'io.containerd.runc.v2');
    assert.equal(at(runtime, 'containerd', 'runtimes', 'runc', 'sandboxer'), 'podsandbox');
    assert.equal(at(runtime, 'containerd', 'runtimes', 'runc', 'options', 'SystemdCgroup'), false);
    assert.deepEqual(at(runtime, 'cni'), { bin_dir: '/opt/cni/bin', conf_dir: '/etc/cni/net.d' });
    assert.equal(at(toml, 'plugins', 'io.containerd.grpc.v1.cri'), undefined);
  });

  it('containerd 2.1+: bin_dirs (bin_dir is deprecated there and may not be set beside it)', async () => {
    const toml = await renderToml('2.1.5');
    assert.deepEqual(at(toml, 'plugins', 'io.containerd.cri.v1.runtime', 'cni'), {
      bin_dirs: ['/opt/cni/bin'],
      conf_dir: '/etc/cni/net.d',
    });
  });

  /** Runs the role's version check against a stand-in `containerd` that prints a captured `--version` line. */
  const versionCheck = async (fixtureName: string) => {
    const dir = tmp();
    const binary = join(dir, 'containerd');
    writeFileSync(binary, `#!/bin/sh\ncat ${JSON.stringify(join(fixture('..'), 'containerd', fixtureName))}\n`, { mode: 0o755 });
    return helperPlaybook('run-role-tasks.yml', { role: 'containerd', tasks: 'version', os_family: 'Debian', containerd_binary: binary });
  };

  it("refuses Debian bookworm's containerd 1.6.20 with the fix, accepts trixie's 1.7.24 and 2.x", async () => {
    const bookworm = await versionCheck('version-debian-bookworm.txt');
    assert.notEqual(bookworm.code, 0);
    const message = bookworm.stdout.replace(/\s+/g, ' ').replaceAll("''", "'"); // the YAML callback folds and quotes
    assert.match(message, /containerd 1\.6\.20 is installed; Kubernetes 1\.31 and newer need containerd 1\.7 or newer/);
    assert.match(message, /fix: remove it .* containerd\.io from Docker's repository/);
    const trixie = await versionCheck('version-debian-trixie.txt');
    assert.equal(trixie.code, 0, trixie.stdout);
    const upstream = await versionCheck('version-upstream-2.1.txt');
    assert.equal(upstream.code, 0, upstream.stdout);
  });
});

describe('node: swap stays off', () => {
  it('fails after the boot when the kernel lists a swap area (rpi-swap zram), passes when it lists none', async () => {
    const on = await helperPlaybook('run-role-tasks.yml', {
      role: 'node',
      tasks: 'swap-check',
      pi_cluster_hardware: true,
      node_swaps_file: fixture('swaps-zram.txt'),
    });
    assert.notEqual(on.code, 0);
    assert.match(on.stdout.replace(/\s+/g, ' '), /swap is still on after the boot \(\/dev\/zram0\)/);
    const off = await helperPlaybook('run-role-tasks.yml', {
      role: 'node',
      tasks: 'swap-check',
      pi_cluster_hardware: true,
      node_swaps_file: fixture('swaps-none.txt'),
    });
    assert.equal(off.code, 0, off.stdout);
    assert.match(off.stdout, /ok=\d+/);
  });

  it('the node role checks swap after the reboot handler has run', () => {
    const tasks = parse(readFileSync(join(ansibleRoot(), 'roles/node/tasks/main.yml'), 'utf8')) as Array<Record<string, unknown>>;
    const flush = tasks.findIndex((task) => task['ansible.builtin.meta'] === 'flush_handlers');
    const check = tasks.findIndex((task) => task['ansible.builtin.import_tasks'] === 'swap-check.yml');
    const memory = tasks.findIndex((task) => task['ansible.builtin.import_tasks'] === 'cgroups.yml');
    assert.ok(memory >= 0 && memory < flush && flush < check, 'cmdline (reboot notified) -> flush_handlers -> swap check');
  });
});

describe('workers: the JoinConfiguration', () => {
  it('is v1beta4 with the token, endpoint and CA hash of the join command', async () => {
    const out = join(tmp(), 'join.yaml');
    const result = await helperPlaybook('render-template.yml', {
      role: 'workers',
      template: 'kubeadm-join.yaml.j2',
      os_family: 'Debian',
      out,
      workers_join: { endpoint: '198.51.100.10:6443', token: 'abcdef.0123456789abcdef', ca_hash: `sha256:${'0'.repeat(64)}` },
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const docs = parseAllDocuments(readFileSync(out, 'utf8')).map((doc) => doc.toJS());
    assert.deepEqual(checkKubeadmDocuments(docs), []);
    assert.equal(docs[0].kind, 'JoinConfiguration');
    assert.deepEqual(docs[0].discovery.bootstrapToken, {
      apiServerEndpoint: '198.51.100.10:6443',
      token: 'abcdef.0123456789abcdef',
      caCertHashes: [`sha256:${'0'.repeat(64)}`],
    });
    assert.equal(docs[0].nodeRegistration.name, 'pi0');
  });
});

describe('Alpine-only templates render', () => {
  const render = async (role: string, template: string, extra: Record<string, unknown> = {}) => {
    const out = join(tmp(), template);
    const result = await helperPlaybook('render-template.yml', { role, template, os_family: 'Alpine', out, ...extra });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    return readFileSync(out, 'utf8');
  };

  it('OpenRC boot service runs before containerd and kubelet', async () => {
    const text = await render('node', 'pi-cluster-boot.openrc.j2');
    assert.match(text, /^#!\/sbin\/openrc-run$/m);
    assert.match(text, /before containerd kubelet/);
    assert.match(text, /\/usr\/local\/sbin\/pi-cluster-boot/);
  });

  it('boot script makes / rshared and keeps eth0 promiscuous', async () => {
    const text = await render('node', 'pi-cluster-boot.sh.j2');
    assert.match(text, /^mount --make-rshared \/$/m);
    assert.match(text, /^ip link set eth0 promisc on/m);
    const off = await render('node', 'pi-cluster-boot.sh.j2', { node_promiscuous: false });
    assert.doesNotMatch(off, /promisc/);
  });

  it("OpenRC kubelet: kubeadm's flags come from the service script when it reads them itself, never twice", async () => {
    const itself = await render('kubernetes', 'kubelet.confd.j2', { kubernetes_kubelet_initd_reads_kubeadm_flags: true });
    assert.doesNotMatch(itself, /kubeadm-flags\.env\s*$|^\s*\. /m, 'conf.d does not source kubeadm-flags.env again');
    assert.doesNotMatch(itself, /KUBELET_KUBEADM_ARGS\}?"/, 'nor append its flags');
    assert.match(itself, /--config=\/var\/lib\/kubelet\/config\.yaml"/);
    assert.equal((await sh('sh', ['-n', '-c', itself])).code, 0, 'valid shell');
  });

  it("OpenRC kubelet reads kubeadm's flags and config", async () => {
    const text = await render('kubernetes', 'kubelet.confd.j2');
    assert.match(text, /\. \/var\/lib\/kubelet\/kubeadm-flags\.env/);
    assert.match(text, /--config=\/var\/lib\/kubelet\/config\.yaml/);
    const check = await sh('sh', ['-n', '-c', text]);
    assert.equal(check.code, 0, 'valid shell');
  });

  it('chrony.conf lists the servers and steps the clock', async () => {
    const text = await render('prepare', 'chrony.conf.j2', { prepare_chrony_servers: ['a.example', 'b.example'] });
    assert.match(text, /^pool a\.example iburst$/m);
    assert.match(text, /^pool b\.example iburst$/m);
    assert.match(text, /^makestep 1\.0 -1$/m);
  });
});

function flatten(tasks: Array<Record<string, unknown>> | null): Array<Record<string, unknown>> {
  return (tasks ?? []).flatMap((task) => {
    const children = ['block', 'rescue', 'always'].flatMap((key) =>
      Array.isArray(task[key]) ? flatten(task[key] as Array<Record<string, unknown>>) : [],
    );
    return [task, ...children];
  });
}

describe('Kubernetes packages on Alpine follow the one version table (issue 9, defect 6)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'pi-cluster-apk-'));
  const log = join(scratch, 'apk.log');
  // The stand-in for apk (no Alpine repository here): records what the role asks apk to install.
  writeFileSync(join(scratch, 'apk'), `#!/bin/sh\necho "$*" >>${log}\necho "(1/3) Installing kubelet"\n`, { mode: 0o755 });
  const install = (vars: Record<string, unknown>) => {
    rmSync(log, { force: true });
    return sh('ansible-playbook', ['-i', fixture('pi-hosts'), '-e', JSON.stringify(vars), fixture('alpine-kube-packages.yml')], {
      env: { PATH: `${scratch}:${process.env.PATH}` },
    });
  };

  it('installs kubelet, kubeadm and kubectl pinned to the minor of the running Alpine branch', async () => {
    const ran = await install({ alpine_release: '3.24.2' });
    assert.equal(ran.code, 0, ran.stdout);
    assert.equal(readFileSync(log, 'utf8').trim(), 'add --no-progress kubelet=~1.36 kubeadm=~1.36 kubectl=~1.36 kubelet-openrc');
  });

  it('refuses a --kube-version the Alpine release does not carry, naming the one it does', async () => {
    const ran = await install({ alpine_release: '3.24.2', pi_cluster_kube_version: '1.34.2' });
    assert.notEqual(ran.code, 0);
    assert.match(ran.stdout, /Alpine 3\.24\.2 carries Kubernetes 1\.36, not 1\.34\.2/);
    assert.ok(!existsSync(log), 'nothing was installed');
  });

  it('refuses an Alpine branch the table does not know', async () => {
    const ran = await install({ alpine_release: '3.20.3' });
    assert.notEqual(ran.code, 0);
    assert.ok(!existsSync(log));
  });
});
