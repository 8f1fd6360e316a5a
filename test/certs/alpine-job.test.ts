// The certs.autoRenew job as an Alpine master runs it: the role's script and its /etc/periodic/daily entry
// rendered by the real Ansible with the role's Alpine variables, run the way Alpine's root crontab does
// (`run-parts /etc/periodic/daily`) by Alpine's own busybox (sh, awk, mv, date, logger, run-parts) in the
// official 3.20.3 minirootfs. Stood in: kubeadm (a few lines of sh: `certs check-expiration` prints the
// lines the test gives, as kubeadm's jsonpath output would; `certs renew all` is logged).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../../src/paths.js';
import { AlpineRoot } from '../alpine/alpine-root.js';
import { tempDir } from '../flash/helpers.js';
import { hasProgram, skipUnless } from '../helpers/requires.js';

const rootOnly = process.getuid?.() === 0 ? false : process.env.CI ? false : 'needs root (chroot)';
const skip = rootOnly || skipUnless(hasProgram('ansible'), 'ansible is not installed');
const ROLE = join(packageRoot(), 'ansible', 'roles', 'certs');
const DAY = 86_400;

const KUBEADM_STANDIN = `#!/bin/sh
# kubeadm stand-in: check-expiration answers from /etc/kubeadm-standin/expiry; renew all is logged.
echo "$*" >> /var/log/kubeadm-standin.log
case "$1 $2" in
  "certs check-expiration") cat /etc/kubeadm-standin/expiry ;;
  "certs renew") echo "[renew] all certificates renewed" ;;
  *) echo "kubeadm stand-in: $* is not stood in" >&2; exit 2 ;;
esac
`;

/** The role's template rendered by the real Ansible with its defaults and the Alpine variables. */
function render(template: string, dir: string): string {
  const out = join(dir, template);
  execFileSync(
    'ansible',
    [
      'localhost',
      '-i',
      'localhost,',
      '-c',
      'local',
      '-m',
      'ansible.builtin.template',
      '-a',
      `src=${join(ROLE, 'templates', template)} dest=${out}`,
      '-e',
      `@${join(ROLE, 'defaults', 'main.yml')}`,
      '-e',
      `@${join(ROLE, 'vars', 'Alpine.yml')}`,
      '-e',
      JSON.stringify({ pi_cluster_certs_auto_renew: true, certs_static_pod_wait: 0 }),
    ],
    { stdio: 'pipe' },
  );
  return readFileSync(out, 'utf8');
}

describe('the autoRenew job on Alpine (busybox, run-parts /etc/periodic/daily)', { skip }, () => {
  let root: AlpineRoot;
  const alpine = parseYaml(readFileSync(join(ROLE, 'vars', 'Alpine.yml'), 'utf8')) as Record<string, string>;
  const defaults = parseYaml(readFileSync(join(ROLE, 'defaults', 'main.yml'), 'utf8')) as Record<string, string>;
  const expiry = (lines: string[]) => writeFileSync(join(root.dir, 'etc/kubeadm-standin/expiry'), `${lines.join('\n')}\n`);
  const calls = () => readFileSync(join(root.dir, 'var/log/kubeadm-standin.log'), 'utf8').trim().split('\n');
  const daily = () => root.run('run-parts /etc/periodic/daily');

  before(async () => {
    root = await AlpineRoot.create('3.22.0');
    const rendered = tempDir('pi-cluster-certs-alpine-');
    const put = (path: string, text: string, mode: number) => {
      mkdirSync(join(root.dir, path, '..'), { recursive: true });
      writeFileSync(join(root.dir, path), text);
      chmodSync(join(root.dir, path), mode);
    };
    put(defaults.certs_script!, render('pi-cluster-certs-renew.sh.j2', rendered), 0o755);
    put(alpine.certs_job_file!, render(alpine.certs_job_template!, rendered), Number.parseInt(alpine.certs_job_mode!, 8));
    put('usr/bin/kubeadm', KUBEADM_STANDIN, 0o755);
    put('etc/kubernetes/manifests/kube-apiserver.yaml', 'kind: Pod\n', 0o600);
    put('etc/kubernetes/manifests/etcd.yaml', 'kind: Pod\n', 0o600);
    mkdirSync(join(root.dir, 'etc/kubeadm-standin'), { recursive: true });
  });
  after(() => root?.dispose());

  it("is in Alpine's daily folder, which the minirootfs' root crontab runs", () => {
    assert.equal(alpine.certs_job_file, '/etc/periodic/daily/pi-cluster-certs-renew');
    assert.match(readFileSync(join(root.dir, 'etc/crontabs/root'), 'utf8'), /^0\s+2\s+\*\s+\*\s+\*\s+run-parts \/etc\/periodic\/daily$/m);
    assert.equal(root.must('run-parts --test /etc/periodic/daily').trim(), '/etc/periodic/daily/pi-cluster-certs-renew');
  });

  it('61 days left at the soonest: asks kubeadm, renews nothing', () => {
    expiry([`admin.conf false ${400 * DAY}`, `apiserver false ${61 * DAY}`, `super-admin.conf true 0`, `etcd-server false ${400 * DAY}`]);
    const run = daily();
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(calls(), [`certs check-expiration -o jsonpath=${defaults.certs_check_jsonpath}`]);
    assert.match(
      readFileSync(join(root.dir, 'var/log/pi-cluster-certs-renew.log'), 'utf8'),
      /apiserver, 61 days left .*: nothing to do\n$/,
    );
  });

  it('59 days left: kubeadm certs renew all, then the manifests out and back', () => {
    expiry([`admin.conf false ${400 * DAY}`, `apiserver false ${59 * DAY}`, `super-admin.conf true 0`]);
    const run = daily();
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(calls().slice(1), [`certs check-expiration -o jsonpath=${defaults.certs_check_jsonpath}`, 'certs renew all']);
    assert.deepEqual(readdirSync(join(root.dir, 'etc/kubernetes/manifests')).sort(), ['etcd.yaml', 'kube-apiserver.yaml']);
    assert.deepEqual(readdirSync(join(root.dir, defaults.certs_parked_manifests_dir!)), []);
    const log = readFileSync(join(root.dir, 'var/log/pi-cluster-certs-renew.log'), 'utf8');
    assert.match(
      log,
      /apiserver, 59 days left \(under 60\): renewing\n.*\[renew\] all certificates renewed\n.*kubeadm certs renew all: done\n.*control-plane static pods restarted\n$/s,
    );
  });

  it('kubeadm failing: nothing renewed, the failure logged, exit 1', () => {
    writeFileSync(join(root.dir, 'usr/bin/kubeadm'), '#!/bin/sh\necho "unable to read config" >&2\nexit 1\n');
    const run = root.run(defaults.certs_script!);
    assert.equal(run.status, 1);
    assert.match(readFileSync(join(root.dir, 'var/log/pi-cluster-certs-renew.log'), 'utf8'), /check-expiration failed: nothing renewed\n$/);
  });
});
