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

  const entries = chartEntries(answer.body, pin.chart);
  if (!entries) return { status: 'bad-answer', detail: `${url} is not a chart repository index (no entries:)` };
  const versions = entries[pin.chart];
  if (!Array.isArray(versions)) return { status: 'chart-missing', detail: `${url} has no chart named ${pin.chart}` };
  const found = (versions as IndexEntry[]).find((v) => String(v.version) === pin.version);
  if (!found) {
    const newest = (versions as IndexEntry[])
      .map((v) => String(v.version))
      .filter((v) => !v.includes('-'))
      .slice(0, 3);
    return { status: 'version-missing', newest, movedTo };
  }
  const digest = typeof found.digest === 'string' ? found.digest : undefined;
  if (pin.digest && digest && digest !== pin.digest) return { status: 'digest-mismatch', digest };
  return { status: 'ok', digest, movedTo };
}

/**
 * The index's `entries`, parsed with the yaml package. A repository's index can be tens of megabytes
 * (prometheus-community's holds every chart it ever released), so when the file has the layout `helm repo
 * index` writes, only the pinned chart's block is parsed; anything else is parsed whole.
 */
export function chartEntries(text: string, chart: string): Record<string, unknown> | undefined {
  const block = chartBlock(text, chart);
  if (block) {
    const parsed = tryParse(`entries:\n${block}`) as { entries?: Record<string, unknown> } | undefined;
    if (parsed?.entries && Array.isArray(parsed.entries[chart])) return parsed.entries;
  }
  const entries = (tryParse(text) as { entries?: unknown } | undefined)?.entries;
  return entries && typeof entries === 'object' && !Array.isArray(entries) ? (entries as Record<string, unknown>) : undefined;
}

function chartBlock(text: string, chart: string): string | undefined {
  if (!/^entries:\s*$/m.test(text)) return undefined;
  const start = text.indexOf(`\n  ${chart}:\n`);
  if (start < 0) return undefined;
  const rest = text.slice(start + 1);
  // The block ends at the next chart or top-level key; its own list items ("  - ...") sit at the chart's indent.
  const end = rest.slice(1).search(/\n {0,2}[^\s-]/);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

function tryParse(text: string): unknown {
  try {
    // Indexes use anchors and aliases freely; the default alias limit is meant for hostile input.
    return parse(text, { maxAliasCount: -1 });
  } catch {
    return undefined;
  }
}
