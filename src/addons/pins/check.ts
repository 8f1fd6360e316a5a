/**
 * `pi-cluster addons check`: every pin of terraform/pins.yaml against its upstream source, all at once,
 * before Terraform runs. Each result is one line; a problem's line says how to fix it.
 */
import { checkChart, indexUrl } from './chart-repo.js';
import { NetworkError, type HttpOptions } from './http.js';
import type { Pins } from './pins.js';
import { checkProvider } from './provider.js';
import { checkImage } from './registry.js';

export type PinKind = 'chart' | 'image' | 'provider';

export interface PinResult {
  kind: PinKind;
  /** What is pinned: chart name@version, image reference, provider source@version. */
  pin: string;
  /** Where in pins.yaml. */
  pinnedAt: string;
  status: 'ok' | 'warning' | 'problem' | 'unreachable';
  /** One line: what was found. */
  detail: string;
  /** For a warning or problem: what to change. */
  fix?: string;
}

export interface PinReport {
  results: PinResult[];
  /** Nothing answered: no repository, registry or the Terraform registry could be reached. */
  offline: boolean;
  problems: number;
}

export interface CheckOptions extends HttpOptions {
  /** Requests under way at once. */
  concurrency?: number;
}

export async function checkPins(pins: Pins, options: CheckOptions): Promise<PinReport> {
  const http: HttpOptions = { timeoutMs: options.timeoutMs, overrides: options.overrides };
  const jobs: Array<() => Promise<PinResult>> = [
    ...pins.providers.map(
      (p) => () =>
        guard('provider', `${p.source}@${p.version}`, `providers.${p.source}`, async (base) => {
          const v = await checkProvider(p, http);
          if (v.status === 'ok') return { ...base, status: 'ok', detail: 'in the Terraform registry' };
          if (v.status === 'version-missing') {
            return {
              ...base,
              status: 'problem',
              detail: `version ${p.version} is not in the Terraform registry (newest: ${v.newest.join(', ') || 'none'})`,
              fix: `set providers.${p.source}.version in ${pins.file} and every versions.tf to a listed version`,
            };
          }
          return { ...base, status: 'problem', detail: v.detail, fix: `check the provider source ${p.source}` };
        }),
    ),
    ...pins.charts.map(
      (c) => () =>
        guard('chart', `${c.chart}@${c.version}`, `charts.${c.name}`, async (base) => {
          const v = await checkChart(c, http);
          const where = indexUrl(c.repository);
          switch (v.status) {
            case 'ok':
              if (v.movedTo)
                return {
                  ...base,
                  status: 'warning',
                  detail: `found, but ${c.repository} has moved to ${v.movedTo}`,
                  fix: `set charts.${c.name}.repository in ${pins.file} to ${v.movedTo}`,
                };
              return {
                ...base,
                status: 'ok',
                detail: `in ${where}${v.digest ? (c.digest ? ', digest matches' : `, digest ${v.digest.slice(0, 12)}…`) : ''}`,
              };
            case 'version-missing':
              return {
                ...base,
                status: 'problem',
                detail: `version ${c.version} is not in ${where} (newest: ${v.newest.join(', ') || 'none'})`,
                fix: `set charts.${c.name}.version in ${pins.file} to a listed version and check its values`,
              };
            case 'digest-mismatch':
              return {
                ...base,
                status: 'problem',
                detail: `digest in ${where} is ${v.digest}, pinned ${c.digest}: the chart archive changed`,
                fix: `find out why before trusting it; then set charts.${c.name}.digest in ${pins.file}`,
              };
            case 'repo-missing':
              return {
                ...base,
                status: 'problem',
                detail: `chart repository gone: ${v.detail}`,
                fix: `find where ${c.chart} moved (or a replacement) and set charts.${c.name}.repository in ${pins.file}`,
              };
            case 'chart-missing':
              return {
                ...base,
                status: 'problem',
                detail: v.detail,
                fix: `set charts.${c.name}.chart in ${pins.file} to a chart the repository lists`,
              };
            default:
              return { ...base, status: 'problem', detail: v.detail, fix: `check charts.${c.name}.repository in ${pins.file}` };
          }
        }),
    ),
    ...pins.images.map(
      (i) => () =>
        guard('image', i.image, i.pinnedAt, async (base) => {
          const v = await checkImage(i.image, http);
          switch (v.status) {
            case 'ok':
              return {
                ...base,
                status: 'ok',
                detail: `linux/arm64 among ${v.platforms.length} platform${v.platforms.length === 1 ? '' : 's'}`,
              };
            case 'no-arm64':
              return {
                ...base,
                status: 'problem',
                detail: `no linux/arm64 image (only ${v.platforms.join(', ') || 'unknown platforms'}): it cannot run on a Pi`,
                fix: `pin a multi-arch tag in ${pins.file} (${i.pinnedAt})`,
              };
            case 'missing':
              return { ...base, status: 'problem', detail: v.detail, fix: `pin a tag that exists in ${pins.file} (${i.pinnedAt})` };
            default:
              return { ...base, status: 'problem', detail: v.detail, fix: `check the image name in ${pins.file} (${i.pinnedAt})` };
          }
        }),
    ),
  ];
  const results = await runLimited(jobs, options.concurrency ?? 6);
  const unreachable = results.filter((r) => r.status === 'unreachable').length;
  return {
    results,
    offline: results.length > 0 && unreachable === results.length,
    problems: results.filter((r) => r.status === 'problem' || r.status === 'unreachable').length,
  };
}

type Base = Pick<PinResult, 'kind' | 'pin' | 'pinnedAt'>;

async function guard(kind: PinKind, pin: string, pinnedAt: string, check: (base: Base) => Promise<PinResult>): Promise<PinResult> {
  const base = { kind, pin, pinnedAt };
  try {
    return await check(base);
  } catch (error) {
    if (error instanceof NetworkError) {
      return {
        ...base,
        status: 'unreachable',
        detail: error.message,
        fix:
          error.kind === 'timeout'
            ? 'try again; a slow registry or repository may be down'
            : 'check the network (or a proxy), then try again',
      };
    }
    return {
      ...base,
      status: 'problem',
      detail: `unexpected answer: ${(error as Error).message}`,
      fix: `check ${pinnedAt} in the pins file`,
    };
  }
}

async function runLimited<T>(jobs: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** The report as lines: problems first, one each with its fix; then warnings; then a count of what passed. */
export function formatReport(report: PinReport): string[] {
  const lines: string[] = [];
  if (report.offline) {
    lines.push(`offline: no chart repository, image registry or the Terraform registry answered (${report.results[0]?.detail ?? ''})`);
    return lines;
  }
  const label = (r: PinResult) => `${r.kind} ${r.pin} (${r.pinnedAt})`;
  for (const r of report.results.filter((x) => x.status === 'problem' || x.status === 'unreachable'))
    lines.push(`✗ ${label(r)}: ${r.detail} → fix: ${r.fix}`);
  for (const r of report.results.filter((x) => x.status === 'warning')) lines.push(`! ${label(r)}: ${r.detail} → ${r.fix}`);
  for (const r of report.results.filter((x) => x.status === 'ok')) lines.push(`✓ ${label(r)}: ${r.detail}`);
  const count = (kind: PinKind) => report.results.filter((r) => r.kind === kind).length;
  lines.push(
    `${report.problems === 0 ? 'all pins confirmed' : `${report.problems} of ${report.results.length} pins failed`}: ${count('chart')} charts, ${count('image')} images, ${count('provider')} providers`,
  );
  return lines;
}
