// Seals an etcd snapshot and the PKI kubeadm reuses into one encrypted backup file.
// Run by the nightly CronJob (in the pinned node image) and by `pi-cluster etcd snapshot` (with the CLI's Node,
// through the etcd_backup role), so both write the same format. Only Node's own crypto: no packages.
//
//   node seal-backup.mjs --public-key PEM --snapshot FILE --pki-dir DIR --source-host NAME
//                        [--kubernetes-version V] --out FILE
//
// The format (read back by src/etcd/backup-bundle.ts):
//   line 1   "pi-cluster-etcd-backup 1\n"
//   line 2   JSON header + "\n": cipher, recipient (sha256 of the recipient's public key, DER SPKI, hex),
//            ephemeral (the sender's one-time X25519 public key, DER SPKI, base64), iv (12 bytes, base64)
//   then     AES-256-GCM ciphertext of the payload, and its 16-byte tag at the very end.
//   key      HKDF-SHA256(X25519(ephemeral, recipient), salt = ephemeral SPKI || recipient SPKI,
//            info = "pi-cluster etcd backup 1"); lines 1 and 2 are the additional authenticated data.
//   payload  4-byte big-endian length of the manifest JSON, the manifest, then each file's bytes in
//            manifest order. Manifest: format, createdAt, sourceHost, kubernetesVersion (or null),
//            files: [{ path, size, sha256 }] with paths snapshot.db and pki/<path under the PKI folder>.
/* global process */
import { createCipheriv, createHash, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Buffer } from 'node:buffer';
import { once } from 'node:events';
import { parseArgs } from 'node:util';

// What kubeadm's "init phase certs" reuses when it finds both files of a pair (ca, sa, front-proxy-ca,
// etcd-ca): with them a new master keeps the cluster's identity, its workers and its service-account tokens.
// ansible/roles/etcd_backup/defaults/main.yml lists the same files (etcd_backup_pki_files).
const PKI_FILES = ['ca.crt', 'ca.key', 'sa.key', 'sa.pub', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'etcd/ca.crt', 'etcd/ca.key'];
const MAGIC = 'pi-cluster-etcd-backup 1\n';
const CIPHER = 'x25519-hkdf-sha256-aes-256-gcm';
const KDF_INFO = 'pi-cluster etcd backup 1';

async function hashFile(path) {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex') };
}

async function sealBackup({ publicKeyPem, snapshot, pkiDir, sourceHost, kubernetesVersion, out }) {
  const recipient = createPublicKey(publicKeyPem);
  if (recipient.asymmetricKeyType !== 'x25519') throw new Error('the public key is not an X25519 key (pi-cluster etcd backup key)');
  const sources = [{ path: 'snapshot.db', from: snapshot }, ...PKI_FILES.map((file) => ({ path: `pki/${file}`, from: join(pkiDir, file) }))];
  const files = [];
  for (const source of sources) {
    const info = await stat(source.from).catch(() => undefined);
    if (!info?.isFile()) throw new Error(`${source.from} is missing: a backup needs the snapshot and ${PKI_FILES.join(', ')}`);
    files.push({ path: source.path, ...(await hashFile(source.from)) });
  }
  const manifest = { format: 1, createdAt: new Date().toISOString(), sourceHost, kubernetesVersion: kubernetesVersion || null, files };

  const recipientDer = recipient.export({ type: 'spki', format: 'der' });
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralDer = ephemeral.publicKey.export({ type: 'spki', format: 'der' });
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient });
  const key = Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralDer, recipientDer]), KDF_INFO, 32));
  const iv = randomBytes(12);
  const header = {
    cipher: CIPHER,
    recipient: createHash('sha256').update(recipientDer).digest('hex'),
    ephemeral: ephemeralDer.toString('base64'),
    iv: iv.toString('base64'),
  };
  const preamble = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(preamble);

  const output = createWriteStream(out, { mode: 0o600, flags: 'wx' });
  const write = async (data) => {
    if (data.length > 0 && !output.write(data)) await once(output, 'drain');
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(manifestBytes.length);
  await write(preamble);
  await write(cipher.update(length));
  await write(cipher.update(manifestBytes));
  for (const source of sources) {
    for await (const chunk of createReadStream(source.from)) await write(cipher.update(chunk));
  }
  await write(cipher.final());
  await write(cipher.getAuthTag());
  output.end();
  await once(output, 'close');
  return manifest;
}

async function main() {
  const { values } = parseArgs({
    options: {
      'public-key': { type: 'string' },
      snapshot: { type: 'string' },
      'pki-dir': { type: 'string' },
      'source-host': { type: 'string', default: '' },
      'kubernetes-version': { type: 'string', default: '' },
      out: { type: 'string' },
    },
  });
  for (const name of ['public-key', 'snapshot', 'pki-dir', 'out']) {
    if (!values[name]) throw new Error(`--${name} is required`);
  }
  const manifest = await sealBackup({
    publicKeyPem: await readFile(values['public-key'], 'utf8'),
    snapshot: values.snapshot,
    pkiDir: values['pki-dir'],
    sourceHost: values['source-host'],
    kubernetesVersion: values['kubernetes-version'],
    out: values.out,
  });
  const total = manifest.files.reduce((sum, file) => sum + file.size, 0);
  process.stdout.write(`sealed ${manifest.files.length} files (${total} bytes) from ${manifest.sourceHost || 'this host'}\n`);
}

main().catch((error) => {
  process.stderr.write(`seal-backup: ${error.message}\n`);
  process.exitCode = 1;
});
