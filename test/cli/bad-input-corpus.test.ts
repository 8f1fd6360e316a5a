// The bad-input corpus (issue 12): distinct bad inputs, each run against the real CLI binary in a
// scratch folder of its own, with its own HOME, TMPDIR and image cache. Every case must end the way
// the README promises: a non-zero exit, one error line and a hint, no stack trace, and the scratch
// folder, the cache and TMPDIR listed the same before and after.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { release, sshKeyPair } from '../flash/helpers.js';
import { runCli } from '../helpers/cli.js';
import { CORPUS } from './bad-input-cases.js';

const root = mkdtempSync(join(tmpdir(), 'pi-cluster-corpus-'));
const fixtures = join(root, 'fixtures');
const vars: Record<string, string> = { fixtures };

before(async () => {
  const built = await release(join(fixtures, 'release'));
  vars.release = built.path;
  const keys = sshKeyPair(fixtures);
  vars.key = keys.publicKey;
  vars.priv = keys.privateKey;
  // A release whose .sha256 does not match it.
  mkdirSync(join(fixtures, 'mismatch'));
  vars.mismatch = join(fixtures, 'mismatch', 'alpine-rpi-3.23.0-aarch64.tar.gz');
  copyFileSync(built.path, vars.mismatch);
  writeFileSync(`${vars.mismatch}.sha256`, `${'0'.repeat(64)}  alpine-rpi-3.23.0-aarch64.tar.gz\n`);
});

after(() => rmSync(root, { recursive: true, force: true }));

/** Every file and folder under `dir` with its size and (for files) its modification time. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string, rel: string) => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      const info = statSync(full, { throwIfNoEntry: false });
      if (!info) continue;
      if (info.isDirectory()) {
        out.push(`${rel}${name}/`);
        walk(full, `${rel}${name}/`);
      } else out.push(`${rel}${name} ${info.size} ${info.mtimeMs}`);
    }
  };
  walk(dir, '');
  return out;
}

const fill = (text: string, dirs: Record<string, string>) =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => dirs[name] ?? vars[name] ?? whole);

let index = 0;

test(`bad-input corpus: ${CORPUS.length} cases against the real CLI`, { concurrency: 2, timeout: 15 * 60_000 }, async (t) => {
  assert.ok(CORPUS.length >= 150, `the corpus holds ${CORPUS.length} cases`);
  assert.equal(new Set(CORPUS.map((c) => c.name)).size, CORPUS.length, 'case names are distinct');
  await Promise.all(
    CORPUS.map((item) =>
      t.test(item.name, async () => {
        const caseRoot = join(root, `case-${index++}`);
        const dirs = {
          work: join(caseRoot, 'work'),
          home: join(caseRoot, 'home'),
          tmp: join(caseRoot, 'tmp'),
          cache: join(caseRoot, 'cache'),
        };
        for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
        for (const [name, content] of Object.entries(item.files ?? {})) {
          const path = join(dirs.work, name);
          mkdirSync(join(path, '..'), { recursive: true });
          if (name.endsWith('/')) mkdirSync(path, { recursive: true });
          else writeFileSync(path, fill(content, dirs));
        }
        const watched = [dirs.work, dirs.cache, dirs.tmp];
        const beforeRun = watched.map(listing);
        const env = {
          HOME: dirs.home,
          TMPDIR: dirs.tmp,
          PI_CLUSTER_IMAGE_CACHE: dirs.cache,
          CI: '1',
          NO_COLOR: '1',
          SSH_AUTH_SOCK: '',
          PI_CLUSTER_PIN_OVERRIDES: '',
        };
        const result = await runCli(
          item.args.map((arg) => fill(arg, dirs)),
          { cwd: dirs.work, env, timeoutMs: 60_000 },
        );
        const said = `${item.args.join(' ')}\n--- stderr:\n${result.stderr}--- stdout:\n${result.stdout}`;
        assert.equal(result.code, item.code ?? 1, `exit code of ${said}`);
        assert.doesNotMatch(result.stderr, /internal error|^\s+at .+:\d+:\d+\)?$/m, `no stack trace: ${said}`);
        const errors = result.stderr.split('\n').filter((line) => /^(pi-cluster|error): /.test(line));
        assert.equal(errors.length, 1, `one error line: ${said}`);
        assert.match(errors[0], item.expect, said);
        assert.match(result.stderr, /^hint: \S/m, `a hint line: ${said}`);
        if (item.notBefore) assert.doesNotMatch(result.stderr, item.notBefore, `checked before that step: ${said}`);
        assert.deepEqual(watched.map(listing), beforeRun, `scratch folder, cache and TMPDIR unchanged: ${said}`);
      }),
    ),
  );
});
