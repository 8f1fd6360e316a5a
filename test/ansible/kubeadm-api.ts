// Field names and types of the kubeadm configuration API v1beta4 (kubeadm.k8s.io/v1beta4, from
// cmd/kubeadm/app/apis/kubeadm/v1beta4/types.go and bootstraptoken/v1) and the part of the kubelet's
// KubeletConfiguration (kubelet.config.k8s.io/v1beta1) that pi-cluster may set. Used to check rendered configs:
// an unknown field or a wrong type fails the test, as `kubeadm init --config` would reject or ignore it.
export type FieldType =
  'string' | 'bool' | 'int' | 'duration' | 'string[]' | { object: Shape } | { list: Shape } | { map: 'bool' | 'string' };
export interface Shape {
  [field: string]: FieldType;
}

const arg: Shape = { name: 'string', value: 'string' };
const hostPathMount: Shape = { name: 'string', hostPath: 'string', mountPath: 'string', readOnly: 'bool', pathType: 'string' };
const component: Shape = {
  extraArgs: { list: arg },
  extraVolumes: { list: hostPathMount },
  extraEnvs: { list: { name: 'string', value: 'string' } },
};
const apiEndpoint: Shape = { advertiseAddress: 'string', bindPort: 'int' };
const taint: Shape = { key: 'string', value: 'string', effect: 'string', timeAdded: 'string' };
const nodeRegistration: Shape = {
  name: 'string',
  criSocket: 'string',
  taints: { list: taint },
  kubeletExtraArgs: { list: arg },
  ignorePreflightErrors: 'string[]',
  imagePullPolicy: 'string',
  imagePullSerial: 'bool',
};
const bootstrapToken: Shape = {
  token: 'string',
  description: 'string',
  ttl: 'duration',
  expires: 'string',
  usages: 'string[]',
  groups: 'string[]',
};
const imageMeta: Shape = { imageRepository: 'string', imageTag: 'string' };
const patches: Shape = { directory: 'string' };
const typeMeta: Shape = { apiVersion: 'string', kind: 'string' };

export const kubeadmV1beta4: Record<string, Shape> = {
  InitConfiguration: {
    ...typeMeta,
    bootstrapTokens: { list: bootstrapToken },
    dryRun: 'bool',
    nodeRegistration: { object: nodeRegistration },
    localAPIEndpoint: { object: apiEndpoint },
    certificateKey: 'string',
    skipPhases: 'string[]',
    patches: { object: patches },
  },
  ClusterConfiguration: {
    ...typeMeta,
    etcd: {
      object: {
        local: {
          object: { ...imageMeta, dataDir: 'string', extraArgs: { list: arg }, serverCertSANs: 'string[]', peerCertSANs: 'string[]' },
        },
        external: { object: { endpoints: 'string[]', caFile: 'string', certFile: 'string', keyFile: 'string' } },
      },
    },
    networking: { object: { serviceSubnet: 'string', podSubnet: 'string', dnsDomain: 'string' } },
    kubernetesVersion: 'string',
    controlPlaneEndpoint: 'string',
    apiServer: { object: { ...component, certSANs: 'string[]' } },
    controllerManager: { object: component },
    scheduler: { object: component },
    dns: { object: { ...imageMeta, disabled: 'bool' } },
    proxy: { object: { disabled: 'bool' } },
    certificatesDir: 'string',
    imageRepository: 'string',
    featureGates: { map: 'bool' },
    clusterName: 'string',
    encryptionAlgorithm: 'string',
  },
  JoinConfiguration: {
    ...typeMeta,
    dryRun: 'bool',
    nodeRegistration: { object: nodeRegistration },
    caCertPath: 'string',
    discovery: {
      object: {
        bootstrapToken: {
          object: { token: 'string', apiServerEndpoint: 'string', caCertHashes: 'string[]', unsafeSkipCAVerification: 'bool' },
        },
        file: { object: { kubeConfigPath: 'string' } },
        tlsBootstrapToken: 'string',
      },
    },
    controlPlane: { object: { localAPIEndpoint: { object: apiEndpoint }, certificateKey: 'string' } },
    skipPhases: 'string[]',
    patches: { object: patches },
  },
};

export const kubeletV1beta1: Record<string, Shape> = {
  KubeletConfiguration: {
    ...typeMeta,
    cgroupDriver: 'string',
    containerRuntimeEndpoint: 'string',
    failSwapOn: 'bool',
    clusterDNS: 'string[]',
    clusterDomain: 'string',
    serverTLSBootstrap: 'bool',
    rotateCertificates: 'bool',
    resolvConf: 'string',
    maxPods: 'int',
  },
};

/** Problems of one document against a shape, as "path: what is wrong". */
export function checkShape(value: unknown, shape: Shape, path = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path || '(document)'}: expected an object`];
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    const type = shape[key];
    if (!type) problems.push(`${at}: not a field of this kind`);
    else problems.push(...checkType(child, type, at));
  }
  return problems;
}

function checkType(value: unknown, type: FieldType, at: string): string[] {
  if (type === 'string') return typeof value === 'string' ? [] : [`${at}: expected a string, got ${JSON.stringify(value)}`];
  if (type === 'bool') return typeof value === 'boolean' ? [] : [`${at}: expected true/false, got ${JSON.stringify(value)}`];
  if (type === 'int') return Number.isInteger(value) ? [] : [`${at}: expected a whole number, got ${JSON.stringify(value)}`];
  if (type === 'duration') {
    return typeof value === 'string' && /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/.test(value)
      ? []
      : [`${at}: expected a Go duration like 15m0s, got ${JSON.stringify(value)}`];
  }
  if (type === 'string[]') {
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? [] : [`${at}: expected a list of strings`];
  }
  if ('object' in type) return checkShape(value, type.object, at);
  if ('list' in type) {
    if (!Array.isArray(value)) return [`${at}: expected a list`];
    return value.flatMap((item, index) => checkShape(item, type.list, `${at}[${index}]`));
  }
  if (typeof value !== 'object' || value === null) return [`${at}: expected a map`];
  return Object.entries(value).flatMap(([key, item]) => (typeof item === type.map ? [] : [`${at}.${key}: expected ${type.map}`]));
}

/** Checks every document of a rendered multi-document config; returns the problems. */
export function checkKubeadmDocuments(documents: unknown[]): string[] {
  return documents.flatMap((doc, index) => {
    const { apiVersion, kind } = (doc ?? {}) as { apiVersion?: string; kind?: string };
    const table =
      apiVersion === 'kubeadm.k8s.io/v1beta4'
        ? kubeadmV1beta4
        : apiVersion === 'kubelet.config.k8s.io/v1beta1'
          ? kubeletV1beta1
          : undefined;
    if (!table) return [`document ${index}: unexpected apiVersion ${apiVersion}`];
    const shape = kind ? table[kind] : undefined;
    if (!shape) return [`document ${index}: unexpected kind ${kind} for ${apiVersion}`];
    return checkShape(doc, shape).map((problem) => `${kind}: ${problem}`);
  });
}
