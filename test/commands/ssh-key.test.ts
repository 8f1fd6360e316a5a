// The config and key of the commands that log in to the Pis come from the project folder the action is given,
// not from wherever the process happens to run: pi-cluster.yaml there, a relative key path resolved there.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configForDryRun, keyAndConfig } from '../../src/commands/ssh-key.js';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-ssh-key-'));
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'pi-cluster.yaml'), 'ssh:\n  publicKey: keys/id.pub\n  privateKey: keys/id\ncluster:\n  name: far-away\n');
  return dir;
}

describe('keyAndConfig and configForDryRun read the project folder they are given', () => {
  it("pi-cluster.yaml and the key come from cwd, not the process's working directory", async () => {
    const dir = project();
    assert.notEqual(process.cwd(), dir);
    const real = await keyAndConfig(undefined, undefined, dir);
    assert.equal(real.privateKey, join(dir, 'keys/id'));
    assert.equal(real.config.cluster.name, 'far-away');
    const dry = await configForDryRun(undefined, undefined, dir);
    assert.equal(dry.privateKey, join(dir, 'keys/id'));
    assert.deepEqual(dry.needs, []);
  });

  it('a relative --ssh-key and --config are found in that folder too', async () => {
    const dir = project();
    writeFileSync(join(dir, 'other.yaml'), 'cluster:\n  name: other\n');
    const real = await keyAndConfig('other.yaml', 'keys/given', dir);
    assert.equal(real.privateKey, join(dir, 'keys/given'));
    assert.equal(real.config.cluster.name, 'other');
  });
});
