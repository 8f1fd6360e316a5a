// The thin commands end to end (no hosts needed): --dry-run output, errors with a hint, confirmation rules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../../src/paths.js';

const bin = join(packageRoot(), 'bin', 'pi-cluster.js');
const cli = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [bin, '--no-color', ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-cli-'));
  copyFileSync(join(packageRoot(), 'test', 'fixtures', 'bootstrap', 'pi-hosts'), join(dir, 'pi-hosts'));
  mkdirSync(join(dir, '.pi-cluster'));
  writeFileSync(join(dir, '.pi-cluster', 'known_hosts'), '');
  writeFileSync(join(dir, 'id_test'), '-----BEGIN OPENSSH PRIVATE KEY-----\n');
  return dir;
}

describe('pi-cluster bootstrap / reset (CLI)', () => {
  it('--dry-run prints the layers, hosts and ansible-playbook commands and writes nothing', () => {
    const dir = project();
    const result = cli(dir, 'bootstrap', '--dry-run', '--ssh-key', join(dir, 'id_test'), '--to', '30');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Dry run: nothing was changed/);
    assert.match(result.stdout, /pi0@198\.51\.100\.10, pi1@198\.51\.100\.11, pi2@198\.51\.100\.12/);
    for (const layer of ['00-preflight', '10-prepare', '20-disk', '30-node'])
      assert.match(result.stdout, new RegExp(`ansible-playbook .*playbooks/${layer}\\.yml`));
    assert.match(result.stdout, /skip 40-control-plane: after --to/);
    assert.equal(existsSync(join(dir, '.pi-cluster', 'state.json')), false);
    assert.equal(existsSync(join(dir, '.pi-cluster', 'logs')), false);
  });

  it('an unknown layer is a user error with the list of layers', () => {
    const dir = project();
    const result = cli(dir, 'bootstrap', '--dry-run', '--ssh-key', join(dir, 'id_test'), '--only', 'kubelet');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /--only kubelet: no such layer/);
    assert.match(result.stderr, /hint: layers: 00-preflight, 10-prepare/);
  });

  it("without discover's files it says to run discover", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-cli-'));
    const result = cli(dir, 'bootstrap', '--ssh-key', join(dir, 'id_test'));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /inventory .*pi-hosts does not exist/);
    assert.match(result.stderr, /hint: run `pi-cluster discover` first/);
  });

  it('reset without a terminal needs --yes', () => {
    const dir = project();
    const result = cli(dir, 'reset', '--ssh-key', join(dir, 'id_test'));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /reset needs confirmation/);
    assert.match(result.stderr, /--yes/);
  });

  it('reset --dry-run prints the reset playbook command', () => {
    const dir = project();
    const result = cli(dir, 'reset', '--dry-run', '--ssh-key', join(dir, 'id_test'));
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /ansible-playbook .*playbooks\/90-reset\.yml/);
  });

  it('conflicting layer flags are refused with one line, before the key or inventory is read (issue 12, item 9)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-cli-')); // no pi-hosts, no key: the flags are checked first
    const cases: Array<[string[], RegExp]> = [
      [['--only', '30', '--from', '10'], /^pi-cluster: --only cannot be combined with --from$/m],
      [['--only', '30', '--to', '40'], /^pi-cluster: --only cannot be combined with --to$/m],
      [['--from', '40', '--to', '10'], /^pi-cluster: --to 10-prepare comes before --from 40-control-plane: no layer would run$/m],
      [['--from', ''], /^pi-cluster: --from is empty$/m],
      [['--to', ' '], /^pi-cluster: --to is empty$/m],
    ];
    for (const [flags, message] of cases) {
      const result = cli(dir, 'bootstrap', '--dry-run', ...flags);
      assert.equal(result.status, 1, `${flags.join(' ')}: ${result.stdout}`);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /^hint: /m);
      assert.equal(result.stderr.trim().split('\n').length, 2, result.stderr);
    }
  });

  it('--dry-run without an SSH key or known_hosts shows the plan and says what the real run needs (item 11)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-cli-'));
    copyFileSync(join(packageRoot(), 'test', 'fixtures', 'bootstrap', 'pi-hosts'), join(dir, 'pi-hosts'));
    const home = mkdtempSync(join(tmpdir(), 'pi-cluster-home-'));
    const result = spawnSync(process.execPath, [bin, '--no-color', 'bootstrap', '--dry-run'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CI: '1', HOME: home },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /ansible-playbook .*playbooks\/00-preflight\.yml/);
    assert.match(
      result.stdout,
      /The real run also needs:\n {2}- an SSH private key \(pass --ssh-key.*\n {2}- the host keys in .*known_hosts \(run `pi-cluster discover`/,
    );
    const real = spawnSync(process.execPath, [bin, '--no-color', 'bootstrap'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CI: '1', HOME: home },
    });
    assert.equal(real.status, 1);
    assert.match(real.stderr, /^pi-cluster: no SSH key found$/m);
  });

  it('a folder as --inventory and an inventory with a connection override stop before any connection (items 4, 7)', () => {
    const dir = project();
    const folder = cli(dir, 'bootstrap', '--ssh-key', join(dir, 'id_test'), '-i', '/etc');
    assert.equal(folder.status, 1, folder.stderr);
    assert.match(folder.stderr, /^pi-cluster: inventory \/etc is a folder, not a file$/m);
    writeFileSync(
      join(dir, 'pi-hosts'),
      '[masters]\npi0 ansible_host=198.51.100.10\n[all:vars]\nansible_ssh_common_args=-oProxyCommand=id\n',
    );
    for (const command of [
      ['bootstrap', '--dry-run'],
      ['reset', '--dry-run'],
      ['etcd', 'snapshot', '--dry-run'],
    ]) {
      const result = cli(dir, ...command, ...(command[0] === 'etcd' ? [] : ['--ssh-key', join(dir, 'id_test')]));
      assert.equal(result.status, 1, `${command.join(' ')}: ${result.stdout}`);
      assert.match(result.stderr, /pi-hosts:4: ansible_ssh_common_args="-oProxyCommand=id" overrides how Ansible connects/);
    }
    const allowed = cli(dir, 'bootstrap', '--dry-run', '--ssh-key', join(dir, 'id_test'), '--allow-ssh-overrides');
    assert.equal(allowed.status, 0, allowed.stderr);
  });
});
