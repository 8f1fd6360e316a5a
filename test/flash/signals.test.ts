// Issue 12, item 6: SIGINT, SIGTERM and SIGHUP at several points of a flash of a large synthetic
// release (while composing, while the composed card is stored in the cache, while the image file
// is written) end the real CLI with "interrupted" and leave nothing behind: no .partial image, no
// composed/*.tmp in the cache, nothing in TMPDIR.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { cli, release, sshKeyPair, tempDir } from './helpers.js';

const SIZE = 160_000_000; // about 160 MB of release data: compose and write take long enough to be hit

/** Every path under `dir`, recursively (folders end in /). */
function tree(dir: string, rel = ''): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = join(dir, name);
      return statSync(full).isDirectory() ? [`${rel}${name}/`, ...tree(full, `${rel}${name}/`)] : [`${rel}${name}`];
    });
}

type Point = 'compose' | 'cache store' | 'image write';

/** Runs a flash and sends `signal` once `point` is reached; resolves with the exit and what is left. */
function flashAndSignal(space: { image: string; key: string }, root: string, signal: NodeJS.Signals, point: Point) {
  const dirs = { work: join(root, 'work'), cache: join(root, 'cache'), tmp: join(root, 'tmp') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const child = spawn(
    process.execPath,
    [cli, 'flash', '--output', 'pi0.img', '--image', space.image, '--hostname', 'pi0', '--ssh-key', space.key, '--boot-size', '256MiB'],
    {
      cwd: dirs.work,
      env: { ...process.env, PI_CLUSTER_IMAGE_CACHE: dirs.cache, TMPDIR: dirs.tmp, HOME: root, NO_COLOR: '1', CI: '1' },
    },
  );
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const reached = (): boolean => {
    if (point === 'compose') return /^compose reading/m.test(stderr);
    const folder = point === 'cache store' ? join(dirs.cache, 'composed') : dirs.work;
    try {
      return readdirSync(folder).some((name) => (point === 'cache store' ? /\.tmp-\d+$/ : /\.partial-/).test(name));
    } catch {
      return false;
    }
  };
  const poll = setInterval(() => {
    if (!sent && reached()) {
      sent = true;
      child.kill(signal);
    }
  }, 2);
  return new Promise<{ code: number | null; stderr: string; sent: boolean; left: Record<string, string[]> }>((resolve) => {
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stderr, sent, left: { work: tree(dirs.work), cache: tree(dirs.cache), tmp: tree(dirs.tmp) } });
    });
  });
}

describe('flash interrupted by a signal leaves nothing behind', () => {
  const dir = tempDir();
  const space = { image: '', key: '' };
  before(async () => {
    space.image = (await release(join(dir, 'release'), { size: SIZE, level: 0 })).path;
    space.key = sshKeyPair(dir).publicKey;
  });

  let run = 0;
  for (const point of ['compose', 'cache store', 'image write'] as const) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      it(`${signal} during the ${point}`, async () => {
        const result = await flashAndSignal(space, join(dir, `run-${run++}`), signal, point);
        assert.ok(result.sent, `the ${point} was reached: ${result.stderr}`);
        assert.equal(result.code, 130, result.stderr);
        assert.match(result.stderr, /^pi-cluster: .*interrupted/m);
        assert.doesNotMatch(result.stderr, /internal error/);
        // Host keys are kept on purpose once made (the next flash gives the Pi the same identity);
        // an interruption before they are made leaves the folder as it was.
        const keys = ['.pi-cluster/', '.pi-cluster/host-keys/', '.pi-cluster/host-keys/pi0', '.pi-cluster/host-keys/pi0.pub'];
        assert.deepEqual(result.left.work, point === 'image write' ? keys : [], 'no image and no .partial in the output folder');
        assert.deepEqual(
          result.left.cache.filter((name) => /\.tmp|partial/.test(name)),
          [],
          'no temporary file in the cache',
        );
        assert.deepEqual(result.left.tmp, [], 'nothing in TMPDIR');
      });
    }
  }
});
