/**
 * Finds the kubeconfig and context that `pi-cluster bootstrap` left behind, for Terraform's providers:
 * an explicit --kubeconfig, else .pi-cluster/kubeconfig, else ~/.kube/config with a context named after the cluster.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../errors.js';
import { stateDir } from '../paths.js';

export interface KubeconfigChoice {
  path: string;
  /** Undefined: the file's current-context. */
  context?: string;
}

export interface KubeconfigQuery {
  clusterName: string;
  explicitPath?: string;
  explicitContext?: string;
  cwd?: string;
  home?: string;
}

export async function findKubeconfig(query: KubeconfigQuery): Promise<KubeconfigChoice> {
  const cwd = query.cwd ?? process.cwd();
  const home = query.home ?? homedir();
  const candidates = query.explicitPath
    ? [resolve(cwd, query.explicitPath)]
    : [join(stateDir(cwd), 'kubeconfig'), join(home, '.kube', 'config')];
  for (const [index, path] of candidates.entries()) {
    if (!existsSync(path)) {
      if (query.explicitPath)
        throw new UserError(`kubeconfig ${query.explicitPath} does not exist`, { hint: 'check the --kubeconfig path' });
      continue;
    }
    const { contexts, current } = await readContexts(path);
    if (query.explicitContext) {
      if (!contexts.includes(query.explicitContext)) {
        throw new UserError(`kubeconfig ${path} has no context ${query.explicitContext}`, {
          hint: `its contexts: ${contexts.join(', ') || 'none'}`,
        });
      }
      return { path, context: query.explicitContext };
    }
    if (contexts.includes(query.clusterName)) return { path, context: query.clusterName };
    // ~/.kube/config holds other clusters too: only the context named after this cluster will do.
    const isShared = !query.explicitPath && index === 1;
    if (!isShared && current) return { path };
  }
  throw new UserError(
    `no kubeconfig for the cluster ${query.clusterName}: neither .pi-cluster/kubeconfig nor a context ${query.clusterName} in ~/.kube/config`,
    {
      hint: 'run `pi-cluster bootstrap` first (it writes .pi-cluster/kubeconfig), or pass --kubeconfig FILE [--context NAME]',
    },
  );
}

async function readContexts(path: string): Promise<{ contexts: string[]; current?: string }> {
  let doc: { contexts?: Array<{ name?: string }>; 'current-context'?: string } | null;
  try {
    doc = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UserError(`kubeconfig ${path} is not valid YAML`, { hint: 'run `pi-cluster bootstrap` again to rewrite it', cause: error });
  }
  const contexts = (doc?.contexts ?? []).map((c) => c?.name).filter((n): n is string => typeof n === 'string');
  return { contexts, current: doc?.['current-context'] || undefined };
}
