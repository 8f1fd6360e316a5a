/**
 * The cluster's entries in the user's ~/.kube/config, as 40-control-plane merges them
 * (ansible/roles/control_plane/tasks/kubeconfig-local.yml): cluster `<name>`, user `<name>-admin`,
 * context `<name>`. `pi-cluster reset` removes exactly those three; the rest of the file stays as it was
 * (other clusters, comments, order, quoting), and the file is replaced atomically with its own mode.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { writeFileAtomic } from '../atomic-file.js';

export function defaultUserKubeconfig(home = homedir()): string {
  return join(home, '.kube', 'config');
}

/** The names bootstrap gave the cluster's entries. */
export function mergedNames(clusterName: string): { cluster: string; user: string; context: string } {
  return { cluster: clusterName, user: `${clusterName}-admin`, context: clusterName };
}

export interface KubeconfigRemoval {
  /** What went, e.g. ["context lab", "cluster lab", "user lab-admin"]; empty when the file held none of them. */
  removed: string[];
  /** The current context was this cluster's and is now unset. */
  currentContextCleared: boolean;
}

export async function removeClusterFromKubeconfig(path: string, clusterName: string): Promise<KubeconfigRemoval> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return { removed: [], currentContextCleared: false };
  const doc = parseDocument(text);
  if (doc.errors.length || !isMap(doc.contents)) return { removed: [], currentContextCleared: false };
  const names = mergedNames(clusterName);
  const removed: string[] = [];
  for (const [key, name, label] of [
    ['contexts', names.context, 'context'],
    ['clusters', names.cluster, 'cluster'],
    ['users', names.user, 'user'],
  ] as const) {
    const list = doc.get(key);
    if (!isSeq(list)) continue;
    const before = list.items.length;
    list.items = list.items.filter((item) => !(isMap(item) && item.get('name') === name));
    if (list.items.length !== before) removed.push(`${label} ${name}`);
  }
  const currentContextCleared = doc.get('current-context') === names.context;
  // kubectl itself writes an unset current context as "".
  if (currentContextCleared) doc.set('current-context', '');
  if (!removed.length && !currentContextCleared) return { removed, currentContextCleared };
  // kubectl (and Ansible's to_nice_yaml) write a list's items at the key's own indentation: keep the file's style.
  const indentSeq = !/^(clusters|contexts|users):[ \t]*\r?\n-/m.test(text);
  await writeFileAtomic(path, doc.toString({ indentSeq })); // keeps the file's mode
  return { removed, currentContextCleared };
}
