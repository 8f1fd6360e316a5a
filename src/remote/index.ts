/**
 * SSH to the Pis, shared by discover (records host keys) and bootstrap (verifies them in preflight).
 *
 *   const key = await loadPrivateKey(keys.privateKey);
 *   const knownHosts = await KnownHosts.load('.pi-cluster/known_hosts');
 *   const results = await mapBounded(hosts, 8, (h) =>
 *     withSession({ name: h.name, address: h.ip }, { key, knownHosts, hostKeys: 'strict' }, (s) => s.run('uname -m')));
 *
 * Failures are SshError with a `reason` ('auth', 'host-key-changed', ...) and a `hint` for the user.
 */
export { checkPrivateKeyPath, loadPrivateKey, type PrivateKey } from './keys.js';
export { KnownHosts, fingerprint, hostKeyFromBlob, hostPattern, type HostKey, type HostKeyCheck } from './known-hosts.js';
export {
  openSession,
  withSession,
  knownHostsNamesFor,
  SshError,
  type SshFailure,
  type SshTarget,
  type SessionOptions,
  type RemoteSession,
  type CommandResult,
} from './session.js';
export { limiter, mapBounded } from './parallel.js';
