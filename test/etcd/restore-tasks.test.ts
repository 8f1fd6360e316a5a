// The etcd_backup role's restore decisions, run by the real ansible-playbook on this machine:
// - which tool restores and with which flags: against a stand-in `ctr` (no containerd and no etcd image can
//   run here), answering as an etcd 3.5 image (no etcdutl, etcd-io/etcd#13764) or a 3.6 one, with or without
//   --bump-revision (etcd >= 3.5.10); the Ansible conditions are the real ones;
// - the `always:` clean-up: real folders, real mv/rmdir; etcd never starts on a missing data folder.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { hasProgram, skipUnless } from '../helpers/requires.js';
import { helperPlaybook, sh } from '../ansible/run.js';

const skip = skipUnless(hasProgram('ansible-playbook'), 'ansible-playbook is not installed');
const ctr = join(packageRoot(), 'test', 'fixtures', 'etcd', 'ctr-standin.sh');

async function chooseTool(
  imageTools: string,
  bump: boolean,
  extra: Record<string, unknown> = {},
): Promise<{ line: string; calls: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-etcd-tool-'));
  const log = join(dir, 'ctr.log');
  const vars = {
    role: 'etcd_backup',
    tasks: 'restore-tool',
    etcd_backup_ctr: ctr,
    etcd_backup_image: 'registry.k8s.io/etcd:3.5.21-0',
    etcd_backup_stamp: '2026-11-30T000000Z',
    ...extra,
  };
  const run = await sh(
    'ansible-playbook',
    [
      '-i',
      join(packageRoot(), 'test', 'fixtures', 'bootstrap', 'pi-hosts'),
      '-e',
      JSON.stringify(vars),
      join(packageRoot(), 'test', 'fixtures', 'bootstrap', 'run-role-tasks.yml'),
    ],
    {
      env: { STANDIN_IMAGE_TOOLS: imageTools, STANDIN_BUMP: bump ? 'yes' : 'no', STANDIN_LOG: log },
    },
  );
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const line = /msg: (restore with .*)$/m.exec(run.stdout)?.[1] ?? '';
  return { line: line.trim(), calls: readFileSync(log, 'utf8').trim().split('\n') };
}

describe('etcd restore: the tool and flags chosen from what the image has', { skip }, () => {
  it('etcd 3.5 image (etcdctl only) with --bump-revision: etcdctl snapshot restore, revision bumped and marked compacted', async () => {
    const { line, calls } = await chooseTool('etcdctl', true);
    assert.equal(line, 'restore with etcdctl --bump-revision=1000000000 --mark-compacted');
    assert.match(calls[0], / etcdutl version$/, 'etcdutl was looked for first');
    assert.match(calls[1], / etcdctl snapshot restore --help$/);
  });
  it('etcd 3.5 image before 3.5.10 (no --bump-revision): etcdctl, no revision flags', async () => {
    assert.equal((await chooseTool('etcdctl', false)).line, 'restore with etcdctl');
  });
  it('etcd 3.6 image: etcdutl, with the revision flags', async () => {
    const { line, calls } = await chooseTool('etcdctl etcdutl', true);
    assert.equal(line, 'restore with etcdutl --bump-revision=1000000000 --mark-compacted');
    assert.match(calls[1], / etcdutl snapshot restore --help$/);
  });
  it('etcd_backup_bump_revision: 0 turns the flags off', async () => {
    assert.equal((await chooseTool('etcdctl etcdutl', true, { etcd_backup_bump_revision: 0 })).line, 'restore with etcdutl');
  });
});

/** /var/lib as the restore left it: `etcd` (with member/ or not) and folders kept aside. */
function varLib(layout: { data?: 'member' | 'empty'; keptAside?: string[] }): string {
  const root = mkdtempSync(join(tmpdir(), 'pi-cluster-etcd-putback-'));
  if (layout.data === 'member') mkdirSync(join(root, 'etcd', 'member'), { recursive: true });
  if (layout.data === 'empty') mkdirSync(join(root, 'etcd'));
  for (const stamp of layout.keptAside ?? []) {
    mkdirSync(join(root, `etcd.before-restore-${stamp}`, 'member'), { recursive: true });
    writeFileSync(join(root, `etcd.before-restore-${stamp}`, 'member', 'stamp'), stamp);
  }
  return root;
}

const putBack = (root: string) =>
  helperPlaybook('run-role-tasks.yml', {
    role: 'etcd_backup',
    tasks: 'restore-put-back',
    etcd_backup_data_dir: join(root, 'etcd'),
    etcd_backup_stopped_dir: join(root, 'stopped'),
  });

describe("etcd restore's clean-up never starts etcd on a missing data folder", { skip }, () => {
  it('data folder missing: the newest folder kept aside goes back', async () => {
    const root = varLib({ keptAside: ['2026-11-01T020000Z', '2026-11-30T020000Z'] });
    const run = await putBack(root);
    assert.equal(run.code, 0, run.stdout);
    assert.equal(readFileSync(join(root, 'etcd', 'member', 'stamp'), 'utf8'), '2026-11-30T020000Z');
    assert.deepEqual(readdirSync(root).sort(), ['etcd', 'etcd.before-restore-2026-11-01T020000Z']);
  });
  it('an empty data folder in the way (etcd created it) is removed first, then the data goes back', async () => {
    const root = varLib({ data: 'empty', keptAside: ['2026-11-30T020000Z'] });
    const run = await putBack(root);
    assert.equal(run.code, 0, run.stdout);
    assert.equal(readFileSync(join(root, 'etcd', 'member', 'stamp'), 'utf8'), '2026-11-30T020000Z');
  });
  it('restored data in place: nothing moves', async () => {
    const root = varLib({ data: 'member', keptAside: ['2026-11-30T020000Z'] });
    const run = await putBack(root);
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /changed=0/);
    assert.ok(existsSync(join(root, 'etcd.before-restore-2026-11-30T020000Z')));
  });
  it('no data and nothing kept aside: the play fails (the control plane stays stopped)', async () => {
    const root = varLib({});
    const run = await putBack(root);
    assert.notEqual(run.code, 0);
    assert.match(run.stdout.replace(/\s+/g, ' '), /holds no etcd data and nothing was kept aside: the control plane stays stopped/);
    assert.equal(existsSync(join(root, 'etcd')), false);
  });
});
