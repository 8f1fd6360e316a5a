/**
 * Checks rendered manifests against the schemas of their API versions, offline:
 * - core kinds and Traefik CRDs: the validators of `kubernetes-models` / `@kubernetes-models/traefik`
 *   (types, required fields, formats), plus a TypeScript excess-property check against the same models'
 *   interfaces, because those validators accept unknown (misspelt) fields that Kubernetes would drop;
 * - MetalLB CRDs: the CRDs' openAPIV3Schema (test/fixtures/addons/crds), made strict, with ajv.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import ts from 'typescript';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { IngressRoute } from '@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute';
import { Middleware } from '@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware';
import { ServersTransport } from '@kubernetes-models/traefik/traefik.io/v1alpha1/ServersTransport';
import { packageRoot } from '../../src/paths.js';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface Model {
  validate(): void;
}

/** apiVersion/kind -> [model class, module that exports its interface, interface name]. */
const MODELS: Record<string, [new (data: never) => Model, string, string]> = {
  'v1/ConfigMap': [ConfigMap, 'kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  'v1/PersistentVolume': [PersistentVolume, 'kubernetes-models/v1/PersistentVolume', 'IPersistentVolume'],
  'v1/PersistentVolumeClaim': [PersistentVolumeClaim, 'kubernetes-models/v1/PersistentVolumeClaim', 'IPersistentVolumeClaim'],
  'v1/Service': [Service, 'kubernetes-models/v1/Service', 'IService'],
  'v1/ServiceAccount': [ServiceAccount, 'kubernetes-models/v1/ServiceAccount', 'IServiceAccount'],
  'apps/v1/Deployment': [Deployment, 'kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'batch/v1/CronJob': [CronJob, 'kubernetes-models/batch/v1/CronJob', 'ICronJob'],
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': [
    ClusterRoleBinding,
    'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding',
    'IClusterRoleBinding',
  ],
  'traefik.io/v1alpha1/IngressRoute': [IngressRoute, '@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute', 'IIngressRoute'],
  'traefik.io/v1alpha1/Middleware': [Middleware, '@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware', 'IMiddleware'],
  'traefik.io/v1alpha1/ServersTransport': [
    ServersTransport,
    '@kubernetes-models/traefik/traefik.io/v1alpha1/ServersTransport',
    'IServersTransport',
  ],
};

const CRD_SCHEMAS: Record<string, string> = {
  'metallb.io/v1beta1/IPAddressPool': 'metallb.io_v1beta1_ipaddresspool.json',
  'metallb.io/v1beta1/L2Advertisement': 'metallb.io_v1beta1_l2advertisement.json',
};

const ajv = new Ajv({ allErrors: true, strict: false });

/** Kubernetes prunes fields a structural schema does not name: treat them as errors instead. */
export function strict(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strict(v as Record<string, unknown>)]));
    } else if (key === 'items' && value && typeof value === 'object') {
      out.items = strict(value as Record<string, unknown>);
    } else out[key] = value;
  }
  if (schema.properties && schema.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

export function kindOf(manifest: Manifest): string {
  return `${manifest.apiVersion}/${manifest.kind}`;
}

/** Schema problems of one manifest (empty when it is valid); unknown kinds are a problem too. */
export function validateManifest(manifest: Manifest): string[] {
  const kind = kindOf(manifest);
  const label = `${kind} ${manifest.metadata?.name}`;
  const model = MODELS[kind];
  if (model) {
    try {
      new model[0](manifest as never).validate();
      return [];
    } catch (error) {
      return [`${label}: ${(error as Error).message}`];
    }
  }
  const file = CRD_SCHEMAS[kind];
  if (!file) return [`${label}: no schema known for this kind`];
  const schema = strict(JSON.parse(readFileSync(join(packageRoot(), 'test', 'fixtures', 'addons', 'crds', file), 'utf8')));
  const check = ajv.compile(schema);
  return check(manifest)
    ? []
    : (check.errors ?? []).map((e) => `${label}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

/**
 * Type-checks the manifests of known core/Traefik kinds as object literals of the models' interfaces:
 * TypeScript's excess-property check names every field the API version does not have.
 */
export function unknownFields(manifests: Manifest[]): string[] {
  const typed = manifests.filter((m) => MODELS[kindOf(m)]);
  const imports = [...new Set(typed.map((m) => kindOf(m)))].map((kind) => `import type { ${MODELS[kind][2]} } from '${MODELS[kind][1]}';`);
  const lines = typed.map((m, i) => `export const m${i}: ${MODELS[kindOf(m)][2]} = ${JSON.stringify(m, null, 1)};`);
  const dir = join(packageRoot(), 'dist', `.manifest-check-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'manifests.ts');
  writeFileSync(file, [...imports, ...lines].join('\n'));
  try {
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: [],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
      const owner = lines.findIndex(
        (_, i) => where >= imports.length + lineOffset(lines, i) && where < imports.length + lineOffset(lines, i + 1),
      );
      const m = typed[owner];
      return `${m ? `${kindOf(m)} ${m.metadata.name}` : 'manifests'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lineOffset(lines: string[], index: number): number {
  return lines.slice(0, index).reduce((sum, line) => sum + line.split('\n').length, 0);
}
