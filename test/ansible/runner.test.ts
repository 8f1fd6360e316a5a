/**
 * The one Ansible runner (src/ansible/): its ssh options are ansible.cfg's, and the real ansible-playbook hands
 * them, the absolute known_hosts and the per-project ControlPath to ssh.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ansibleConfigPath,
  configSshArgs,
  formatCommand,
  playbookCommand,
  runPlaybook,
  sshArgs,
  type AnsibleEvent,
} from '../../src/ansible/index.js';
import { hasProgram, skipUnless } from '../helpers/requires.js';

const skip = skipUnless(hasProgram('ansible-playbook'), 'ansible-playbook is not installed');

/** What Ansible itself reads from a config (ansible-config's own INI reader), e.g. ssh's ssh_args. */
function ansibleSetting(env: Record<string, string>, plugin: string, name: string): string {
  const out = spawnSync('ansible-config', ['dump', '-t', 'connection', '--only-changed'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  assert.equal(out.status, 0, out.stderr);
  const section = out.stdout.split(/\n(?=\S+:\n_+\n)/).find((s) => s.startsWith(`${plugin}:`)) ?? '';
  const line = section.split('\n').find((l) => l.startsWith(`${name}(`));
  assert.ok(line, `ansible-config shows no ${plugin} ${name}:\n${out.stdout}`);
  return line.slice(line.indexOf(' = ') + 3);
}

test('the runner reads its ssh options from ansible.cfg, as Ansible does, and only makes known_hosts absolute', { skip }, () => {
  const fromCfg = ansibleSetting({ ANSIBLE_CONFIG: ansibleConfigPath() }, 'ssh', 'ssh_args');
  assert.equal(configSshArgs(), fromCfg);
  for (const option of ['StrictHostKeyChecking=yes', 'BatchMode=yes', 'ControlMaster=auto'])
    assert.match(fromCfg, new RegExp(`-o ${option}`));

  const known = '/srv/project/.pi-cluster/known_hosts';
  const env = playbookCommand({
    playbook: '10-prepare.yml',
    inventory: '/srv/project/pi-hosts',
    cwd: '/srv/project',
    knownHosts: known,
  }).env;
  const seen = ansibleSetting(env, 'ssh', 'ssh_args');
  assert.equal(seen, sshArgs(known));
  assert.equal(seen, fromCfg.replace('UserKnownHostsFile=.pi-cluster/known_hosts', `UserKnownHostsFile=${known}`));
  assert.equal(ansibleSetting(env, 'ssh', 'control_path_dir'), '/srv/project/.pi-cluster/cp');
});

test("etcd-style one call: the default known_hosts is the project's, extra vars inline, printable", () => {
  const command = playbookCommand({
    playbook: 'etcd-snapshot.yml',
    inventory: '/p/pi-hosts',
    cwd: '/p',
    extraVars: { a: "it's" },
    privateKey: '/k/id',
  });
  assert.equal(command.file, 'ansible-playbook');
  assert.equal(command.cwd, '/p');
  assert.match(command.env.ANSIBLE_SSH_ARGS, /UserKnownHostsFile=\/p\/.pi-cluster\/known_hosts/);
  assert.equal(command.env.ANSIBLE_SSH_CONTROL_PATH_DIR, '/p/.pi-cluster/cp');
  assert.deepEqual(command.args.slice(0, 4), ['-i', '/p/pi-hosts', '-e', '{"a":"it\'s"}']);
  assert.match(formatCommand(command), /-e '\{"a":"it'\\''s"\}' --private-key \/k\/id \S+\/ansible\/playbooks\/etcd-snapshot\.yml$/);
});

test(
  "runPlaybook: the real ansible-playbook gives ssh the runner's options, and its events arrive",
  { skip, timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-runner-'));
    const knownHosts = join(dir, '.pi-cluster', 'known_hosts');
    // Stands in for the ssh binary only to record the argv Ansible builds; it reaches no host (exit 255 = unreachable).
    const recorder = join(dir, 'ssh-recorder');
    writeFileSync(recorder, `#!/bin/sh\nprintf '%s\\n' "$@" >> ${join(dir, 'ssh-argv')}\nexit 255\n`);
    chmodSync(recorder, 0o755);
    writeFileSync(join(dir, 'pi-hosts'), `[masters]\npi0 ansible_host=198.51.100.250 ansible_ssh_executable=${recorder}\n`);
    writeFileSync(
      join(dir, 'play.yml'),
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: reach the host\n      ansible.builtin.ping:\n',
    );
    const events: AnsibleEvent[] = [];
    const result = await runPlaybook({
      playbook: join(dir, 'play.yml'),
      inventory: join(dir, 'pi-hosts'),
      cwd: dir,
      knownHosts,
      privateKey: join(dir, 'id_test'),
      forks: 1,
      extraVars: { pi_cluster_probe: 1 },
      logFile: join(dir, '.pi-cluster', 'logs', 'play.log'),
      onEvent: (e) => events.push(e),
    });
    assert.notEqual(result.exitCode, 0);
    assert.equal(result.failures[0]?.host, 'pi0');
    assert.equal(result.failures[0]?.status, 'unreachable');
    assert.equal(result.recap.pi0?.unreachable, 1);
    assert.ok(events.some((e) => e.event === 'task' && e.name === 'reach the host'));
    assert.ok(existsSync(join(dir, '.pi-cluster', 'logs', 'play.vars.json')));
    assert.match(readFileSync(join(dir, '.pi-cluster', 'logs', 'play.log'), 'utf8'), /ansible-playbook -i /);

    const argv = readFileSync(join(dir, 'ssh-argv'), 'utf8').split('\n');
    for (const option of sshArgs(knownHosts)
      .split(/\s*-o\s+/)
      .filter(Boolean))
      assert.ok(argv.includes(option), `ssh got no -o ${option}: ${argv.join(' ')}`);
    assert.ok(
      argv.some(
        (a) =>
          a.startsWith(`ControlPath="${join(dir, '.pi-cluster', 'cp')}/`) || a.startsWith(`ControlPath=${join(dir, '.pi-cluster', 'cp')}/`),
      ),
      argv.join(' '),
    );
    assert.ok(
      argv.includes(`IdentityFile="${join(dir, 'id_test')}"`) || argv.includes(`IdentityFile=${join(dir, 'id_test')}`),
      argv.join(' '),
    );
    assert.ok(argv.includes('198.51.100.250'));
  },
);
