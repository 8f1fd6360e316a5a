import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDuration } from '../../src/commands/discover/action.js';
import { discoveredFacts } from '../../src/discover/probe.js';
import { parseSweepRange, sweepAddresses } from '../../src/discover/sweep.js';
import { isRaspberryPiMac } from '../../src/discover/vendor.js';
import { UserError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';
import { runDiscover, tempProject } from '../discover/run.js';

const fixture = (name: string) => readFileSync(join(packageRoot(), 'test/fixtures/discover', name), 'utf8');

function projectWithKey(): { cwd: string; key: string } {
  const cwd = tempProject();
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(cwd, 'id_test')]);
  return { cwd, key: join(cwd, 'id_test') };
}

describe('discover: bad input stops before anything is sent or written', () => {
  const cases: Array<[string, (cwd: string) => Record<string, unknown>, RegExp]> = [
    ['unknown interface', () => ({ interfaces: ['nosuch0'] }), /^unknown interface nosuch0$/],
    ['malformed CIDR', () => ({ sweep: '198.51.100.0/33' }), /^--sweep 198\.51\.100\.0\/33: \/33 is not a valid prefix length/],
    ['CIDR with host bits', () => ({ sweep: '198.51.100.7/24' }), /^--sweep 198\.51\.100\.7\/24: .*host bits set/],
    ['too large a sweep', () => ({ sweep: '10.0.0.0/8' }), /^--sweep 10\.0\.0\.0\/8: 16777216 addresses is too many/],
    [
      'pi-hosts that is not INI',
      (cwd) => {
        writeFileSync(join(cwd, 'pi-hosts'), fixture('pi-hosts.yaml-inventory'));
        return { interfaces: ['lo'] };
      },
      /^pi-hosts:1: not a valid Ansible INI inventory/,
    ],
    ['bad timeout', () => ({ timeout: 'soon' }), /^--timeout soon: not a duration$/],
    ['both role flags', () => ({ masters: '1', master: ['pi0'] }), /^--masters and --master do not go together$/],
  ];
  for (const [what, flags, message] of cases) {
    it(what, async () => {
      const { cwd, key } = projectWithKey();
      const extra = flags(cwd);
      const before = readdirSync(cwd).sort();
      const inventoryBefore = existsSync(join(cwd, 'pi-hosts')) ? readFileSync(join(cwd, 'pi-hosts'), 'utf8') : undefined;
      const run = await runDiscover(cwd, { sshKey: key, timeout: '1s', ...extra });
      assert.ok(run.error instanceof UserError, `expected a UserError, got ${run.error?.stack ?? 'success'}`);
      assert.match(run.error.message, message);
      assert.ok(!run.error.message.includes('\n'), 'one line');
      assert.ok(run.error.hint === undefined || !run.error.hint.includes('\n'));
      assert.deepEqual(readdirSync(cwd).sort(), before, 'nothing written');
      if (inventoryBefore !== undefined) assert.equal(readFileSync(join(cwd, 'pi-hosts'), 'utf8'), inventoryBefore);
    });
  }

  it('a missing key is named, with the hint to create one', async () => {
    const cwd = tempProject();
    const run = await runDiscover(cwd, { sshKey: join(cwd, 'nope.pub'), interfaces: ['lo'], timeout: '1s' });
    assert.ok(run.error instanceof UserError);
    assert.match(run.error.message, /nope does not exist$/);
    assert.deepEqual(readdirSync(cwd), []);
  });
});

describe('discover: pieces', () => {
  it('parses durations', () => {
    assert.equal(parseDuration('5s'), 5000);
    assert.equal(parseDuration('1500ms'), 1500);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('3'), 3000);
    assert.throws(() => parseDuration('0s'), UserError);
  });

  it('lists the addresses of a sweep without network and broadcast', () => {
    const range = parseSweepRange('198.51.100.0/29');
    assert.deepEqual(sweepAddresses(range), [
      '198.51.100.1',
      '198.51.100.2',
      '198.51.100.3',
      '198.51.100.4',
      '198.51.100.5',
      '198.51.100.6',
    ]);
    assert.deepEqual(sweepAddresses(parseSweepRange('198.51.100.10/32')), ['198.51.100.10']);
  });

  it('marks Raspberry Pi MAC prefixes', () => {
    assert.ok(isRaspberryPiMac('DC:A6:32:01:02:03'));
    assert.ok(isRaspberryPiMac('b8:27:eb:01:02:03'));
    assert.ok(!isRaspberryPiMac('00:11:22:33:44:55'));
    assert.ok(!isRaspberryPiMac(undefined));
  });

  it('reads facts from an Alpine Pi (busybox) and a Debian host', () => {
    assert.deepEqual(discoveredFacts(fixture('facts-alpine-pi4.txt'), '192.168.1.50'), {
      hostname: 'pi0',
      arch: 'aarch64',
      model: 'Raspberry Pi 4 Model B Rev 1.4',
      memoryBytes: 3930000 * 1024,
      os: 'Alpine Linux v3.23',
      interface: 'eth0',
      mac: 'dc:a6:32:aa:bb:cc',
    });
    const debian = discoveredFacts(fixture('facts-debian-lab.txt'), '198.51.100.11');
    assert.equal(debian.model, undefined);
    assert.equal(debian.interface, 'eth0');
    assert.equal(debian.mac, 'dc:a6:32:5e:01:02');
    assert.equal(debian.os, 'Debian GNU/Linux 12 (bookworm)');
  });
});
