// `pi-cluster patch` on the virtual lab (lab mode: the Kubernetes steps, downloads and the reboot are skipped),
// the rolling itself for real: the per-host playbook over SSH on three hosts one at a time, masters first, each
// finished host saved in .pi-cluster/patch.json; a real package-manager fault on the second host (dpkg left
// interrupted: apt refuses to work until `dpkg --configure -a`) stops the run before the third host, and the
// same run again, after the fix, resumes at the second host.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extraVars } from '../../src/bootstrap/vars.js';
import { configSchema } from '../../src/config/schema.js';
import { UserError } from '../../src/errors.js';
import type { StageEvent } from '../../src/events.js';
import { readClusterInventory } from '../../src/inventory/cluster.js';
import { patchPlan } from '../../src/rolling/patch.js';
import { runRolling, type RollingOptions } from '../../src/rolling/runner.js';
import { labProject, labVars } from '../ansible/helpers.js';
import { Lab, labSkipReason } from '../lab/index.js';

const skip = labSkipReason();
const STAMP = '/var/lib/pi-cluster/last-patch';

describe('patch on the virtual lab', { skip, timeout: 600_000 }, () => {
  let lab: Lab;
  let project: ReturnType<typeof labProject>;
  let options: RollingOptions;
  const events: StageEvent[] = [];

  const stamp = async (host: string): Promise<string | undefined> => {
    const read = await lab.exec(host, ['cat', STAMP], { reject: false });
    return read.exitCode === 0 ? read.stdout.trim() : undefined;
  };
  const started = () => events.filter((e) => e.kind === 'info' && /: started/.test(e.message)).map((e) => (e as { host?: string }).host);

  before(async () => {
    lab = new Lab({ name: 'pcroll' });
    await lab.up(3);
    project = labProject(lab.hosts);
    mkdirSync(project.stateDir, { recursive: true, mode: 0o700 });
    copyFileSync(lab.knownHostsPath, join(project.stateDir, 'known_hosts'));
    const inventory = await readClusterInventory(project.inventory);
    options = {
      plan: patchPlan(inventory),
      inventoryPath: project.inventory,
      cwd: project.dir,
      stateDir: project.stateDir,
      knownHostsPath: join(project.stateDir, 'known_hosts'),
      privateKeyPath: lab.privateKeyPath,
      extraVars: { ...extraVars({ config: configSchema.parse({}), stateDir: project.stateDir }), ...labVars(project.stateDir) },
      lab: true,
      dryRun: false,
      report: (event) => events.push(event),
    };
  });
  after(async () => {
    await lab?.down();
  });

  it('--dry-run lists the hosts masters first with their commands, and touches nothing', async () => {
    const outcome = await runRolling({ ...options, dryRun: true });
    assert.deepEqual(
      outcome.hosts.map((h) => [h.host, h.status]),
      [
        ['pi0', 'dry-run'],
        ['pi1', 'dry-run'],
        ['pi2', 'dry-run'],
      ],
    );
    assert.match(outcome.hosts[1]!.command, /ansible-playbook .*--limit pi1 .*patch\.yml$/);
    const drain = outcome.hosts[2]!.steps.find((s) => s.title === 'drain pi2');
    assert.equal(drain?.on, 'pi0');
    assert.match(drain?.commands[0] ?? '', /kubectl .* drain pi2 --ignore-daemonsets --delete-emptydir-data --timeout=300s/);
    assert.equal(existsSync(join(project.stateDir, 'patch.json')), false);
    for (const host of ['pi0', 'pi1', 'pi2']) assert.equal(await stamp(host), undefined, host);
  });

  it('stops at the first failure (pi1: dpkg interrupted) before pi2, and the re-run after the fix resumes at pi1', async () => {
    // A real fault: dpkg's journal holds an unfinished update (base-files' own status entry), as after a power
    // cut in the middle of an upgrade; apt refuses to work until `dpkg --configure -a` replays it.
    await lab.exec('pi1', ['sh', '-c', 'dpkg-query -s base-files > /var/lib/dpkg/updates/0001']);
    await assert.rejects(
      runRolling(options),
      (error: unknown) =>
        error instanceof UserError &&
        /^pi1: patch failed in "patch : Check dpkg and apt are consistent \(apt-get check\)": exit 100: E: dpkg was interrupted/.test(
          error.message,
        ) &&
        /resumes at pi1/.test(error.hint ?? ''),
    );
    assert.deepEqual(started(), ['pi0', 'pi1']);
    const saved = JSON.parse(readFileSync(join(project.stateDir, 'patch.json'), 'utf8'));
    assert.deepEqual(Object.keys(saved.done), ['pi0']);
    assert.equal(saved.lastFailure.host, 'pi1');
    assert.equal(statSync(join(project.stateDir, 'patch.json')).mode & 0o777, 0o600);
    const pi0First = await stamp('pi0');
    assert.ok(pi0First, 'pi0 was patched');
    assert.equal(await stamp('pi1'), undefined, 'pi1 failed before its end');
    assert.equal(await stamp('pi2'), undefined, 'pi2 was not touched');

    // The fix a user would run on pi1; then the same command again.
    await lab.exec('pi1', ['dpkg', '--configure', '-a']);
    events.length = 0;
    const outcome = await runRolling(options);
    assert.deepEqual(
      outcome.hosts.map((h) => [h.host, h.status]),
      [
        ['pi0', 'done-before'],
        ['pi1', 'ran'],
        ['pi2', 'ran'],
      ],
    );
    assert.deepEqual(started(), ['pi1', 'pi2']);
    assert.equal(await stamp('pi0'), pi0First, 'pi0 was not patched again');
    const [pi1, pi2] = [await stamp('pi1'), await stamp('pi2')];
    assert.ok(pi1 && pi2 && pi0First < pi1 && pi1 < pi2, `one at a time in order: ${pi0First} < ${pi1} < ${pi2}`);
    const done = JSON.parse(readFileSync(join(project.stateDir, 'patch.json'), 'utf8'));
    assert.deepEqual(Object.keys(done.done), ['pi0', 'pi1', 'pi2']);
    assert.equal(done.lastFailure, undefined);
  });
});
