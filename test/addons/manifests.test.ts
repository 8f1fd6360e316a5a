import { skipUnless } from '../helpers/requires.js';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
/* eslint-disable @typescript-eslint/no-explicit-any -- the broken copies are edited freely */
import { evaluate, hasTerraform, renderFiles } from './terraform.js';
import { kindOf, unknownFields, validateManifest, type Manifest } from './schemas.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TERRAFORM_DIR } from './terraform.js';

const skip = skipUnless(hasTerraform, 'terraform is not installed');
const nfs = { server: '198.51.100.5', path: '/srv/nfs/lab' };
const BACKUP_PUBLIC_KEY = generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** Sample inputs of each module that renders manifests. */
const INPUTS: Record<string, Record<string, unknown>> = {
  metallb: { address_range: '198.51.100.200-198.51.100.250', reserved_addresses: ['198.51.100.200', '198.51.100.201'] },
  traefik: { load_balancer_ip: '198.51.100.200', dashboard_host: 'traefik.lab.home.arpa', dashboard_password: 'not-used-by-render' },
  adguard: { dns_ip: '198.51.100.201', host: 'adguard.lab.home.arpa', nfs },
  monitoring: { grafana_host: 'grafana.lab.home.arpa', grafana_admin_password: 'not-used-by-render' },
  headlamp: { host: 'headlamp.lab.home.arpa' },
  'etcd-backup': {
    nfs: { server: nfs.server, path: '/srv/nfs/lab-etcd' },
    keep: 5,
    time_zone: 'Europe/Berlin',
    public_key: BACKUP_PUBLIC_KEY,
  },
};

const rendered = new Map<string, Manifest[]>();
function manifests(module: string): Manifest[] {
  if (!rendered.has(module)) rendered.set(module, evaluate(renderFiles(module), INPUTS[module], 'local.manifests') as Manifest[]);
  return rendered.get(module) as Manifest[];
}
function find(module: string, kind: string, name?: string): Manifest {
  const found = manifests(module).find((m) => m.kind === kind && (!name || m.metadata.name === name));
  assert.ok(found, `${module} renders no ${kind} ${name ?? ''}`);
  return found;
}
const at = (value: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], value);

test('every rendered manifest passes the schema of its API version; broken copies do not', { skip }, () => {
  const all = Object.keys(INPUTS).flatMap((module) => manifests(module));
  assert.deepEqual([...new Set(all.map(kindOf))].sort(), [
    'apps/v1/Deployment',
    'batch/v1/CronJob',
    'metallb.io/v1beta1/IPAddressPool',
    'metallb.io/v1beta1/L2Advertisement',
    'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
    'traefik.io/v1alpha1/IngressRoute',
    'traefik.io/v1alpha1/Middleware',
    'v1/ConfigMap',
    'v1/PersistentVolume',
    'v1/PersistentVolumeClaim',
    'v1/Service',
    'v1/ServiceAccount',
  ]);
  assert.deepEqual(all.flatMap(validateManifest), []);

  // The checks must fail on a misspelt field, a wrong type and a missing field.
  const broken = (module: string, kind: string, name: string, change: (m: Record<string, any>) => void): Manifest => {
    const copy = structuredClone(find(module, kind, name)) as Record<string, any>;
    change(copy);
    copy.metadata.name = `broken-${name}`;
    return copy as Manifest;
  };
  const misspelt = broken('adguard', 'Service', 'adguard-dns', (m) => (m.spec.externalTrafficPolicies = 'Local'));
  const wrongType = broken('adguard', 'Service', 'adguard-web', (m) => (m.spec.ports[0].port = 'eighty'));
  const route = broken('adguard', 'IngressRoute', 'adguard', (m) => (m.spec.routes[0].middleware = []));
  const pool = broken('metallb', 'IPAddressPool', 'default', (m) => (m.spec.autoassign = true));
  const cron = broken('etcd-backup', 'CronJob', 'etcd-backup', (m) => delete m.spec.schedule);
  assert.match(validateManifest(pool).join('\n'), /must NOT have additional properties.*autoassign/);
  assert.match(validateManifest(cron).join('\n'), /schedule/);

  // One TypeScript program for all (it is the slow part).
  const fields = unknownFields([...all, misspelt, wrongType, route]);
  assert.deepEqual(
    fields.filter((line) => !/ broken-/.test(line)),
    [],
  );
  assert.match(fields.join('\n'), /Service broken-adguard-dns: .*externalTrafficPolicies/);
  assert.match(fields.join('\n'), /Service broken-adguard-web: .*not assignable to type 'number'/);
  assert.match(fields.join('\n'), /IngressRoute broken-adguard: .*middleware"?' does not exist/);
});

test('MetalLB: a pool from the range, a fixed pool that is never auto-assigned, one L2 advertisement for both', { skip }, () => {
  assert.deepEqual(at(find('metallb', 'IPAddressPool', 'default'), 'spec', 'addresses'), ['198.51.100.202-198.51.100.250']);
  assert.deepEqual(at(find('metallb', 'IPAddressPool', 'fixed'), 'spec'), {
    addresses: ['198.51.100.200/32', '198.51.100.201/32'],
    autoAssign: false,
    avoidBuggyIPs: true,
  });
  assert.deepEqual(at(find('metallb', 'L2Advertisement'), 'spec', 'ipAddressPools'), ['default', 'fixed']);
});

test('AdGuard: DNS on TCP and UDP 53 at its fixed address, data on NFS, web UI through Traefik', { skip }, () => {
  const dns = find('adguard', 'Service', 'adguard-dns');
  assert.equal(dns.metadata.annotations?.['metallb.io/loadBalancerIPs'], '198.51.100.201');
  assert.equal(at(dns, 'spec', 'type'), 'LoadBalancer');
  assert.deepEqual(
    (at(dns, 'spec', 'ports') as Array<{ port: number; protocol: string }>).map((p) => `${p.port}/${p.protocol}`),
    ['53/TCP', '53/UDP'],
  );
  assert.deepEqual(at(find('adguard', 'PersistentVolume'), 'spec', 'nfs'), nfs);
  assert.equal(at(find('adguard', 'PersistentVolumeClaim'), 'spec', 'volumeName'), 'adguard-data');
  const mounts = at(find('adguard', 'Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'volumeMounts') as Array<{
    subPath: string;
  }>;
  assert.deepEqual(
    mounts.map((m) => m.subPath),
    ['adguard/conf', 'adguard/work'],
  );
  assert.equal(at(find('adguard', 'IngressRoute'), 'spec', 'routes', 0, 'match'), 'Host(`adguard.lab.home.arpa`)');
});

test('etcd backup: nightly CronJob on the control plane, snapshot to the pod only, sealed with the PKI to NFS, keeps N', { skip }, () => {
  const cron = find('etcd-backup', 'CronJob');
  assert.equal(at(cron, 'spec', 'schedule'), '0 3 * * *');
  assert.equal(at(cron, 'spec', 'timeZone'), 'Europe/Berlin');
  const pod = at(cron, 'spec', 'jobTemplate', 'spec', 'template', 'spec') as Record<string, unknown>;
  assert.deepEqual(pod.nodeSelector, { 'node-role.kubernetes.io/control-plane': '' });
  assert.equal(pod.hostNetwork, true);
  const etcdctl = at(pod, 'initContainers', 0, 'command') as string[];
  assert.deepEqual(etcdctl.slice(-3), ['snapshot', 'save', '/work/snapshot.db']);
  // kubeadm's least-privileged client pair, not etcd's own server certificate.
  assert.deepEqual(
    etcdctl.filter((a) => /^--(cert|key)=/.test(a)),
    ['--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt', '--key=/etc/kubernetes/pki/etcd/healthcheck-client.key'],
  );
  assert.doesNotMatch(JSON.stringify(cron), /server\.(crt|key)/);
  // The plain snapshot never touches NFS: /work is the pod's emptyDir; only the seal container sees the share.
  const volumes = pod.volumes as Array<Record<string, any>>;
  const volume = (name: string) => volumes.find((v) => v.name === name);
  assert.deepEqual(volume('work')?.emptyDir, {});
  assert.deepEqual((at(pod, 'initContainers', 0, 'volumeMounts') as Array<{ name: string }>).map((m) => m.name).sort(), [
    'etcd-certs',
    'work',
  ]);
  const mounts = at(pod, 'containers', 0, 'volumeMounts') as Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  assert.deepEqual(
    mounts.map((m) => `${m.name}:${m.mountPath}${m.readOnly ? ':ro' : ''}`),
    ['work:/work', 'pki:/etc/kubernetes/pki:ro', 'static-pods:/etc/kubernetes/manifests:ro', 'seal:/etc/etcd-backup:ro', 'backup:/backup'],
  );
  assert.equal(volume('pki')?.hostPath.path, '/etc/kubernetes/pki');
  assert.equal(volume('seal')?.configMap.name, 'etcd-backup');
  assert.deepEqual(
    (at(pod, 'containers', 0, 'env') as Array<{ name: string }>).map((e) => e.name),
    ['KEEP', 'NODE_NAME'],
  );
  assert.equal(at(pod, 'containers', 0, 'env', 0, 'value'), '5');
  const script = String(at(pod, 'containers', 0, 'command', 2));
  assert.match(script, /umask 077/);
  assert.match(script, /etcd-backup-\$\(date -u \+%Y-%m-%dT%H%M%SZ\)\.enc/);
  // The ConfigMap carries the seal script as it is in the module, and only the public key.
  const config = find('etcd-backup', 'ConfigMap', 'etcd-backup') as Manifest & { data: Record<string, string> };
  assert.deepEqual(Object.keys(config.data).sort(), ['public-key.pem', 'seal-backup.mjs']);
  assert.equal(
    config.data['seal-backup.mjs'],
    readFileSync(join(TERRAFORM_DIR, 'modules', 'etcd-backup', 'scripts', 'seal-backup.mjs'), 'utf8'),
  );
  assert.equal(config.data['public-key.pem'], BACKUP_PUBLIC_KEY);
  assert.deepEqual(at(find('etcd-backup', 'PersistentVolume'), 'spec', 'nfs'), { server: '198.51.100.5', path: '/srv/nfs/lab-etcd' });
});

test('chart values: flannel host-gw with the node CNI folder, Traefik on its address, Grafana from a Secret', { skip }, () => {
  assert.deepEqual(evaluate(renderFiles('flannel'), {}, 'local.chart_values'), {
    podCidr: '10.244.0.0/16',
    flannel: { backend: 'host-gw', cniBinDir: '/opt/cni/bin' },
  });
  const traefik = evaluate(renderFiles('traefik'), INPUTS.traefik, 'local.chart_values');
  assert.equal(at(traefik, 'service', 'annotations', 'metallb.io/loadBalancerIPs'), '198.51.100.200');
  assert.equal(at(traefik, 'ingressRoute', 'dashboard', 'matchRule'), 'Host(`traefik.lab.home.arpa`)');
  assert.deepEqual(at(traefik, 'ingressRoute', 'dashboard', 'middlewares'), [{ name: 'dashboard-auth' }]);
  assert.equal(at(find('traefik', 'Middleware'), 'spec', 'basicAuth', 'secret'), 'dashboard-auth');
  const monitoring = evaluate(renderFiles('monitoring'), INPUTS.monitoring, 'local.chart_values');
  assert.equal(at(monitoring, 'grafana', 'admin', 'existingSecret'), 'grafana-admin');
  assert.doesNotMatch(JSON.stringify(monitoring), /adminPassword|prom-operator|not-used-by-render/);
  assert.equal(at(find('headlamp', 'ClusterRoleBinding'), 'roleRef', 'name'), 'view');
});

test(
  'registry credentials: AdGuard and the etcd backup pull with the Secret, and the password stays out of the manifests',
  { skip },
  () => {
    const registry_credentials = { server: 'docker.io', username: 'lab', password: 'never-in-helm-values' };
    const withLogin = (module: string) =>
      evaluate(renderFiles(module), { ...INPUTS[module], registry_credentials }, 'local.manifests') as Manifest[];
    const adguard = withLogin('adguard');
    const backup = withLogin('etcd-backup');
    assert.deepEqual([...adguard, ...backup].flatMap(validateManifest), []);
    assert.deepEqual(unknownFields([...adguard, ...backup]), []);
    const deployment = adguard.find((m) => m.kind === 'Deployment');
    const cron = backup.find((m) => m.kind === 'CronJob');
    assert.deepEqual(at(deployment, 'spec', 'template', 'spec', 'imagePullSecrets'), [{ name: 'pi-cluster-registry' }]);
    assert.deepEqual(at(cron, 'spec', 'jobTemplate', 'spec', 'template', 'spec', 'imagePullSecrets'), [{ name: 'pi-cluster-registry' }]);
    // The manifests become Helm release values: only the Secret's name may be in them.
    assert.doesNotMatch(JSON.stringify([...adguard, ...backup]), /never-in-helm-values|"lab"/);
    // Without credentials the pods pull anonymously.
    assert.equal(at(find('adguard', 'Deployment'), 'spec', 'template', 'spec', 'imagePullSecrets'), undefined);
    assert.equal(at(find('etcd-backup', 'CronJob'), 'spec', 'jobTemplate', 'spec', 'template', 'spec', 'imagePullSecrets'), undefined);
  },
);

test('Traefik redirects HTTP to HTTPS through the chart key (the exposed port 443), not a raw Traefik flag', { skip }, () => {
  const values = evaluate(renderFiles('traefik'), INPUTS.traefik, 'local.chart_values');
  // Chart 39.0.8 (templates/_podtemplate.tpl) turns this into --entryPoints.web.http.redirections.entryPoint.to=:<websecure exposedPort>.
  assert.deepEqual(at(values, 'ports', 'web', 'http', 'redirections', 'entryPoint'), { to: 'websecure', scheme: 'https', permanent: true });
  assert.doesNotMatch(JSON.stringify(values), /--entryPoints\.web\.http\.redirections/);
  // Only the redirect is set under ports.web: the chart's own port and exposedPort (8000 -> 80) stay.
  assert.deepEqual(Object.keys(at(values, 'ports', 'web') as object), ['http']);
});

test('Headlamp: the pinned chart, no cluster-admin for its pod, a read-only login token, served through Traefik', { skip }, () => {
  const pins = parseYaml(readFileSync(join(TERRAFORM_DIR, 'pins.yaml'), 'utf8')) as {
    charts: Record<string, { repository: string; chart: string; version: string }>;
  };
  const files = renderFiles('headlamp');
  const chart = evaluate(files, INPUTS.headlamp, 'local.chart') as { repository: string; chart: string; version: string };
  assert.deepEqual(
    [chart.repository, chart.chart, chart.version],
    ['https://kubernetes-sigs.github.io/headlamp/', 'headlamp', pins.charts.headlamp.version],
  );
  assert.equal(
    (evaluate(files, { ...INPUTS.headlamp, chart_version: '0.44.0' }, 'local.chart') as { version: string }).version,
    '0.44.0',
    'chart_version overrides the pin',
  );
  const values = evaluate(files, INPUTS.headlamp, 'local.chart_values');
  assert.equal(at(values, 'clusterRoleBinding', 'create'), false);
  assert.equal(at(values, 'config', 'unsafeUseServiceAccountToken'), false);
  assert.equal(at(values, 'ingress', 'enabled'), false);
  const binding = find('headlamp', 'ClusterRoleBinding');
  assert.equal(at(binding, 'roleRef', 'name'), 'view');
  assert.deepEqual(at(binding, 'subjects', 0), { kind: 'ServiceAccount', name: 'headlamp-viewer', namespace: 'headlamp' });
  const route = find('headlamp', 'IngressRoute');
  assert.equal(at(route, 'spec', 'routes', 0, 'match'), 'Host(`headlamp.lab.home.arpa`)');
  assert.deepEqual(at(route, 'spec', 'routes', 0, 'services', 0), { kind: 'Service', name: 'headlamp', port: 80 });
  const admin = evaluate(files, { ...INPUTS.headlamp, login_role: 'cluster-admin' }, 'local.manifests') as Manifest[];
  assert.equal(
    at(
      admin.find((m) => m.kind === 'ClusterRoleBinding'),
      'roleRef',
      'name',
    ),
    'cluster-admin',
  );
});

test('the images the manifests run are the ones pinned in pins.yaml', { skip }, () => {
  const pins = parseYaml(readFileSync(join(TERRAFORM_DIR, 'pins.yaml'), 'utf8')) as { images: Record<string, { image: string }> };
  assert.equal(at(find('adguard', 'Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'image'), pins.images.adguard.image);
  const pod = at(find('etcd-backup', 'CronJob'), 'spec', 'jobTemplate', 'spec', 'template', 'spec');
  assert.equal(at(pod, 'initContainers', 0, 'image'), pins.images.etcd.image);
  assert.equal(at(pod, 'containers', 0, 'image'), pins.images.node.image);
  const own = evaluate(
    renderFiles('adguard'),
    { ...INPUTS.adguard, image: 'adguard/adguardhome:v0.107.79' },
    'local.manifests',
  ) as Manifest[];
  assert.equal(
    at(
      own.find((m) => m.kind === 'Deployment'),
      'spec',
      'template',
      'spec',
      'containers',
      0,
      'image',
    ),
    'adguard/adguardhome:v0.107.79',
  );
});
