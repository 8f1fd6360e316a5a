import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, workspace } from './helpers.js';

describe('pi-cluster flash, the real CLI', () => {
  const space = workspace();
  const { dir } = space;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cli, 'flash', ...args], {
      cwd: dir,
      env: { ...process.env, PI_CLUSTER_IMAGE_CACHE: join(dir, 'cache'), NO_COLOR: '1', CI: '' },
    });

  it('flashes an image file and prints the summary table', () => {
    const out = join(dir, 'pi0.img');
    const result = run(
      '--output',
      out,
      '--image',
      space.image,
      '--hostname',
      'pi0',
      '--ssh-key',
      space.key,
      '--yes',
      '--boot-size',
      '64MiB',
    );
    const stdout = result.stdout.toString();
    assert.equal(result.status, 0, `${result.stderr}`);
    assert.match(stdout, /target\s+hostname\s+MB written\s+MB\/s\s+verified hash\s+result/);
    assert.match(stdout, /pi0\.img\s+pi0\s+\d+\.\d\s+\d+\.\d\s+[0-9a-f]{16}\s+ok/);
    assert.match(stdout, /pi0: .*pi0\.img verified, card digest [0-9a-f]{64}/);
    const stderr = result.stderr.toString();
    for (const step of ['compose', 'write', 'verify'])
      assert.match(stderr, new RegExp(`^${step}\\b`, 'm'), `plain progress line for ${step}`);
    assert.equal(statSync(out).size, 65 * 2 ** 20);
  });

  it('fails with one line and a hint on bad input, and writes nothing', () => {
    const out = join(dir, 'bad.img');
    const result = run(
      '--output',
      out,
      '--image',
      space.image,
      '--hostname',
      'pi0',
      '--ssh-key',
      join(dir, 'missing.pub'),
      '--boot-size',
      '64MiB',
    );
    assert.equal(result.status, 1);
    const lines = result.stderr.toString().trim().split('\n');
    assert.match(lines[0], /^pi-cluster: SSH public key .*missing\.pub \(--ssh-key\) does not exist$/);
    assert.match(lines[1], /^hint: .*pi-cluster init --generate-key/);
    assert.equal(lines.length, 2);
    assert.equal(existsSync(out), false);
  });

  it('refuses a private key with a clear sentence', () => {
    const result = run(
      '--output',
      join(dir, 'k.img'),
      '--image',
      space.image,
      '--hostname',
      'pi0',
      '--ssh-key',
      space.key.replace(/\.pub$/, ''),
    );
    assert.equal(result.status, 1);
    assert.match(result.stderr.toString(), /that is a private key, pass the \.pub/);
  });

  it('shows examples in --help', () => {
    const result = spawnSync(process.execPath, [cli, 'flash', '--help']);
    const text = result.stdout.toString();
    assert.equal(result.status, 0);
    assert.match(text, /Examples:/);
    for (const flag of [
      '--device',
      '--output',
      '--image',
      '--alpine',
      '--hostnames',
      '--count',
      '--ssh-key',
      '--boot-size',
      '--yes',
      '--no-verify',
      '--force',
    ])
      assert.ok(text.includes(flag), flag);
  });
});
