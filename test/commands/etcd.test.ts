// `pi-cluster etcd snapshot|restore` (in place): the command built, the checks before a restore, the question,
// and Ctrl-C at that question through the real launcher on a real pseudo-terminal.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatCommand, type PlaybookCommand } from '../../src/ansible/index.js';
import { CancelledError } from '../../src/errors.js';
import { etcdCommand } from '../../src/commands/etcd/action.js';
import { checkSnapshot } from '../../src/etcd/snapshot-file.js';
import { packageRoot } from '../../src/paths.js';
import { hasProgram, skipUnless } from '../helpers/requires.js';
import { ensureBackupKey } from '../../src/etcd/backup-key.js';
import { recoverCommand } from '../../src/commands/etcd/recover.js';
import { makePki, makeSnapshot, seal } from '../etcd/bundle-helpers.js';

const fixtures = join(packageRoot(), 'test', 'fixtures', 'addons');

/** A project folder after bootstrap: pi-cluster.yaml, pi-hosts (one master, two workers). */
function project(): { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-etcd-'));
  copyFileSync(join(fixtures, 'pi-cluster.yaml'), join(dir, 'pi-cluster.yaml'));
  copyFileSync(join(fixtures, 'pi-hosts'), join(dir, 'pi-hosts'));
  mkdirSync(join(dir, '.pi-cluster'));
  return { dir };
}

/** A file that starts like an etcd (bbolt) database. */
function fakeSnapshot(dir: string): string {
  const data = Buffer.alloc(8192);
  data.writeUInt32LE(0xed0cdaed, 16);
  const path = join(dir, 'etcd-snapshot-2025-01-31T030000Z.db');
  writeFileSync(path, data);
  return path;
}

const extraVarsOf = (command: PlaybookCommand) => JSON.parse(command.args[command.args.indexOf('-e') + 1]) as Record<string, string>;

test('etcd snapshot --dry-run prints the playbook command against the inventory', async () => {
  const { dir } = project();
  let printed = '';
  const command = await etcdCommand({
    action: 'snapshot',
    inventoryPath: 'pi-hosts',
    yes: false,
    dryRun: true,
    cwd: dir,
    write: (t) => (printed += t),
  });
  assert.equal(printed.trim(), formatCommand(command));
  assert.equal(command.file, 'ansible-playbook');
  assert.deepEqual(command.args.slice(0, 2), ['-i', join(dir, 'pi-hosts')]);
  assert.equal(command.args.at(-1), join(packageRoot(), 'ansible', 'playbooks', 'etcd-snapshot.yml'));
  assert.deepEqual(extraVarsOf(command), {
    etcd_backup_local_dir: join(dir, '.pi-cluster', 'etcd-snapshots'),
    etcd_backup_node: process.execPath,
  });
  assert.equal(command.env.ANSIBLE_CONFIG, join(packageRoot(), 'ansible', 'ansible.cfg'));
  assert.match(command.env.ANSIBLE_SSH_ARGS, new RegExp(`UserKnownHostsFile=${join(dir, '.pi-cluster', 'known_hosts')}`));
  assert.match(printed, /-e '\{"etcd_backup_local_dir":/);
});

test('etcd restore checks the snapshot, asks first, and runs only when confirmed', async () => {
  const { dir } = project();
  const base = { action: 'restore' as const, inventoryPath: 'pi-hosts', dryRun: false, cwd: dir, write: () => {} };
  const runs: PlaybookCommand[] = [];
  const run = async (c: PlaybookCommand) => void runs.push(c);

  writeFileSync(join(dir, 'notes.txt'), 'not a snapshot');
  await assert.rejects(etcdCommand({ ...base, snapshot: 'notes.txt', yes: true, run }), /notes\.txt is not an etcd snapshot/);
  await assert.rejects(etcdCommand({ ...base, snapshot: 'missing.db', yes: true, run }), /snapshot missing\.db does not exist/);
  const snapshot = fakeSnapshot(dir);
  await assert.doesNotReject(checkSnapshot(snapshot));

  await assert.rejects(etcdCommand({ ...base, snapshot, yes: false, run }), /no terminal to ask on/);
  let asked = '';
  await assert.rejects(etcdCommand({ ...base, snapshot, yes: false, run, confirm: async (q) => ((asked = q), false) }), CancelledError);
  assert.match(asked, /onto pi0 \(198\.51\.100\.10\)/);
  assert.equal(runs.length, 0);

  await etcdCommand({ ...base, snapshot, yes: false, run, confirm: async () => true });
  await etcdCommand({ ...base, snapshot, yes: true, run });
  assert.equal(runs.length, 2);
  assert.match(runs[0].args.at(-1) ?? '', /etcd-restore\.yml$/);
  assert.equal(extraVarsOf(runs[0]).etcd_backup_restore_snapshot, snapshot);

  writeFileSync(join(dir, 'pi-hosts'), '[masters]\npi0 ansible_host=198.51.100.10\npi1 ansible_host=198.51.100.11\n');
  await assert.rejects(etcdCommand({ ...base, snapshot, yes: true, run }), /2 masters; this restore handles a single control-plane node/);
});

test(
  'the etcd playbooks pass ansible-playbook --syntax-check',
  { skip: skipUnless(hasProgram('ansible-playbook'), 'ansible-playbook is not installed') },
  () => {
    const { dir } = project();
    for (const playbook of ['etcd-snapshot.yml', 'etcd-restore.yml']) {
      const run = spawnSync(
        'ansible-playbook',
        ['--syntax-check', '-i', join(dir, 'pi-hosts'), join(packageRoot(), 'ansible', 'playbooks', playbook)],
        {
          cwd: dir,
          encoding: 'utf8',
          env: { ...process.env, ANSIBLE_CONFIG: join(packageRoot(), 'ansible', 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' },
        },
      );
      assert.equal(run.status, 0, `${playbook}:\n${run.stdout}${run.stderr}`);
    }
  },
);

// util-linux `script` gives the launcher a real pseudo-terminal, so the question is asked by @inquirer/prompts
// exactly as a user sees it; Ctrl-C is the byte 0x03 typed on that terminal.
test(
  'Ctrl-C at the restore question cancels (exit 130), not "internal error ExitPromptError" (exit 70)',
  { skip: skipUnless(hasProgram('script', ['--version']), 'util-linux script is not installed'), timeout: 60_000 },
  async () => {
    const { dir } = project();
    const snapshot = fakeSnapshot(dir);
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TERM: 'xterm' };
    delete env.CI;
    const cli = `${process.execPath} ${join(packageRoot(), 'bin', 'pi-cluster.js')} etcd restore ${snapshot}`;
    const child = spawn('script', ['-qefc', cli, '/dev/null'], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const asked = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/Restore[\s\S]*\(y\/N\)/.test(output)) resolve();
      });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await asked;
    child.stdin.write('\x03');
    const code = await exited;
    assert.doesNotMatch(output, /internal error|ExitPromptError/, output);
    assert.equal(code, 130, output);
    assert.match(output, /[Cc]ancelled/);
  },
);

/** An etcd-backup-*.enc sealed by the real seal script for the project's own backup key. */
async function sealedBackup(dir: string): Promise<{ bundle: string; snapshot: Buffer }> {
  const { publicKeyPath } = await ensureBackupKey(dir);
  const pki = join(dir, 'pki-source');
  makePki(pki);
  const snapshot = makeSnapshot(join(dir, 'snapshot-source.db'));
  const bundle = join(dir, 'etcd-backup-2026-11-30T020000Z.enc');
  const sealed = seal({ publicKey: publicKeyPath, snapshot: join(dir, 'snapshot-source.db'), pkiDir: pki, out: bundle });
  assert.equal(sealed.status, 0, sealed.stderr);
  return { bundle, snapshot };
}

test(
  'etcd restore of an encrypted backup: opened with the project key, its snapshot restored, the plain copy removed after',
  { skip: skipUnless(hasProgram('openssl', ['version']), 'openssl is not installed') },
  async () => {
    const { dir } = project();
    const { bundle, snapshot } = await sealedBackup(dir);
    let seen: Buffer | undefined;
    let path = '';
    await etcdCommand({
      action: 'restore',
      snapshot: bundle,
      inventoryPath: 'pi-hosts',
      yes: true,
      dryRun: false,
      cwd: dir,
      write: () => {},
      run: async (command) => {
        path = extraVarsOf(command).etcd_backup_restore_snapshot;
        seen = readFileSync(path);
      },
    });
    assert.ok(seen?.equals(snapshot), 'the playbook got the sealed snapshot, byte for byte');
    assert.equal(existsSync(path), false, 'the opened copy is gone after the run');
  },
);

test(
  'etcd restore BUNDLE --onto --dry-run says where it would open the bundle and lists the steps in order, writing nothing',
  { skip: skipUnless(hasProgram('openssl', ['version']), 'openssl is not installed') },
  async () => {
    const { dir } = project();
    const { bundle } = await sealedBackup(dir);
    let printed = '';
    const outcomes = await recoverCommand({
      backup: bundle,
      onto: 'pi0',
      inventoryPath: 'pi-hosts',
      yes: false,
      dryRun: true,
      cwd: dir,
      clusterVars: () => ({}),
      write: (t) => (printed += t),
    });
    assert.deepEqual(
      outcomes.map((o) => o.step),
      ['find-host', 'prepare-node', 'lay-pki', 'control-plane', 'restore-etcd', 'check-workers', 'validate'],
    );
    assert.match(
      printed,
      /would open \S+etcd-backup-2026-11-30T020000Z\.enc with \S+etcd-backup\.key into \S+\/\.pi-cluster\/recover\/etcd-backup-2026-11-30T020000Z/,
    );
    assert.match(printed, /Dry run: nothing was changed/);
    assert.equal(existsSync(join(dir, '.pi-cluster', 'recover')), false);
    assert.equal(existsSync(join(dir, '.pi-cluster', 'recover.json')), false);
  },
);
