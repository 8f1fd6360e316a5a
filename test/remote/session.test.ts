import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KnownHosts, SshError, loadPrivateKey, openSession, withSession, type PrivateKey } from '../../src/remote/index.js';
import { UserError } from '../../src/errors.js';
import { sshdAvailable, startLocalSshd, type LocalSshd } from './local-sshd.js';
import { strictSshArgs } from '../helpers/openssh.js';

const missing = sshdAvailable();

describe('remote sessions against a local sshd', { skip: missing }, () => {
  let sshd: LocalSshd;
  let key: PrivateKey;
  const target = () => ({ address: '127.0.0.1', port: sshd.port, user: sshd.user, name: 'local' });

  before(async () => {
    sshd = await startLocalSshd();
    key = await loadPrivateKey(sshd.clientKey);
  });
  after(async () => {
    await sshd?.stop();
  });

  it('connects with the key, records the unknown host key, and runs a command', async () => {
    const knownHosts = KnownHosts.empty();
    await withSession(target(), { key, knownHosts, hostKeys: 'record' }, async (session) => {
      assert.equal(session.hostKeyCheck, 'unknown');
      assert.equal(`${session.hostKey.type} ${session.hostKey.base64}`, sshd.hostPublicKey);
      const result = await session.run('echo out; echo err >&2; exit 3');
      assert.deepEqual(result, { code: 3, signal: undefined, stdout: 'out\n', stderr: 'err\n' });
    });
  });

  it('writes a known_hosts file that OpenSSH accepts with StrictHostKeyChecking=yes', async () => {
    const knownHosts = KnownHosts.empty();
    const session = await openSession(target(), { key, knownHosts, hostKeys: 'record' });
    session.close();
    knownHosts.record(session.knownHostsNames, session.hostKey);
    const file = join(sshd.dir, 'known_hosts');
    await knownHosts.save(file);
    const out = execFileSync(
      'ssh',
      [...strictSshArgs(sshd.clientKey, file), '-p', String(sshd.port), `${sshd.user}@127.0.0.1`, 'echo via-openssh'],
      { encoding: 'utf8', timeout: 10_000 },
    );
    assert.equal(out.trim(), 'via-openssh');
  });

  it('in strict mode, accepts the recorded key and refuses an unknown or changed one', async () => {
    const knownHosts = KnownHosts.empty();
    await assert.rejects(
      openSession(target(), { key, knownHosts, hostKeys: 'strict' }),
      (e: unknown) => e instanceof SshError && e.reason === 'host-key-unknown' && /local: host key SHA256:/.test(e.message),
    );

    const [type, base64] = sshd.hostPublicKey.split(' ');
    knownHosts.record([`[127.0.0.1]:${sshd.port}`], { type, base64 });
    const session = await openSession(target(), { key, knownHosts, hostKeys: 'strict' });
    assert.equal(session.hostKeyCheck, 'match');
    session.close();

    const other = execFileSync('ssh-keygen', ['-y', '-f', sshd.strangerKey], { encoding: 'utf8' }).trim().split(' ');
    const changed = KnownHosts.empty();
    changed.record([`[127.0.0.1]:${sshd.port}`], { type: other[0], base64: other[1] });
    await assert.rejects(
      openSession(target(), { key, knownHosts: changed, hostKeys: 'strict' }),
      (e: unknown) => e instanceof SshError && e.reason === 'host-key-changed' && Boolean(e.hint),
    );
  });

  it('reports a refused key as "auth" and still tells the host key', async () => {
    const stranger = await loadPrivateKey(sshd.strangerKey);
    await assert.rejects(openSession(target(), { key: stranger, knownHosts: KnownHosts.empty(), hostKeys: 'record' }), (e: unknown) => {
      assert.ok(e instanceof SshError);
      assert.equal(e.reason, 'auth');
      assert.match(e.message, /^local: refused the key/);
      assert.equal(`${e.hostKey?.type} ${e.hostKey?.base64}`, sshd.hostPublicKey);
      return true;
    });
  });

  it('ends a command that runs past its timeout', async () => {
    await withSession(target(), { key, knownHosts: KnownHosts.empty(), hostKeys: 'record' }, async (session) => {
      const started = Date.now();
      await assert.rejects(
        session.run('sleep 5', { timeoutMs: 300 }),
        (e: unknown) => e instanceof SshError && e.reason === 'command-timeout',
      );
      assert.ok(Date.now() - started < 2000);
    });
  });

  it('reports a closed port as unreachable', async () => {
    await assert.rejects(
      openSession(
        { address: '127.0.0.1', port: 1, name: 'nobody' },
        { key, knownHosts: KnownHosts.empty(), hostKeys: 'record', connectTimeoutMs: 2000 },
      ),
      (e: unknown) => e instanceof SshError && e.reason === 'unreachable' && e.message.startsWith('nobody: '),
    );
  });

  it('accepts the .pub path of a key and names a missing key clearly', async () => {
    const fromPub = await loadPrivateKey(`${sshd.clientKey}.pub`);
    assert.equal(fromPub.path, sshd.clientKey);
    assert.equal(fromPub.type, 'ssh-ed25519');
    await assert.rejects(
      loadPrivateKey(join(sshd.dir, 'nope')),
      (e: unknown) => e instanceof UserError && /does not exist/.test(e.message),
    );
    writeFileSync(join(sshd.dir, 'garbage'), 'not a key\n');
    await assert.rejects(loadPrivateKey(join(sshd.dir, 'garbage')), (e: unknown) => e instanceof UserError && Boolean(e.hint));
  });
});
