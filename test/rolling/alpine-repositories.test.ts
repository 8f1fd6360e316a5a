// The upgrade role's Alpine repositories rewrite (roles/upgrade/tasks/repositories-Alpine.yml), run by the real
// ansible-playbook on the official Alpine 3.20.3 minirootfs's own /etc/apk/repositories, then read back by
// Alpine's own apk in that root (chroot, in a network namespace of its own: `apk --no-network update` names the
// repositories it would fetch, and nothing can leave the machine).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { helperPlaybook } from '../ansible/run.js';

const MINIROOTFS = join(packageRoot(), '..', 'shared', 'alpine', 'alpine-minirootfs-3.20.3-x86_64.tar.gz');
const skip =
  process.getuid?.() !== 0
    ? process.env.CI
      ? false
      : 'chroot into the Alpine root needs root'
    : !existsSync(MINIROOTFS) && !process.env.CI
      ? `no ${MINIROOTFS}`
      : false;

function alpineRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'pi-cluster-alpine-'));
  execFileSync('tar', ['xzf', MINIROOTFS, '-C', root]);
  return root;
}

const rewrite = (file: string, branch: string) =>
  helperPlaybook('run-role-tasks.yml', {
    role: 'upgrade',
    tasks: 'repositories-Alpine',
    os_family: 'Alpine',
    upgrade_apk_repositories: file,
    upgrade_alpine_branch: branch,
  });

describe("upgrade: Alpine's repositories move to the branch that carries the target minor", { skip }, () => {
  it('rewrites the release lines (v3.20 -> v3.21), leaves other lines, changes nothing the second time; apk reads the new branch', async () => {
    const root = alpineRoot();
    const file = join(root, 'etc', 'apk', 'repositories');
    const shipped = readFileSync(file, 'utf8');
    assert.match(shipped, /\/alpine\/v3\.20\/main\n/, 'the minirootfs as shipped');
    writeFileSync(
      file,
      `${shipped}#https://dl-cdn.alpinelinux.org/alpine/v3.20/testing-note\n@edge https://dl-cdn.alpinelinux.org/alpine/edge/testing\n`,
    );

    const first = await rewrite(file, '3.21');
    assert.equal(first.code, 0, first.stdout);
    assert.match(first.stdout, /changed=1/);
    assert.equal(
      readFileSync(file, 'utf8'),
      [
        'https://dl-cdn.alpinelinux.org/alpine/v3.21/main',
        'https://dl-cdn.alpinelinux.org/alpine/v3.21/community',
        '#https://dl-cdn.alpinelinux.org/alpine/v3.20/testing-note',
        '@edge https://dl-cdn.alpinelinux.org/alpine/edge/testing',
        '',
      ].join('\n'),
    );
    const again = await rewrite(file, '3.21');
    assert.equal(again.code, 0, again.stdout);
    assert.match(again.stdout, /changed=0/);

    // apk exits non-zero: no index is cached (nothing was fetched); what it names is what it read.
    const apk = spawnSync('unshare', ['-n', 'chroot', root, '/sbin/apk', '--no-network', 'update'], { encoding: 'utf8' });
    const repositories = [...`${apk.stdout}${apk.stderr}`.matchAll(/opening from cache (\S+):/g)].map((m) => m[1]);
    assert.deepEqual(repositories, [
      'https://dl-cdn.alpinelinux.org/alpine/v3.21/main',
      'https://dl-cdn.alpinelinux.org/alpine/v3.21/community',
      'https://dl-cdn.alpinelinux.org/alpine/edge/testing',
    ]);
  });

  it('refuses a file without a community line of the new branch (a local mirror only), naming the fix', async () => {
    const root = alpineRoot();
    const file = join(root, 'etc', 'apk', 'repositories');
    writeFileSync(file, '/media/usb/apks\n');
    const run = await rewrite(file, '3.21');
    assert.notEqual(run.code, 0);
    assert.match(
      run.stdout.replace(/\s+/g, ' '),
      /has no \.\.\.\/v3\.21\/community line after the rewrite; fix: add the community repository/,
    );
  });
});
