import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadRollingState, rollingStatePath, saveRollingState } from '../../src/rolling/state.js';

describe('rolling state', () => {
  it('resumes only for the same command inputs, and is written 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-rolling-'));
    const state = await loadRollingState(dir, 'upgrade', { to: '1.35.2' });
    assert.deepEqual(state.done, {});
    state.done.pi0 = '2026-11-30T22:00:00.000Z';
    await saveRollingState(dir, state);
    assert.equal(statSync(rollingStatePath(dir, 'upgrade')).mode & 0o777, 0o600);
    assert.deepEqual(Object.keys((await loadRollingState(dir, 'upgrade', { to: '1.35.2' })).done), ['pi0']);
    assert.deepEqual((await loadRollingState(dir, 'upgrade', { to: '1.36.1' })).done, {}, 'another target starts afresh');
    assert.deepEqual((await loadRollingState(dir, 'patch', {})).done, {}, 'another command has its own file');
    writeFileSync(rollingStatePath(dir, 'upgrade'), '{ torn');
    assert.deepEqual((await loadRollingState(dir, 'upgrade', { to: '1.35.2' })).done, {}, 'an unreadable file is a fresh start');
  });
});
