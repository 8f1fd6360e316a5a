// pi-cluster status --watch against virtual Pis: rounds over the SSH connections opened once (sshd's own
// log counts the logins), one JSON line per round with --json, a redrawn screen under a real pseudo-terminal
// (util-linux `script`) that Ctrl-C ends with exit code 0, and a clear refusal without a terminal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { labInventory } from '../ansible/helpers.js';
import { runCli } from '../helpers/cli.js';
import { Lab, labSkipReason } from '../lab/index.js';

const skip = labSkipReason();
const bin = join(packageRoot(), 'bin', 'pi-cluster.js');
const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** Spawns a command, calls `onOutput` with all stdout so far at each chunk, resolves with the exit. */
function spawnUntil(
  command: string,
  args: string[],
  options: { cwd: string; onOutput: (stdout: string, child: ReturnType<typeof spawn>) => void; timeoutMs: number },
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no end within ${options.timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, options.timeoutMs);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      options.onOutput(stdout, child);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('pi-cluster status --watch on 2 virtual Pis', { skip }, () => {
  let lab: Lab;
  let project: string;
  const logins = async (host: string) =>
    Number((await lab.exec(host, ['sh', '-c', 'grep -c "Accepted publickey" /var/log/sshd.log || true'])).stdout.trim());

  before(async () => {
    lab = new Lab({ name: 'stwatch' });
    const hosts = await lab.up(2, { prefix: 'pi' });
    project = mkdtempSync(join(tmpdir(), 'pi-cluster-status-watch-'));
    writeFileSync(join(project, 'pi-hosts'), labInventory(hosts));
    mkdirSync(join(project, '.pi-cluster'));
    copyFileSync(lab.knownHostsPath, join(project, '.pi-cluster/known_hosts'));
  });
  after(async () => {
    await lab?.down();
  });

  it('--watch 1 --json: one JSON document per line per round, all rounds over one SSH login per Pi; SIGINT ends it with 0', async () => {
    const before = await Promise.all(['pi0', 'pi1'].map(logins));
    const run = await spawnUntil(process.execPath, [bin, 'status', '--watch', '1', '--json', '--ssh-key', lab.privateKeyPath], {
      cwd: project,
      timeoutMs: 30_000,
      onOutput: (stdout, child) => {
        if (stdout.split('\n').length > 3) child.kill('SIGINT');
      },
    });
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 3, run.stdout);
    const rounds = lines.map(
      (line) => JSON.parse(line) as { round: number; ms: number; hosts: Array<{ name: string; reachable: boolean }> },
    );
    assert.deepEqual(
      rounds.map((r) => [r.round, r.hosts.map((h) => `${h.name} ${h.reachable}`)]),
      [1, 2, 3].map((round) => [round, ['pi0 true', 'pi1 true']]),
    );
    const after = await Promise.all(['pi0', 'pi1'].map(logins));
    assert.deepEqual(
      after.map((count, i) => count - before[i]!),
      [1, 1],
      `three rounds, one login per Pi (round times ${rounds.map((r) => r.ms).join(', ')} ms)`,
    );
  });

  it('at a terminal: redraws the screen each round, and Ctrl-C ends it with exit code 0', async () => {
    // `exec`: script(1) runs the command with $SHELL -c, and dash (CI's /bin/sh) forks it instead of replacing
    // itself; Ctrl-C signals the pty's whole foreground group, so the waiting shell would die of SIGINT (130).
    const cli = `exec ${[process.execPath, bin, 'status', '--watch', '1', '--ssh-key', lab.privateKeyPath].map(quote).join(' ')}`;
    let sent = false;
    const run = await spawnUntil('script', ['-qec', cli, '/dev/null'], {
      cwd: project,
      timeoutMs: 30_000,
      onOutput: (stdout, child) => {
        if (!sent && stdout.includes('round 2,')) {
          sent = true;
          child.stdin!.write('\x03'); // the terminal's Ctrl-C: the pty sends SIGINT to pi-cluster
        }
      },
    });
    assert.ok(sent, run.stdout);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const screens = run.stdout.split('\x1b[H\x1b[2J').slice(1);
    assert.equal(screens.length, 2, JSON.stringify(run.stdout.slice(0, 400)));
    assert.match(screens[0]!, /^Every 1 s: pi-cluster status {2}round 1, \d+ ms, 2\/2 Pis answered/);
    assert.match(screens[1]!, /^pi1 +198\.51\.100\.11 +worker /m);
  });
});

describe('pi-cluster status --watch without a terminal', () => {
  it('refuses to redraw into a pipe and names --json', async () => {
    const project = mkdtempSync(join(tmpdir(), 'pi-cluster-status-watch-'));
    const run = await runCli(['status', '--watch'], { cwd: project });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /--watch redraws the screen: it needs a terminal/);
    assert.match(run.stderr, /hint: .*--json/);
  });

  it('refuses an interval that is not a number of seconds', async () => {
    const run = await runCli(['status', '--watch', 'soon', '--json'], { cwd: mkdtempSync(join(tmpdir(), 'pi-cluster-status-watch-')) });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /--watch soon: not a number of seconds/);
  });
});
