// `pi-cluster patch` and `upgrade` on the virtual lab (lab mode: the Kubernetes steps, downloads and the reboot are skipped),
// the rolling itself for real: the per-host playbook over SSH on three hosts one at a time, masters first, each
// finished host saved in .pi-cluster/patch.json; a real package-manager fault on the second host (dpkg left
// interrupted: apt refuses to work until `dpkg --configure -a`) stops the run before the third host, and the
// same run again, after the fix, resumes at the second host. `upgrade --to` reads the version on the first master
// over SSH (kubeadm stood in there: test/ansible/standins.ts), refuses what kubeadm cannot do, and rolls the
// repository switch for real, with the kubeadm/kubelet steps skipped.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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
import { installStandins } from '../ansible/standins.js';
import { upgradeCommand } from '../../src/commands/upgrade/action.js';

const skip = labSkipReason();
const STAMP = '/var/lib/pi-cluster/last-patch';

describe('patch and upgrade on the virtual lab', { skip, timeout: 600_000 }, () => {
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

  const upgrade = async (to: string, dryRun: boolean) => {
    let out = '';
    const outcome = await upgradeCommand({
      to,
      dryRun,
      inventory: project.inventory,
      sshKey: lab.privateKeyPath,
      cwd: project.dir,
      extraVars: labVars(project.stateDir),
      write: (text) => (out += text),
    });
    return { outcome, out };
  };
  const SOURCE = '/etc/apt/sources.list.d/kubernetes.list';
  const line = (minor: string) =>
    `deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.asc] https://pkgs.k8s.io/core:/stable:/v${minor}/deb/ /`;

  it('upgrade reads the version on the first master over SSH and refuses two minors and a downgrade, touching nothing', async () => {
    await installStandins(lab, 'pi0'); // its `kubeadm version` says v1.36.1
    await assert.rejects(
      upgrade('1.38.0', true),
      /^UserError: 1\.36 -> 1\.38 is two minors: run upgrade --to 1\.37\.x first, then --to 1\.38\.x$/,
    );
    await assert.rejects(upgrade('1.36.0', false), /^UserError: 1\.36\.1 -> 1\.36\.0 is a downgrade/);
    assert.equal(existsSync(join(project.stateDir, 'upgrade.json')), false);
  });

  it("upgrade --dry-run shows kubeadm's order: apply on the first master, upgrade node elsewhere", async () => {
    const { out } = await upgrade('1.37.0', true);
    assert.match(out, /^pi0: Kubernetes 1\.36\.1 -> 1\.37\.0 \(https:\/\/pkgs\.k8s\.io\/core:\/stable:\/v1\.37\/deb\/\)$/m);
    assert.match(out, /in this order: pi0, pi1, pi2$/m);
    assert.match(out, /^pi0: +kubeadm upgrade plan v1\.37\.0$/m);
    assert.match(out, /^pi0: +kubeadm upgrade apply v1\.37\.0 --yes$/m);
    assert.match(out, /^pi2: +kubeadm upgrade node$/m);
    assert.doesNotMatch(out, /^pi[12]: +kubeadm upgrade apply/m);
    assert.ok(out.indexOf('pi0 (master, 1 of 3)') < out.indexOf('pi1 (worker, 2 of 3)'));
    assert.equal(existsSync(join(project.stateDir, 'upgrade.json')), false);
  });

  it('upgrade rolls the repository switch over the hosts one at a time (Kubernetes steps skipped), and a re-run finds them done', async () => {
    for (const host of ['pi0', 'pi1', 'pi2'])
      await lab.exec(host, [
        'sh',
        '-c',
        `mkdir -p /etc/apt/sources.list.d && printf '%s\\n%s\\n' '${line('1.36')}' '${line('1.37')}' > ${SOURCE}`,
      ]);
    const { outcome, out } = await upgrade('1.37.0', false);
    assert.deepEqual(
      outcome.hosts.map((h) => [h.host, h.status]),
      [
        ['pi0', 'ran'],
        ['pi1', 'ran'],
        ['pi2', 'ran'],
      ],
    );
    assert.deepEqual(
      [...out.matchAll(/^(pi\d): upgrade: started/gm)].map((m) => m[1]),
      ['pi0', 'pi1', 'pi2'],
    );
    for (const host of ['pi0', 'pi1', 'pi2']) assert.equal((await lab.exec(host, ['cat', SOURCE])).stdout, line('1.37'), host);
    const saved = JSON.parse(readFileSync(join(project.stateDir, 'upgrade.json'), 'utf8'));
    assert.deepEqual(saved.inputs, { to: '1.37.0' });
    assert.deepEqual(Object.keys(saved.done), ['pi0', 'pi1', 'pi2']);

    const again = await upgrade('1.37.0', false);
    assert.deepEqual(
      again.outcome.hosts.map((h) => h.status),
      ['done-before', 'done-before', 'done-before'],
    );
  });

  it('a finished patch starts over next time, and the preflight refuses to start while a host is down, touching nothing', async () => {
    const before = await stamp('pi0');
    // pi2's SSH server stops (connections refused at once; a power cut would cost the SSH timeout), and the
    // project's SSH master connections go, so Ansible has to connect anew.
    await lab.exec('pi2', ['rc-service', 'sshd', 'stop']);
    rmSync(join(project.stateDir, 'cp'), { recursive: true, force: true });
    await assert.rejects(
      runRolling(options),
      (error: unknown) => error instanceof UserError && /^preflight refused to start patch: pi2: unreachable/.test(error.message),
    );
    assert.equal(await stamp('pi0'), before, 'pi0 was not patched: the preflight runs before the first host');
  });
});
