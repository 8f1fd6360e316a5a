import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createProgressRenderer, formatDuration } from '../../src/ui/progress.js';

function sink(): { stream: Writable & { isTTY?: boolean; columns?: number }; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

describe('progress rendering', () => {
  it('prints plain lines off a terminal: steps, and each quarter of a task', () => {
    const out = sink();
    let clock = 0;
    const progress = createProgressRenderer({ stream: out.stream, live: false, now: () => clock });
    progress.report({ kind: 'step', step: 'write', host: 'pi0', detail: '/dev/sdb' });
    for (let done = 0; done <= 100e6; done += 10e6) {
      clock += 1000;
      progress.report({ kind: 'progress', step: 'write', target: '/dev/sdb', done, total: 100e6, unit: 'bytes' });
    }
    progress.report({ kind: 'warn', message: 'careful', hint: 'do this' });
    progress.stop();
    const lines = out.text().trim().split('\n');
    assert.equal(lines[0], 'pi0: write /dev/sdb');
    const progressLines = lines.filter((l) => l.startsWith('write '));
    assert.equal(progressLines.length, 4, lines.join('\n'));
    assert.match(progressLines[3], /\/dev\/sdb .*100%\s+100\.0\/100\.0 MB\s+10\.0 MB\/s\s+done/);
    assert.match(progressLines[0], /ETA \d+s/);
    assert.ok(!out.text().includes('\u001b['), 'no escape codes off a terminal');
    assert.equal(lines.at(-2), 'warning: careful');
    assert.equal(lines.at(-1), '  hint: do this');
  });

  it('redraws live lines on a terminal, one per target', async () => {
    const out = sink();
    const progress = createProgressRenderer({ stream: out.stream, live: true });
    progress.report({ kind: 'progress', step: 'write', target: 'a.img', done: 1e6, total: 2e6, unit: 'bytes' });
    progress.report({ kind: 'progress', step: 'write', target: 'b.img', done: 2e6, total: 2e6, unit: 'bytes' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    progress.report({ kind: 'progress', step: 'verify', target: 'a.img', done: 2e6, total: 2e6, unit: 'bytes' });
    progress.stop();
    const text = out.text();
    assert.ok(text.includes('\u001b[2A\u001b[0J'), 'moves up over the previous two lines');
    const last = text.split('\u001b[0J').at(-1) ?? '';
    assert.match(last, /^write\s+b\.img .*done$/m);
    assert.match(last, /^verify\s+a\.img .*done$/m);
    assert.doesNotMatch(last, /^write\s+a\.img/m, "a target's new step replaces its old line");
  });

  it('formats durations', () => {
    assert.equal(formatDuration(4.2), '5s');
    assert.equal(formatDuration(125), '2m05s');
  });
});
