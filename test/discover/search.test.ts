import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startSearch, type FoundHost } from '../../src/discover/search.js';
import { UserError } from '../../src/errors.js';
import { startFakeResponder } from './fake-responder.js';
import { runDiscover, tempProject } from './run.js';

/** The search the CLI starts before it loads the config: hosts are held until the prefix is known. */
describe('discover search, started before the prefix is known', () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const hosts = [
    { name: 'fake0', address: '127.0.0.10', mac: 'dc:a6:32:00:00:10' },
    { name: 'other0', address: '127.0.0.11' },
    { name: 'fake1', address: '127.0.0.12' },
  ];

  it('holds the hosts that answer before setPrefix, then reports them in the order found, and counts --expect only from then on', async () => {
    const responder = await startFakeResponder(hosts, port);
    try {
      const reported: Array<[string | undefined, boolean]> = [];
      const search = startSearch({
        timeoutMs: 5000,
        interfaces: ['lo'],
        inventoryPath: join(tempProject(), 'pi-hosts'),
        expect: 2,
        mdnsPort: port,
        onFound: (h: FoundHost, cluster) => reported.push([h.name, cluster]),
      });
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(reported.length, 0, 'nothing reported without a prefix');
      search.setPrefix('fake');
      assert.deepEqual(
        reported.map(([name, cluster]) => `${name} ${cluster}`).sort(),
        ['fake0 true', 'fake1 true', 'other0 false'],
        'the held hosts, reported as soon as the prefix is set',
      );
      const { found, browse, firstHostMs } = await search.done;
      assert.equal(browse?.stoppedBy, 'expected');
      assert.ok(browse!.elapsedMs < 1000, `stopped at ${browse!.elapsedMs} ms: the two fake<N> hosts were there once the prefix was known`);
      assert.equal(found.size, 3);
      assert.equal(found.get('fake0')?.mac, 'dc:a6:32:00:00:10');
      assert.ok(firstHostMs !== undefined && firstHostMs < 400, 'found before the prefix was known');
    } finally {
      await responder.stop();
    }
  });

  it('stop() ends a running browse long before its timeout', async () => {
    const search = startSearch({
      timeoutMs: 10_000,
      interfaces: ['lo'],
      inventoryPath: join(tempProject(), 'pi-hosts'),
      mdnsPort: port + 1,
    });
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await search.stop();
    assert.ok(performance.now() - started < 1000);
    await assert.rejects(search.done);
  });

  it('checks interfaces, the inventory and a given key before any packet leaves', () => {
    const cwd = tempProject();
    const userError = (message: RegExp) => (e: unknown) => e instanceof UserError && message.test(e.message);
    assert.throws(
      () => startSearch({ timeoutMs: 1000, interfaces: ['nosuch0'], inventoryPath: join(cwd, 'pi-hosts') }),
      userError(/^unknown interface nosuch0$/),
    );
    assert.throws(
      () => startSearch({ timeoutMs: 1000, interfaces: ['lo'], inventoryPath: join(cwd, 'pi-hosts'), sshKeyPath: join(cwd, 'nope') }),
      userError(/nope does not exist$/),
    );
  });

  it('the CLI prints its first line, then the hosts found while the config loaded, with the prefix from pi-cluster.yaml', async () => {
    const responder = await startFakeResponder(hosts, port + 2);
    const cwd = tempProject();
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(cwd, 'id_test')]);
    writeFileSync(join(cwd, 'pi-cluster.yaml'), 'hosts:\n  prefix: fake\n');
    try {
      // No SSH server on the fake addresses: the check fails after the hosts were printed.
      const run = await runDiscover(cwd, {
        interfaces: ['lo'],
        sshKey: join(cwd, 'id_test'),
        expect: '2',
        mdnsPort: port + 2,
        dryRun: true,
      });
      const lines = run.out.split('\n');
      assert.equal(lines[0], 'Looking for hosts named fake<N> over mDNS on lo (up to 10 s)');
      assert.deepEqual(
        lines
          .slice(1, 3)
          .map((l) => l.split(/\s+/).slice(0, 2).join(' '))
          .sort(),
        ['fake0 127.0.0.10', 'fake1 127.0.0.12'],
      );
      assert.doesNotMatch(run.out, /^other0 /m, 'a host without the prefix is not printed');
      assert.ok(run.error instanceof UserError, run.error?.stack);
    } finally {
      await responder.stop();
    }
  });

  it('a bad pi-cluster.yaml fails as before, and the search it started is stopped', async () => {
    const cwd = tempProject();
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(cwd, 'id_test')]);
    writeFileSync(join(cwd, 'pi-cluster.yaml'), 'hosts:\n  prefix: Not-A-Prefix!\n');
    const started = performance.now();
    const run = await runDiscover(cwd, { interfaces: ['lo'], sshKey: join(cwd, 'id_test'), mdnsPort: port + 3 });
    assert.ok(run.error instanceof UserError, run.error?.stack);
    assert.match(run.error.message, /^pi-cluster\.yaml:2: hosts\.prefix/);
    assert.equal(run.out, '', 'no progress line before the config is known');
    assert.ok(performance.now() - started < 2000, 'did not wait for the 10 s browse');
  });
});
