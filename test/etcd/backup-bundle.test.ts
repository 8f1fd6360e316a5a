import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isBackupBundle, openBackup } from '../../src/etcd/backup-bundle.js';
import { defaultBackupKeyPath, ensureBackupKey } from '../../src/etcd/backup-key.js';
import { UserError } from '../../src/errors.js';
import { KUBEADM_REUSED, makePki, makeSnapshot, seal } from './bundle-helpers.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A project with its backup key, a master's PKI and snapshot, and one bundle sealed by the real script. */
async function sealedProject() {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-bundle-'));
  const key = await ensureBackupKey(dir);
  const pki = join(dir, 'master-pki');
  makePki(pki);
  const snapshotPath = join(dir, 'snapshot.partial');
  const snapshot = makeSnapshot(snapshotPath);
  const bundle = join(dir, 'etcd-backup-2026-11-30T030000Z.enc');
  const result = seal({ publicKey: key.publicKeyPath, snapshot: snapshotPath, pkiDir: pki, out: bundle });
  assert.equal(result.status, 0, result.stderr);
  return { dir, key, pki, snapshot, bundle };
}

function rejects(error: unknown, pattern: RegExp): boolean {
  assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
  assert.match(error.message, pattern);
  assert.doesNotMatch(error.message, /\n/, 'one line');
  return true;
}

test('a bundle sealed by the seal script opens with the project key: snapshot and kubeadm PKI, checked, 0600 in 0700', async () => {
  const { dir, key, pki, snapshot, bundle } = await sealedProject();
  assert.equal(mode(bundle), 0o600);
  assert.equal(await isBackupBundle(bundle), true);
  // Nothing of the secrets is readable in the file.
  const sealed = readFileSync(bundle);
  assert.equal(sealed.indexOf(readFileSync(join(pki, 'ca.key')).subarray(40, 80)), -1);
  assert.equal(sealed.indexOf(snapshot.subarray(1000, 1064)), -1);

  const dest = join(dir, 'opened');
  const manifest = await openBackup(bundle, defaultBackupKeyPath(dir), dest);
  assert.equal(manifest.format, 1);
  assert.equal(manifest.sourceHost, 'master-1');
  assert.equal(manifest.kubernetesVersion, 'v1.33.1');
  assert.ok(Math.abs(Date.parse(manifest.createdAt) - Date.now()) < 60_000);
  assert.deepEqual(
    manifest.files.map((f) => f.path),
    ['snapshot.db', ...KUBEADM_REUSED.map((f) => `pki/${f}`)],
  );
  assert.deepEqual(readFileSync(join(dest, 'snapshot.db')), snapshot);
  for (const file of KUBEADM_REUSED) {
    const original = readFileSync(join(pki, file));
    assert.deepEqual(readFileSync(join(dest, 'pki', file)), original, file);
    const entry = manifest.files.find((f) => f.path === `pki/${file}`)!;
    assert.equal(entry.size, original.length);
    assert.equal(entry.sha256, sha256(original));
    assert.equal(mode(join(dest, 'pki', file)), 0o600, file);
  }
  assert.equal(mode(join(dest, 'snapshot.db')), 0o600);
  assert.equal(mode(join(dest, 'pki')), 0o700);
  assert.equal(mode(join(dest, 'pki', 'etcd')), 0o700);
  assert.equal(existsSync(join(dest, 'pki', 'apiserver.key')), false, 'per-host certificates stay out');
  assert.deepEqual(readdirSync(dest).sort(), ['pki', 'snapshot.db'], 'no payload left behind');
  // The key as an object works too.
  await openBackup(bundle, createPrivateKey(readFileSync(key.privateKeyPath)), join(dir, 'again'));
});

test('another key is refused with one line naming both keys, and nothing is written', async () => {
  const { dir, bundle } = await sealedProject();
  const other = join(dir, 'other.key');
  writeFileSync(other, generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const dest = join(dir, 'opened');
  await assert.rejects(openBackup(bundle, other, dest), (e) => rejects(e, /was sealed for another backup key .*not for .*other\.key/));
  assert.equal(existsSync(join(dest, 'snapshot.db')), false);
  // A file that is not a key, and a key of the wrong kind.
  writeFileSync(join(dir, 'junk.key'), 'not a key\n');
  await assert.rejects(openBackup(bundle, join(dir, 'junk.key'), dest), (e) => rejects(e, /is not a private key/));
  writeFileSync(join(dir, 'ed.key'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await assert.rejects(openBackup(bundle, join(dir, 'ed.key'), dest), (e) => rejects(e, /is not a pi-cluster backup key/));
});

test('a tampered, cut or missing bundle is refused and leaves nothing behind', async () => {
  const { dir, bundle } = await sealedProject();
  const key = defaultBackupKeyPath(dir);
  const original = readFileSync(bundle);
  const variants: Array<[string, Buffer, RegExp]> = [];
  const flip = (at: number) => {
    const copy = Buffer.from(original);
    copy[at] ^= 0x01;
    return copy;
  };
  const headerEnd = original.indexOf(0x0a, original.indexOf(0x0a) + 1);
  variants.push(['a byte of the snapshot', flip(Math.floor(original.length / 2)), /damaged or was altered: its authentication tag/]);
  variants.push(['a byte of the manifest', flip(headerEnd + 10), /damaged or was altered/]);
  variants.push(['the tag', flip(original.length - 1), /damaged or was altered/]);
  const iv = original.indexOf(Buffer.from('"iv":"')) + 7;
  variants.push([
    'the header (iv)',
    Buffer.concat([original.subarray(0, iv), Buffer.from(original[iv] === 0x41 ? 'B' : 'A'), original.subarray(iv + 1)]),
    /damaged or was altered/,
  ]);
  variants.push(['the end cut off', original.subarray(0, original.length - 4096), /damaged or was altered/]);
  variants.push(['all but the header cut off', original.subarray(0, headerEnd + 5), /damaged or was altered/]);
  for (const [what, bytes, pattern] of variants) {
    const file = join(dir, `tampered.enc`);
    writeFileSync(file, bytes);
    const dest = join(dir, `dest-${what.replace(/\W+/g, '-')}`);
    await assert.rejects(openBackup(file, key, dest), (e) => rejects(e, pattern), what);
    assert.deepEqual(existsSync(dest) ? readdirSync(dest) : [], [], `${what}: nothing left`);
  }
  await assert.rejects(openBackup(join(dir, 'missing.enc'), key, join(dir, 'x')), (e) => rejects(e, /missing\.enc does not exist/));
  truncateSync(bundle, 10);
  await assert.rejects(openBackup(bundle, key, join(dir, 'y')), (e) => rejects(e, /not a pi-cluster etcd backup/));
});

test('isBackupBundle tells a bundle from an old plain snapshot, and openBackup refuses the plain one', async () => {
  const { dir, bundle } = await sealedProject();
  const plain = join(dir, 'etcd-snapshot-2026-11-01T030000Z.db');
  makeSnapshot(plain, 8192);
  assert.equal(await isBackupBundle(bundle), true);
  assert.equal(await isBackupBundle(plain), false);
  assert.equal(await isBackupBundle(join(dir, 'nothing.enc')), false);
  await assert.rejects(openBackup(plain, defaultBackupKeyPath(dir), join(dir, 'out')), (e) =>
    rejects(e, /is not a pi-cluster etcd backup/),
  );
});

test('the backup key is made once, 0600, and its public half matches it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pi-cluster-bundle-key-'));
  const first = await ensureBackupKey(dir);
  assert.equal(first.created, true);
  assert.equal(first.privateKeyPath, defaultBackupKeyPath(dir));
  assert.equal(mode(first.privateKeyPath), 0o600);
  assert.equal(mode(join(dir, '.pi-cluster')), 0o700);
  assert.match(first.publicKeyPem, /^-----BEGIN PUBLIC KEY-----/);
  assert.doesNotMatch(first.publicKeyPem, /PRIVATE/);
  const second = await ensureBackupKey(dir);
  assert.equal(second.created, false);
  assert.equal(second.fingerprint, first.fingerprint);
  assert.equal(readFileSync(second.publicKeyPath, 'utf8'), first.publicKeyPem);
  // A key left readable by others is tightened; a lost public half is written again from the private one.
  const { chmodSync, rmSync } = await import('node:fs');
  chmodSync(first.privateKeyPath, 0o644);
  rmSync(first.publicKeyPath);
  const third = await ensureBackupKey(dir);
  assert.equal(mode(first.privateKeyPath), 0o600);
  assert.equal(readFileSync(third.publicKeyPath, 'utf8'), first.publicKeyPem);
});

test('the seal script refuses a master without the PKI kubeadm reuses, naming the file', async () => {
  const { dir, key, pki } = await sealedProject();
  const { rmSync } = await import('node:fs');
  rmSync(join(pki, 'etcd', 'ca.key'));
  const snapshot = join(dir, 's.db');
  makeSnapshot(snapshot, 8192);
  const result = seal({ publicKey: key.publicKeyPath, snapshot, pkiDir: pki, out: join(dir, 'out.enc') });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /seal-backup: .*etcd\/ca\.key is missing/);
});
