/** The one facts script (src/facts) run by this machine's own sh, and parsed by the one parser. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { hostname, totalmem } from 'node:os';
import { describe, it } from 'node:test';
import { DISCOVER_PROBES, factsScript, parseFacts, PREFLIGHT_PROBES, PROBES, STATUS_PROBES, type Probe } from '../../src/facts/index.js';

describe('facts script', () => {
  it("every stage's script is valid POSIX sh (dash)", () => {
    for (const probes of [DISCOVER_PROBES, PREFLIGHT_PROBES, STATUS_PROBES]) execFileSync('dash', ['-n', '-c', factsScript(probes)]);
  });

  it('run here, it reports this machine as Node sees it (fsync left out: it writes under /var/lib)', () => {
    const probes = (Object.keys(PROBES) as Probe[]).filter((p) => p !== 'fsync');
    const before = Date.now();
    const out = execFileSync('sh', ['-c', factsScript(probes)], { encoding: 'utf8' });
    const f = parseFacts(out, { localMidSeconds: (before + Date.now()) / 2000, address: '127.0.0.1' });
    assert.equal(f.hostname, hostname());
    assert.equal(f.arch, execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim());
    assert.equal(f.kernel, execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim());
    assert.equal(f.memTotalBytes, totalmem());
    assert.ok(Math.abs(f.skewSeconds!) < 2, `skew ${f.skewSeconds}`);
    assert.equal(f.interface, 'lo');
    assert.equal(f.mac, '00:00:00:00:00:00');
    assert.ok(f.rootFstype && f.rootAvailBytes! > 0 && f.rootSizeBytes! >= f.rootAvailBytes!);
    assert.ok(f.uptimeSeconds! > 0);
    assert.equal(f.pageSize, Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' })));
    assert.match(f.os ?? '', /Debian|Alpine|Ubuntu/);
    assert.equal(f.fsyncMs, undefined, 'not asked');
  });
});
