/** writeFileAtomic (src/atomic-file.ts): the one way pi-cluster replaces a file of this machine. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeFileAtomic } from '../src/atomic-file.js';
import { packageRoot } from '../src/paths.js';
import { hasProgram, skipUnless } from './helpers/requires.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'pi-cluster-atomic-'));
const mode = (path: string) => statSync(path).mode & 0o7777;

describe('writeFileAtomic', () => {
  it('writes the content with exactly the mode asked for, whatever the umask', async () => {
    const dir = scratch();
    const old = process.umask(0o077);
    try {
      await writeFileAtomic(join(dir, 'a', 'pi-hosts'), 'x\n', { mode: 0o644 });
    } finally {
      process.umask(old);
    }
    assert.equal(readFileSync(join(dir, 'a', 'pi-hosts'), 'utf8'), 'x\n');
    assert.equal(mode(join(dir, 'a', 'pi-hosts')), 0o644);
    assert.deepEqual(readdirSync(join(dir, 'a')), ['pi-hosts'], 'no temporary file left');
  });

  it('keeps the mode of the file it replaces when none is given', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'state.json'), 'old');
    chmodSync(join(dir, 'state.json'), 0o600);
    await writeFileAtomic(join(dir, 'state.json'), 'new');
    assert.equal(readFileSync(join(dir, 'state.json'), 'utf8'), 'new');
    assert.equal(mode(join(dir, 'state.json')), 0o600);
  });

  it('replaces the file a symbolic link points at and keeps the link (a kubeconfig kept in a dotfiles repository)', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'dotfiles'));
    writeFileSync(join(dir, 'dotfiles', 'kubeconfig'), 'old');
    chmodSync(join(dir, 'dotfiles', 'kubeconfig'), 0o600);
    mkdirSync(join(dir, '.kube'));
    symlinkSync('../dotfiles/kubeconfig', join(dir, '.kube', 'config'));
    await writeFileAtomic(join(dir, '.kube', 'config'), 'new');
    assert.ok(lstatSync(join(dir, '.kube', 'config')).isSymbolicLink(), 'the link is still a link');
    assert.equal(readFileSync(join(dir, 'dotfiles', 'kubeconfig'), 'utf8'), 'new');
    assert.equal(mode(join(dir, 'dotfiles', 'kubeconfig')), 0o600);
    assert.deepEqual(readdirSync(join(dir, '.kube')), ['config'], 'no temporary file beside the link');
    assert.deepEqual(readdirSync(join(dir, 'dotfiles')), ['kubeconfig'], 'no temporary file beside the target');
  });

  it('a failed write leaves the old file and no temporary file', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'target'));
    writeFileSync(join(dir, 'target', 'inside'), 'kept');
    await assert.rejects(writeFileAtomic(join(dir, 'target'), 'new'), /EISDIR|EEXIST|ENOTEMPTY|directory/);
    assert.deepEqual(readdirSync(dir), ['target']);
    assert.equal(readFileSync(join(dir, 'target', 'inside'), 'utf8'), 'kept');
  });

  it(
    'fsyncs the file before the rename and the folder after it (seen by strace)',
    { skip: skipUnless(hasProgram('strace', ['-V']), 'strace is not installed') },
    () => {
      const dir = scratch();
      const script = `import(${JSON.stringify(join(packageRoot(), 'dist/src/atomic-file.js'))}).then((m) => m.writeFileAtomic(${JSON.stringify(join(dir, 'f'))}, 'x'))`;
      const trace = join(dir, 'trace');
      execFileSync('strace', [
        '-f',
        '-o',
        trace,
        '-e',
        'trace=openat,fsync,fdatasync,rename,renameat,renameat2',
        process.execPath,
        '-e',
        script,
      ]);
      const lines = readFileSync(trace, 'utf8').split('\n');
      const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
      const renamed = at(/rename(at2?)?\(.*\.f\.\d+\.[0-9a-f]+\.tmp".*"[^"]*\/f"/);
      assert.ok(renamed > 0, 'renamed');
      const fileFd = /= (\d+)$/.exec(lines[at(/openat\(.*\.f\.\d+\.[0-9a-f]+\.tmp"/)])?.[1];
      const syncs = lines.map((l, i) => [i, /^\d+\s+f(data)?sync\((\d+)\)/.exec(l)?.[2]] as const).filter(([, fd]) => fd !== undefined);
      assert.ok(
        syncs.some(([i, fd]) => i < renamed && fd === fileFd),
        `the file's fsync before the rename:\n${lines.join('\n')}`,
      );
      const dirOpen = lines.findIndex((l, i) => i > renamed && l.includes(`"${dir}"`) && /openat/.test(l));
      const dirFd = /= (\d+)$/.exec(lines[dirOpen] ?? '')?.[1];
      assert.ok(
        syncs.some(([i, fd]) => i > dirOpen && fd === dirFd),
        `the folder's fsync after the rename:\n${lines.join('\n')}`,
      );
    },
  );
});
