import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { reportFailure } from '../../src/cli/boundary.js';
import { UserError } from '../../src/errors.js';
import { packageRoot, packageVersion } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';

const tracer = join(packageRoot(), 'test/fixtures/cli/trace-packages.mjs');

test('--help lists the commands with examples and loads only commander', async () => {
  const result = await runCli(['--help'], { nodeArgs: ['--import', tracer] });
  assert.equal(result.code, 0, result.stderr);
  for (const command of ['init', 'doctor']) assert.match(result.stdout, new RegExp(`^  ${command} `, 'm'));
  assert.match(result.stdout, /\$ pi-cluster discover --masters 1/);
  const packages = [...result.stderr.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1]);
  assert.deepEqual([...new Set(packages)], ['commander'], 'only commander may load for --help');
});

test('every command has --help with examples', async () => {
  const top = await runCli(['--help']);
  const commands = [...top.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]).filter((c) => c !== 'help');
  assert.ok(commands.length >= 2);
  for (const command of commands) {
    const result = await runCli([command, '--help']);
    assert.equal(result.code, 0, `${command}: ${result.stderr}`);
    assert.match(result.stdout, /Examples:\n {2}\$ pi-cluster/, `${command} --help shows examples`);
  }
});

test('--version prints the package version', async () => {
  const result = await runCli(['--version']);
  assert.equal(result.code, 0);
  assert.equal(result.stdout.trim(), packageVersion());
});

test('--version --verbose (either order, or -v -V) adds the Node.js release and binary running the CLI', async () => {
  for (const args of [
    ['--version', '--verbose'],
    ['--verbose', '--version'],
    ['-v', '-V'],
    ['-V', '-v'],
  ]) {
    const result = await runCli(args);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(
      result.stdout,
      `${packageVersion()}\nNode.js ${process.version} (${process.execPath}), ${process.platform}-${process.arch}\n`,
      args.join(' '),
    );
  }
  assert.doesNotMatch((await runCli(['--version'])).stdout, /Node\.js/, 'without --verbose only the version');
});

test('the launcher refuses a Node.js older than package.json engines, saying which is needed and which runs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pic-engines-'));
  await mkdir(join(dir, 'bin'));
  await copyFile(join(packageRoot(), 'bin', 'pi-cluster.js'), join(dir, 'bin', 'pi-cluster.js'));
  const launch = async (floor: string) => {
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'pi-cluster', type: 'module', engines: { node: floor } }));
    return new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [join(dir, 'bin', 'pi-cluster.js'), '--version'], (error, _stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
    });
  };
  const [major, minor] = process.versions.node.split('.').map(Number);
  for (const newer of [`>=${major + 1}.0.0`, `>=${major}.${minor + 1}.0`]) {
    const result = await launch(newer);
    assert.equal(result.code, 1, newer);
    assert.equal(
      result.stderr,
      `pi-cluster: needs Node.js ${newer}; this is ${process.version} (${process.execPath}).\nhint: install a current LTS release of Node.js (nodejs.org), then run pi-cluster again\n`,
    );
  }
  // At or above the floor the launcher goes on to load the CLI (not built in this copy: its own message).
  for (const met of [`>=${process.versions.node}`, `>=${major - 1}.99.0`]) {
    assert.match((await launch(met)).stderr, /the CLI is not built yet/, met);
  }
});

test('an unknown command is one line, with a suggestion, and a non-zero exit', async () => {
  const result = await runCli(['docter']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /unknown command 'docter'/);
  assert.match(result.stderr, /Did you mean doctor\?/);
});

test('a bad config file: one line naming path and value, a hint, exit 1, no stack', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pic-cli-'));
  await writeFile(join(dir, 'pi-cluster.yaml'), 'network:\n  metallb:\n    range: 192.168.50.300-192.168.50.310\n');
  const result = await runCli(['doctor'], { cwd: dir });
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^pi-cluster: pi-cluster\.yaml:3: network\.metallb\.range: 192\.168\.50\.300 is not an IPv4 address\nhint: /);
  assert.doesNotMatch(result.stderr, /\s+at /, 'no stack trace for a user error');
});

test('doctor reports real findings and fails without an SSH key, saying how to fix it', async () => {
  const home = await mkdtemp(join(tmpdir(), 'pic-home-'));
  const result = await runCli(['doctor'], { cwd: home, env: { HOME: home } });
  assert.equal(result.code, 1);
  assert.match(result.stdout, /^FAIL\s+SSH key pair/m);
  assert.match(result.stdout, /^ok\s+Node\.js\s+all\s+v\d+/m);
  assert.match(result.stdout, /How to fix:\n.*SSH key pair: run `pi-cluster init --generate-key`/);
  assert.match(result.stderr, /^pi-cluster: 1 prerequisite missing: SSH key pair\nhint: /);
});

test('init --generate-key writes the commented config and a key pair; doctor then passes the key check', async () => {
  const home = await mkdtemp(join(tmpdir(), 'pic-home-'));
  const init = await runCli(['init', '--generate-key'], { cwd: home, env: { HOME: home } });
  assert.equal(init.code, 0, init.stderr);
  assert.match(await readFile(join(home, 'pi-cluster.yaml'), 'utf8'), /^# pi-cluster\.yaml/);
  assert.equal((await stat(join(home, '.ssh/id_ed25519'))).mode & 0o777, 0o600);
  const doctor = await runCli(['doctor', '--json'], { cwd: home, env: { HOME: home } });
  const findings = JSON.parse(doctor.stdout) as Array<{ id: string; status: string }>;
  assert.equal(findings.find((f) => f.id === 'ssh-key')?.status, 'ok');
  const again = await runCli(['init'], { cwd: home, env: { HOME: home } });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists; not overwriting it\nhint: .*--force/);
});

test('the error boundary: user errors are one line and a hint, bugs print a stack', () => {
  let out = '';
  const write = (text: string) => {
    out += text;
  };
  assert.equal(reportFailure(new UserError('card too small', { hint: 'use a bigger card' }), false, write), 1);
  assert.equal(out, 'pi-cluster: card too small\nhint: use a bigger card\n');
  out = '';
  assert.equal(reportFailure(new TypeError('x is undefined'), false, write), 70);
  assert.match(out, /internal error \(this is a bug/);
  assert.match(out, /TypeError: x is undefined\n\s+at /);
});
