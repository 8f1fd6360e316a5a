// The thin commands end to end (no hosts needed): --dry-run output, errors with a hint, confirmation rules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../../src/paths.js';

const bin = join(packageRoot(), 'bin', 'pi-cluster.js');
const cli = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [bin, '--no-color', ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });

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
    for (const layer of ['00-preflight', '10-prepare', '20-disk', '30-node']) assert.match(result.stdout, new RegExp(`ansible-playbook .*playbooks/${layer}\\.yml`));
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

  it('without discover\'s files it says to run discover', () => {
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
});
