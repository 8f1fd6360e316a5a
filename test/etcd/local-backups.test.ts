// Retention of the local backups (`pi-cluster etcd snapshot --keep N`): only the names the snapshot role
// writes are counted and deleted, the new backup is always kept, --dry-run deletes nothing, and a bad --keep
// is one line from the real launcher.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PlaybookCommand } from '../../src/ansible/index.js';
import { etcdCommand, type EtcdOptions } from '../../src/commands/etcd/action.js';
import { beyondKeep, LOCAL_BACKUP_NAME, localBackups } from '../../src/etcd/local-backups.js';
import { packageRoot } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';

const fixtures = join(packageRoot(), 'test', 'fixtures', 'addons');
const backupName = (day: number) => `etcd-backup-2026-11-${String(day).padStart(2, '0')}T020000Z.enc`;

/** A project with `count` backups (Nov 1, 2, ...) and two files that are not the role's backups. */
function project(count: number): { dir: string; backups: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-keep-'));
  copyFileSync(join(fixtures, 'pi-cluster.yaml'), join(dir, 'pi-cluster.yaml'));
  copyFileSync(join(fixtures, 'pi-hosts'), join(dir, 'pi-hosts'));
  const backups = join(dir, '.pi-cluster', 'etcd-snapshots');
  mkdirSync(backups, { recursive: true });
  for (let day = 1; day <= count; day++) writeFileSync(join(backups, backupName(day)), Buffer.alloc(1024 * day));
  writeFileSync(join(backups, 'etcd-snapshot-2025-01-31T030000Z.db'), 'an older plain snapshot');
  writeFileSync(join(backups, 'etcd-backup-before-upgrade.enc'), 'renamed by the user');
  return { dir, backups };
}

/** Stands in for the playbook: the snapshot role's new backup appears (Nov 30). */
const snapshotRun = (backups: string) => async (_command: PlaybookCommand) => writeFileSync(join(backups, backupName(30)), 'new');

/** `pi-cluster etcd snapshot` in `dir` (the playbook replaced by `run`); what it printed. */
async function snapshot(dir: string, over: Partial<EtcdOptions>): Promise<string> {
  let printed = '';
  await etcdCommand({
    action: 'snapshot',
    inventoryPath: 'pi-hosts',
    yes: false,
    dryRun: false,
    cwd: dir,
    write: (t) => (printed += t),
    ...over,
  });
  return printed;
}

describe('local etcd backups: retention', () => {
  it("the name pattern is the snapshot role's (its strftime format, rendered by coreutils date)", () => {
    const facts = readFileSync(join(packageRoot(), 'ansible', 'roles', 'etcd_backup', 'tasks', 'facts.yml'), 'utf8');
    const snapshot = readFileSync(join(packageRoot(), 'ansible', 'roles', 'etcd_backup', 'tasks', 'snapshot.yml'), 'utf8');
    const format = /etcd_backup_stamp: "\{\{ now\(utc=true, fmt='([^']+)'\) \}\}"/.exec(facts)?.[1];
    assert.equal(format, '%Y-%m-%dT%H%M%SZ');
    assert.match(snapshot, /etcd_backup_name: "etcd-backup-\{\{ etcd_backup_stamp \}\}\.enc"/);
    const stamp = execFileSync('date', ['-u', `+${format}`], { encoding: 'utf8' }).trim();
    assert.match(`etcd-backup-${stamp}.enc`, LOCAL_BACKUP_NAME);
    assert.doesNotMatch('etcd-backup-before-upgrade.enc', LOCAL_BACKUP_NAME);
  });

  it('lists only those names, oldest first, and picks the oldest beyond N', async () => {
    const { backups } = project(4);
    const listed = await localBackups(backups);
    assert.deepEqual(
      listed.map((b) => b.name),
      [1, 2, 3, 4].map(backupName),
    );
    assert.deepEqual(
      beyondKeep(listed, 3).map((b) => b.name),
      [backupName(1)],
    );
    assert.deepEqual(beyondKeep(listed, 9), []);
    assert.deepEqual(await localBackups(join(backups, 'missing')), []);
  });

  it('snapshot --keep 3: after the new backup, the oldest go; other files stay', async () => {
    const { dir, backups } = project(4);
    const printed = await snapshot(dir, { keep: 3, run: snapshotRun(backups) });
    assert.deepEqual(readdirSync(backups).sort(), [
      backupName(3),
      backupName(4),
      backupName(30),
      'etcd-backup-before-upgrade.enc',
      'etcd-snapshot-2025-01-31T030000Z.db',
    ]);
    assert.ok(printed.includes(`--keep 3: deleted 2 backups (${backupName(1)}, ${backupName(2)}); 3 backups kept in ${backups}`), printed);
  });

  it('the backup just written stays even when its name says years ago (a clock set back); it counts as one of N', async () => {
    const { dir, backups } = project(4);
    const past = 'etcd-backup-2020-01-01T000000Z.enc';
    const run = async () => writeFileSync(join(backups, past), 'new, from a machine whose clock is behind');
    const printed = await snapshot(dir, { keep: 2, run });
    assert.deepEqual(
      readdirSync(backups)
        .filter((n) => LOCAL_BACKUP_NAME.test(n))
        .sort(),
      [past, backupName(4)],
    );
    assert.match(printed, /--keep 2: deleted 3 backups/);
  });

  it('a failed snapshot deletes nothing', async () => {
    const { dir, backups } = project(4);
    const failing = async () => {
      throw new Error('ansible-playbook failed (exit 2)');
    };
    await assert.rejects(snapshot(dir, { keep: 1, run: failing }));
    assert.equal(readdirSync(backups).length, 6);
  });

  it('--dry-run names what would go (the new backup counted) and deletes nothing', async () => {
    const { dir, backups } = project(4);
    const printed = await snapshot(dir, { dryRun: true, keep: 3 });
    assert.ok(
      printed.includes(`then keep the newest 3 etcd-backup-*.enc in ${backups}: would delete ${backupName(1)}, ${backupName(2)}`),
      printed,
    );
    assert.equal(readdirSync(backups).length, 6);
  });

  it('without --keep nothing is deleted; past 10 backups it says how to prune', async () => {
    const { dir, backups } = project(10);
    const printed = await snapshot(dir, { run: snapshotRun(backups) });
    assert.equal(readdirSync(backups).length, 13);
    assert.match(
      printed,
      /11 local backups in \S+ \(0\.1 MiB\); `pi-cluster etcd snapshot --keep 10` next time deletes all but the newest 10\n/,
    );
  });

  for (const keep of ['0', 'ten', '-1', '2.5']) {
    it(`--keep ${keep}: one line naming the flag, exit 1, nothing run`, async () => {
      const { dir, backups } = project(2);
      const result = await runCli(['etcd', 'snapshot', '--keep', keep, '--dry-run'], { cwd: dir });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`--keep ${keep.replace('.', '\\.')}: not a whole number of backups, at least 1`));
      assert.equal(result.stdout, '');
      assert.equal(readdirSync(backups).length, 4);
    });
  }
});
