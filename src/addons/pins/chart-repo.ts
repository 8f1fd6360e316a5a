/** Asks a Helm chart repository's index.yaml whether the pinned chart version is there (and its digest). */
import { parse } from 'yaml';
import { httpGet, type HttpOptions } from './http.js';
import type { ChartPin } from './pins.js';

export type ChartVerdict =
  | { status: 'ok'; digest?: string; movedTo?: string }
  | { status: 'repo-missing'; detail: string }
  | { status: 'chart-missing'; detail: string }
  | { status: 'version-missing'; newest: string[]; movedTo?: string }
  | { status: 'digest-mismatch'; digest: string }
  | { status: 'bad-answer'; detail: string };

interface IndexEntry {
  version?: unknown;
  digest?: unknown;
}

export function indexUrl(repository: string): string {
  return `${repository.replace(/\/+$/, '')}/index.yaml`;
}

export async function checkChart(pin: ChartPin, http: HttpOptions): Promise<ChartVerdict> {
  if (!pin.repository.startsWith('https://') && !pin.repository.startsWith('http://')) {
    return { status: 'bad-answer', detail: `only https:// chart repositories can be checked, not ${pin.repository}` };
  }
  const url = indexUrl(pin.repository);
  const answer = await httpGet(url, { accept: 'application/x-yaml, text/yaml, */*' }, http);
  if (answer.status === 404 || answer.status === 410) return { status: 'repo-missing', detail: `${url} answers HTTP ${answer.status}` };
  if (answer.status !== 200) return { status: 'bad-answer', detail: `${url} answers HTTP ${answer.status}` };
  const movedTo = answer.movedTo?.replace(/\/?index\.yaml$/, '/');

  let index: unknown;
  try {
    // Large indexes (kube-prometheus-stack's) have many aliases; the default limit is for untrusted input.
    index = parse(answer.body, { maxAliasCount: -1 });
  } catch {
    index = undefined;
  }
  const entries = (index as { entries?: Record<string, unknown> } | undefined)?.entries;
  if (!entries || typeof entries !== 'object') return { status: 'bad-answer', detail: `${url} is not a chart repository index (no entries:)` };
  const versions = entries[pin.chart];
  if (!Array.isArray(versions)) return { status: 'chart-missing', detail: `${url} has no chart named ${pin.chart}` };
  const found = (versions as IndexEntry[]).find((v) => String(v.version) === pin.version);
  if (!found) {
    const newest = (versions as IndexEntry[]).map((v) => String(v.version)).filter((v) => !v.includes('-')).slice(0, 3);
    return { status: 'version-missing', newest, movedTo };
  }
  const digest = typeof found.digest === 'string' ? found.digest : undefined;
  if (pin.digest && digest && digest !== pin.digest) return { status: 'digest-mismatch', digest };
  return { status: 'ok', digest, movedTo };
}
