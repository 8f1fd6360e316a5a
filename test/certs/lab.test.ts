// pi-cluster certs on a virtual Pi (Debian, OpenRC): bootstrap's 40-control-plane writes the renew script and the
// certs.autoRenew job in the Debian format (and removes the job when autoRenew is off); the rendered script runs
// for real and renews only when the soonest certificate is under 60 days; `certs check` reads a PKI that openssl
// made, laid down on the master; `certs renew` runs master by master and verifies the new expiry.
// Stood in (test/fixtures/standin): kubeadm (its check-expiration reads the real certificates; its renew puts in
// certificates the test made with openssl) and the API server's /readyz. Real: Ansible, the roles, the script,
// sh/awk/mv on the host, kubectl, SSH, openssl's certificates and the CLI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { runPlaybook } from '../../src/ansible/index.js';
import { extraVars } from '../../src/bootstrap/vars.js';
import { configSchema } from '../../src/config/schema.js';
import { labInventory, labVars } from '../ansible/helpers.js';
import { installStandins, standinCalls } from '../ansible/standins.js';
import { runCli } from '../helpers/cli.js';
import { Lab, labSkipReason } from '../lab/index.js';
import { kubeconfigWithCert, makePki } from '../status/pki.js';

const skip = labSkipReason();
const LEAVES = [
  'apiserver',
  'apiserver-kubelet-client',
  'apiserver-etcd-client',
  'front-proxy-client',
  'etcd/server',
  'etcd/peer',
  'etcd/healthcheck-client',
];
const SCRIPT = '/usr/local/sbin/pi-cluster-certs-renew';
const JOB = '/etc/cron.d/pi-cluster-certs-renew';

/**
 * A tree to unpack at the host's / : kubeadm's PKI under `prefix` (etc/kubernetes, or the stand-in's renewed/ copy),
 * each leaf valid `days` (some overridden), the CAs, and controller-manager.conf / scheduler.conf with their certs.
 */
function pkiTree(prefix: string, days: number, overrides: Record<string, number> = {}): Buffer {
  const root = mkdtempSync(join(tmpdir(), 'pi-cluster-certs-lab-'));
  const pki = join(root, prefix, 'pki');
  makePki(pki, { ...Object.fromEntries(LEAVES.map((l) => [l, days])), 'front-proxy-ca': 3650, 'etcd/ca': 3650, ...overrides });
  const confs = join(root, 'confs');
  makePki(confs, { 'controller-manager': days, scheduler: days });
  for (const name of ['controller-manager', 'scheduler'])
    writeFileSync(join(root, prefix, `${name}.conf`), kubeconfigWithCert(readFileSync(join(confs, `${name}.crt`), 'utf8')));
  return execFileSync('tar', ['-C', root, '-c', prefix]);
}

describe('pi-cluster certs on a virtual Pi', { skip, timeout: 300_000 }, () => {
  let lab: Lab;
  let project: string;
  let stateDir: string;
  const sh = async (script: string) => (await lab.exec('pi0', ['sh', '-c', script], { reject: false })).stdout.trim();
  const layDown = (tree: Buffer) => lab.exec('pi0', ['tar', '-x', '-C', '/'], { input: tree });
  const renewCalls = async () =>
    (await standinCalls(lab, 'pi0')).filter((c) => c.argv?.[0] === 'certs').map((c) => c.argv!.slice(0, 3).join(' '));
  const controlPlane = (autoRenew: boolean) =>
    runPlaybook({
      playbook: '40-control-plane.yml',
      inventory: join(project, 'pi-hosts'),
      privateKey: lab.privateKeyPath,
      knownHosts: lab.knownHostsPath,
      extraVars: {
        ...extraVars({ config: configSchema.parse({ certs: { autoRenew } }), stateDir }),
        ...labVars(stateDir),
        control_plane_api_wait_retries: 5,
        control_plane_api_wait_delay: 1,
        // kubelet's 20 s fileCheckFrequency matters on a real master only.
        certs_static_pod_wait: 1,
      },
      logFile: join(stateDir, 'logs', `40-control-plane-${autoRenew}.log`),
      cwd: project,
    });
  const cli = (args: string[]) => runCli([...args, '--ssh-key', lab.privateKeyPath], { cwd: project, timeoutMs: 120_000 });

  before(async () => {
    lab = new Lab({ name: 'certs' });
    const hosts = await lab.up(1, { prefix: 'pi' });
    project = mkdtempSync(join(tmpdir(), 'pi-cluster-certs-'));
    stateDir = join(project, '.pi-cluster');
    writeFileSync(join(project, 'pi-hosts'), labInventory(hosts));
    mkdirSync(stateDir);
    copyFileSync(lab.knownHostsPath, join(stateDir, 'known_hosts'));
    await installStandins(lab, 'pi0');
  });
  after(async () => {
    await lab?.down();
  });

  it('40-control-plane with certs.autoRenew: true writes the renew script and a Debian cron.d job on the master', async () => {
    const run = await controlPlane(true);
    assert.equal(run.exitCode, 0, JSON.stringify(run.failures));
    assert.equal(await sh(`stat -c %a ${SCRIPT}`), '755');
    assert.equal(await sh(`stat -c '%a %U' ${JOB}`), '644 root');
    assert.match(await sh(`cat ${JOB}`), /^17 3 \* \* \* root \/usr\/local\/sbin\/pi-cluster-certs-renew$/m);
    assert.equal(await sh('ls /etc/periodic 2>/dev/null | wc -l'), '0', 'no Alpine periodic job on Debian');
    // The script as rendered on the host: POSIX sh, shellcheck-clean.
    const rendered = await sh(`cat ${SCRIPT}`);
    execFileSync('sh', ['-n', '-c', rendered]);
    execFileSync('shellcheck', ['-s', 'sh', '-'], { input: rendered });
  });

  it('certs check reads each certificate on the master: a warning for 10 days, a failure for an expired one, exit 1', async () => {
    await layDown(pkiTree('etc/kubernetes', 400, { apiserver: 10, 'front-proxy-client': -1 }));
    // This machine's copy of admin.conf, 10 days left: the daily job on the masters never renews it.
    const local = mkdtempSync(join(tmpdir(), 'pi-cluster-certs-local-'));
    makePki(local, { admin: 10 });
    writeFileSync(join(stateDir, 'kubeconfig'), kubeconfigWithCert(readFileSync(join(local, 'admin.crt'), 'utf8')), { mode: 0o600 });
    const json = await cli(['certs', 'check', '--json']);
    assert.equal(json.code, 1, json.stderr);
    const check = JSON.parse(json.stdout) as {
      masters: Array<{ name: string; certificates: Array<{ name: string; daysLeft: number; kind: string }> }>;
      findings: Array<{ host: string; severity: string; problem: string; fix: string }>;
    };
    const names = check.masters[0]!.certificates.map((c) => c.name).sort();
    for (const name of [
      'apiserver',
      'etcd-server',
      'etcd-peer',
      'etcd-healthcheck-client',
      'front-proxy-ca',
      'etcd-ca',
      'ca',
      'scheduler.conf',
      'controller-manager.conf',
    ])
      assert.ok(names.includes(name), `${name} in ${names.join(' ')}`);
    assert.deepEqual(
      check.findings.map((f) => `${f.host} ${f.severity} ${f.problem.replace(/\d{4}-\d\d-\d\d/g, 'DATE')}`),
      [
        'pi0 fail /etc/kubernetes/pki/front-proxy-client.crt expired on DATE',
        'pi0 warn /etc/kubernetes/pki/apiserver.crt expires in 9 days (DATE)',
        `this machine warn ${stateDir}/kubeconfig (client certificate) expires in 9 days (DATE)`,
      ],
    );
    assert.match(check.findings[1]!.fix, /`pi-cluster certs renew`/);
    const table = await cli(['certs', 'check']);
    assert.equal(table.code, 1);
    assert.match(table.stdout, /^pi0 +apiserver +kubeadm +\d{4}-\d\d-\d\d \d\d:\d\d +9 +\/etc\/kubernetes\/pki\/apiserver\.crt$/m);
    assert.match(table.stdout, /^pi0 +front-proxy-client +kubeadm .* EXPIRED /m);
    assert.match(table.stdout, /^this machine +kubeconfig +kubeadm .* 9 +\S+\/\.pi-cluster\/kubeconfig \(client certificate\)$/m);
    assert.match(table.stderr, /3 certificate findings \(1 failing, 2 warnings\)/);
  });

  it('the autoRenew script renews only when the soonest certificate is under 60 days, then restarts the static pods', async () => {
    await layDown(pkiTree('etc/kubeadm-standin/renewed', 500));
    // 61 days at the soonest: nothing to do.
    await layDown(pkiTree('etc/kubernetes', 400, { apiserver: 61 }));
    const kept = await sh('cat /etc/kubernetes/pki/apiserver.crt');
    assert.equal((await lab.exec('pi0', [SCRIPT], { reject: false })).exitCode, 0);
    assert.deepEqual(await renewCalls(), ['certs check-expiration -o'], 'asked, not renewed');
    assert.equal(await sh('cat /etc/kubernetes/pki/apiserver.crt'), kept);
    assert.match(
      await sh('cat /var/log/pi-cluster-certs-renew.log'),
      /soonest certificate: apiserver, 60 days left \(renewal under 60 days\): nothing to do$/m,
    );

    // 10 days: renewed, and the manifests went out and came back.
    await layDown(pkiTree('etc/kubernetes', 400, { apiserver: 10 }));
    const manifestsBefore = await sh('ls /etc/kubernetes/manifests');
    assert.ok(manifestsBefore.includes('kube-apiserver.yaml'));
    const run = await lab.exec('pi0', [SCRIPT], { reject: false });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(await renewCalls(), ['certs check-expiration -o', 'certs check-expiration -o', 'certs renew all']);
    assert.equal(await sh('cat /etc/kubernetes/pki/apiserver.crt'), await sh('cat /etc/kubeadm-standin/renewed/pki/apiserver.crt'));
    assert.equal(await sh('ls /etc/kubernetes/manifests'), manifestsBefore, 'every manifest is back');
    assert.equal(await sh('ls /etc/kubernetes/manifests.pi-cluster-certs-renew | wc -l'), '0');
    const log = await sh('cat /var/log/pi-cluster-certs-renew.log');
    assert.match(log, /soonest certificate: apiserver, 9 days left \(under 60\): renewing$/m);
    assert.match(log, /kubeadm certs renew all: done$/m);
    assert.match(log, /control-plane static pods restarted$/m);
  });

  it('certs renew: the renewal on the master, /readyz, a new 0600 kubeconfig here and in the user kubeconfig, the later expiry checked', async () => {
    const userKubeconfig = join(project, 'user-kubeconfig');
    writeFileSync(userKubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\ncurrent-context: other\n');
    await layDown(pkiTree('etc/kubeadm-standin/renewed', 501));
    const renewVars = ['-e', 'pi_cluster_lab=true', '-e', `pi_cluster_user_kubeconfig=${userKubeconfig}`, '-e', 'certs_static_pod_wait=1'];
    const run = await cli(['certs', 'renew', '--yes', ...renewVars]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^pi0: kubeadm certs renew all, restart of the control-plane pods, \/readyz$/m);
    assert.match(run.stdout, /^ {2}1\. pi0: renewed; the soonest now expires \d{4}-\d\d-\d\d /m);
    assert.equal((await renewCalls()).at(-1), 'certs renew all');
    assert.equal(statSync(join(stateDir, 'kubeconfig')).mode & 0o777, 0o600);
    const merged = parseYaml(readFileSync(userKubeconfig, 'utf8')) as { contexts: Array<{ name: string }>; 'current-context': string };
    assert.deepEqual(
      merged.contexts.map((c) => c.name),
      ['pi-cluster'],
    );
    assert.equal(merged['current-context'], 'other', "the user's current context is kept");
    assert.equal(existsSync(join(stateDir, 'certs-renew.json')), false, 'done: no progress left to resume');
    // Every certificate renewed, and this machine's kubeconfig replaced by the master's admin.conf.
    const check = await cli(['certs', 'check']);
    assert.equal(check.code, 0, check.stdout + check.stderr);

    // A kubeadm that leaves the same certificates (the stand-in's renewed/ unchanged): the check after the run fails it.
    const same = await cli(['certs', 'renew', '--yes', ...renewVars]);
    assert.notEqual(same.code, 0);
    assert.match(same.stderr, /pi0: not renewed: .*\/etc\/kubernetes\/pki\/apiserver\.crt still expires \d{4}-\d\d-\d\d/);

    // The stand-in has nothing to renew with: the run stops, names the host, and keeps the failure to resume from.
    rmSync(join(project, 'user-kubeconfig'));
    await sh('rm -rf /etc/kubeadm-standin/renewed');
    const failed = await cli(['certs', 'renew', '--yes', ...renewVars]);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /pi0: certs renew failed in "(certs : )?Renew the certificates and restart the control-plane static pods"/);
    const saved = JSON.parse(readFileSync(join(stateDir, 'certs-renew.json'), 'utf8')) as { lastFailure: { host: string } };
    assert.equal(saved.lastFailure.host, 'pi0');
  });

  it('40-control-plane with certs.autoRenew: false removes the job (the script stays for `certs renew`)', async () => {
    const run = await controlPlane(false);
    assert.equal(run.exitCode, 0, JSON.stringify(run.failures));
    assert.equal(await sh(`test -e ${JOB} && echo yes || echo no`), 'no');
    assert.equal(await sh(`test -x ${SCRIPT} && echo yes || echo no`), 'yes');
  });
});
