/**
 * The backup key through the real CLI: `pi-cluster addons tfvars` (what `make apply` runs first) makes the
 * project's key pair once and names its public half in the Terraform variables; the private half is 0600 and
 * never printed.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { tempDir } from '../flash/helpers.js';
import { runCli } from '../helpers/cli.js';

const fixtures = join(packageRoot(), 'test', 'fixtures', 'addons');

test('addons tfvars makes the backup key once (0600, never printed) and hands Terraform only its public half', async () => {
  const dir = tempDir('pi-cluster-backup-key-cli-');
  copyFileSync(join(fixtures, 'pi-cluster.yaml'), join(dir, 'pi-cluster.yaml'));
  copyFileSync(join(fixtures, 'pi-hosts'), join(dir, 'pi-hosts'));
  mkdirSync(join(dir, '.pi-cluster'), { mode: 0o700 });
  writeFileSync(
    join(dir, '.pi-cluster', 'kubeconfig'),
    'apiVersion: v1\nkind: Config\ncontexts:\n- name: kubernetes-admin@kubernetes\n  context: {cluster: c, user: u}\ncurrent-context: kubernetes-admin@kubernetes\n',
    { mode: 0o600 },
  );
  const env = { ...process.env, HOME: join(dir, 'home') };

  const first = await runCli(['addons', 'tfvars'], { cwd: dir, env });
  assert.equal(first.code, 0, first.stderr);
  const privateKey = join(dir, '.pi-cluster', 'etcd-backup.key');
  const publicKey = join(dir, '.pi-cluster', 'etcd-backup.pub');
  assert.equal(statSync(privateKey).mode & 0o777, 0o600);
  assert.match(first.stdout, /etcd backup key: generated \.pi-cluster\/etcd-backup\.key \(mode 0600\); keep a copy off this machine/);
  const secret = readFileSync(privateKey, 'utf8');
  const body = secret.split('\n')[1];
  assert.ok(!first.stdout.includes(body) && !first.stderr.includes(body), 'the private key is never printed');
  const vars = JSON.parse(readFileSync(join(dir, 'terraform', 'cluster.auto.tfvars.json'), 'utf8'));
  assert.equal(vars.etcd_backup_public_key, publicKey);
  assert.doesNotMatch(JSON.stringify(vars), /PRIVATE/);

  const second = await runCli(['addons', 'tfvars'], { cwd: dir, env });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /etcd backup key: \.pi-cluster\/etcd-backup\.key \(backups are sealed for \.pi-cluster\/etcd-backup\.pub\)/);
  assert.equal(readFileSync(privateKey, 'utf8'), secret, 'made once, then kept');

  // With the backup off, no key is made and none is named.
  const off = tempDir('pi-cluster-backup-key-off-');
  copyFileSync(join(fixtures, 'pi-hosts'), join(off, 'pi-hosts'));
  writeFileSync(join(off, 'pi-cluster.yaml'), `${readFileSync(join(fixtures, 'pi-cluster.yaml'), 'utf8')}\naddons:\n  etcdBackup: false\n`);
  mkdirSync(join(off, '.pi-cluster'), { mode: 0o700 });
  copyFileSync(join(dir, '.pi-cluster', 'kubeconfig'), join(off, '.pi-cluster', 'kubeconfig'));
  const without = await runCli(['addons', 'tfvars'], { cwd: off, env });
  assert.equal(without.code, 0, without.stderr);
  assert.equal(JSON.parse(readFileSync(join(off, 'terraform', 'cluster.auto.tfvars.json'), 'utf8')).addons.etcd_backup, false);
  assert.throws(() => statSync(join(off, '.pi-cluster', 'etcd-backup.key')), /ENOENT/);
});
