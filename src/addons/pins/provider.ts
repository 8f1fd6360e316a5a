/** Asks the Terraform registry (provider registry protocol) whether the pinned provider version exists. */
import { httpGet, type HttpOptions } from './http.js';
import type { ProviderPin } from './pins.js';
import { compareVersions } from '../../versions.js';

export const TERRAFORM_REGISTRY = 'https://registry.terraform.io';

export type ProviderVerdict =
  | { status: 'ok' }
  | { status: 'version-missing'; newest: string[] }
  | { status: 'missing'; detail: string }
  | { status: 'bad-answer'; detail: string };

export async function checkProvider(pin: ProviderPin, http: HttpOptions): Promise<ProviderVerdict> {
  const url = `${TERRAFORM_REGISTRY}/v1/providers/${pin.source}/versions`;
  const answer = await httpGet(url, { accept: 'application/json' }, http);
  if (answer.status === 404) return { status: 'missing', detail: `the Terraform registry has no provider ${pin.source}` };
  if (answer.status !== 200) return { status: 'bad-answer', detail: `${url} answers HTTP ${answer.status}` };
  let versions: unknown;
  try {
    versions = (JSON.parse(answer.body) as { versions?: unknown }).versions;
  } catch {
    versions = undefined;
  }
  if (!Array.isArray(versions)) return { status: 'bad-answer', detail: `${url} sent no version list` };
  const all = versions.map((v: { version?: unknown }) => String(v.version));
  if (all.includes(pin.version)) return { status: 'ok' };
  const newest = all
    .filter((v) => !v.includes('-'))
    .sort(compareVersions)
    .reverse()
    .slice(0, 3);
  return { status: 'version-missing', newest };
}
