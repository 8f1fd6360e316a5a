// node remove's progress file: kept while a removal is unfinished, fresh once the host was added back.
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadRemoveState, removeStatePath, resumeFrom, saveRemoveState, type RemoveState } from '../../src/nodes/remove-state.js';

describe('node remove state', () => {
  const halfway: RemoveState = { version: 1, name: 'pi2', role: 'workers', done: { drain: 't1', 'delete-node': 't2' } };

  it('round trip, 0600, one file per host; a damaged file is a fresh start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-remove-state-'));
    await saveRemoveState(dir, halfway);
    assert.equal(statSync(removeStatePath(dir, 'pi2')).mode & 0o777, 0o600);
    assert.deepEqual(await loadRemoveState(dir, 'pi2'), halfway);
    assert.equal(await loadRemoveState(dir, 'pi3'), undefined);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(removeStatePath(dir, 'pi2'), '{"version":1,');
    assert.equal(await loadRemoveState(dir, 'pi2'), undefined);
  });

  it('an unfinished removal resumes; a finished one for a host added back starts over', () => {
    assert.equal(resumeFrom(halfway, 'pi2', 'workers'), halfway);
    const finished = { ...halfway, done: { ...halfway.done, reset: 't3', 'mark-removed': 't4' } };
    assert.deepEqual(resumeFrom(finished, 'pi2', 'masters'), { version: 1, name: 'pi2', role: 'masters', done: {} });
    assert.deepEqual(resumeFrom(undefined, 'pi2', 'workers').done, {});
  });
});
