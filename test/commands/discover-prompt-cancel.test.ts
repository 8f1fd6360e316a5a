/**
 * Ctrl-C at discover's questions ends like every other cancelled prompt ("pi-cluster: Cancelled", exit 130),
 * not as an internal error. The real CLI runs under a pseudo-terminal (util-linux `script`), against a real
 * sshd on 127.0.0.1:22 inside a private network and UTS namespace whose host name is pi0.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { packageRoot } from '../../src/paths.js';
import { ensureSshdPrivsepDir } from '../helpers/sshd.js';
import { hasProgram, skipUnless } from '../helpers/requires.js';

const root = process.getuid?.() === 0;
const skip = skipUnless(
  root && hasProgram('script', ['--version']) && hasProgram('unshare', ['--version']) && existsSync('/usr/sbin/sshd'),
  'needs root, util-linux script/unshare and OpenSSH sshd',
);

function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** Runs `pi-cluster discover ARGS` on a terminal; presses Ctrl-C once `question` is on screen. */
function discoverOnTerminal(args: string[], question: RegExp): Promise<{ code: number | null; screen: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-prompt-'));
  for (const name of ['id', 'host']) spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
  copyFileSync(join(dir, 'id.pub'), join(dir, 'authorized_keys'));
  ensureSshdPrivsepDir();
  const sshd = [
    '/usr/sbin/sshd',
    '-p',
    '22',
    '-o',
    'ListenAddress=127.0.0.1',
    '-o',
    `HostKey=${join(dir, 'host')}`,
    '-o',
    `AuthorizedKeysFile=${join(dir, 'authorized_keys')}`,
    '-o',
    'StrictModes=no',
    '-o',
    'PermitRootLogin=prohibit-password',
    '-o',
    'UsePAM=no',
    '-o',
    `PidFile=${join(dir, 'sshd.pid')}`,
  ];
  const cli = [
    process.execPath,
    join(packageRoot(), 'bin/pi-cluster.js'),
    'discover',
    '--sweep',
    '127.0.0.1/32',
    '--ssh-key',
    join(dir, 'id'),
    '--timeout',
    '3s',
    ...args,
  ];
  const inner = `ip link set lo up && hostname pi0 && ${sshd.map(quote).join(' ')} && script -qec ${quote(cli.map(quote).join(' '))} /dev/null; code=$?; kill "$(cat ${quote(join(dir, 'sshd.pid'))})"; exit $code`;
  const env = { ...process.env };
  delete env.CI; // a terminal in CI still counts as one here: the point is the prompt
  const child = spawn('unshare', ['--net', '--uts', '--fork', 'sh', '-c', inner], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let pressed = false;
  const onOutput = (chunk: Buffer) => {
    screen += chunk.toString();
    if (!pressed && question.test(screen)) {
      pressed = true;
      child.stdin.write('\x03');
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen, dir });
    });
  });
}

describe('Ctrl-C at a discover prompt (pseudo-terminal)', { skip }, () => {
  it('at "Which hosts are masters?" ends as cancelled, exit 130', async () => {
    const { code, screen } = await discoverOnTerminal([], /Which hosts are masters/);
    assert.match(screen, /Which hosts are masters/, 'the question was asked');
    assert.doesNotMatch(screen, /internal error|ExitPromptError/, screen);
    assert.match(stripVTControlCharacters(screen), /^pi-cluster: Cancelled\r?$/m, screen);
    assert.equal(code, 130, screen);
  });

  it('at "Write these files?" ends as cancelled, exit 130, nothing written', async () => {
    const { code, screen, dir } = await discoverOnTerminal(['--masters', '1'], /Write these files\?/);
    assert.match(screen, /Write these files\?/, 'the question was asked');
    assert.doesNotMatch(screen, /internal error|ExitPromptError/, screen);
    assert.match(stripVTControlCharacters(screen), /^pi-cluster: Cancelled\r?$/m, screen);
    assert.equal(code, 130, screen);
    assert.equal(existsSync(join(dir, 'pi-hosts')), false);
  });
});
