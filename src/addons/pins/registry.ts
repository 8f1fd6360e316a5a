/**
 * Asks an image's registry (OCI distribution API) whether the pinned tag exists for linux/arm64:
 * GET /v2/<name>/manifests/<reference> accepting an OCI index or a Docker manifest list (and a single
 * manifest, whose config blob then names its platform), answering a Bearer token challenge when asked.
 */
import { httpGet, type HttpAnswer, type HttpOptions } from './http.js';
import { parseImageRef, type ImageRef } from './image-ref.js';

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
const ACCEPT = [...INDEX_TYPES, ...MANIFEST_TYPES].join(', ');

export type ImageVerdict =
  | { status: 'ok'; platforms: string[] }
  | { status: 'missing'; detail: string }
  | { status: 'no-arm64'; platforms: string[] }
  | { status: 'bad-answer'; detail: string }
  | { status: 'denied'; detail: string };

interface Platform {
  os?: string;
  architecture?: string;
  variant?: string;
}

export async function checkImage(image: string, http: HttpOptions): Promise<ImageVerdict> {
  let ref: ImageRef;
  try {
    ref = parseImageRef(image);
  } catch (error) {
    return { status: 'bad-answer', detail: (error as Error).message };
  }
  const client = new RegistryClient(ref, http);
  const answer = await client.get(`/v2/${ref.repository}/manifests/${ref.reference}`, ACCEPT);
  if (answer.status === 404) return { status: 'missing', detail: `${ref.registry} has no ${ref.repository}:${ref.reference}` };
  if (answer.status === 401 || answer.status === 403)
    return { status: 'denied', detail: `${ref.registry} refused to show ${ref.repository} (HTTP ${answer.status})` };
  if (answer.status !== 200) return { status: 'bad-answer', detail: `${ref.registry} answered HTTP ${answer.status}` };
  const manifest = json(answer.body) as
    { mediaType?: string; manifests?: Array<{ platform?: Platform }>; config?: { digest?: string } } | undefined;
  if (!manifest || typeof manifest !== 'object')
    return { status: 'bad-answer', detail: `${ref.registry} sent something that is not a manifest` };

  let platforms: Platform[];
  if (Array.isArray(manifest.manifests)) {
    platforms = manifest.manifests.map((m) => m.platform ?? {});
  } else if (manifest.config?.digest) {
    // A single-platform image: its config blob says which.
    const blob = await client.get(`/v2/${ref.repository}/blobs/${manifest.config.digest}`, 'application/json, */*');
    const config = blob.status === 200 ? (json(blob.body) as Platform | undefined) : undefined;
    if (!config?.architecture)
      return { status: 'bad-answer', detail: `${ref.registry} sent no readable image config for ${ref.repository}:${ref.reference}` };
    platforms = [config];
  } else {
    return { status: 'bad-answer', detail: `${ref.registry} sent a manifest without platforms or config` };
  }
  const names = platforms
    .filter((p) => p.os && p.architecture && p.os !== 'unknown')
    .map((p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/'));
  return platforms.some((p) => p.os === 'linux' && p.architecture === 'arm64')
    ? { status: 'ok', platforms: names }
    : { status: 'no-arm64', platforms: names };
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One repository's session: an anonymous Bearer token is fetched on the first challenge and reused. */
class RegistryClient {
  private token?: string;

  constructor(
    private readonly ref: ImageRef,
    private readonly http: HttpOptions,
  ) {}

  async get(path: string, accept: string): Promise<HttpAnswer> {
    const url = `https://${this.ref.registry}${path}`;
    const headers = (): Record<string, string> => ({ accept, ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) });
    let answer = await httpGet(url, headers(), this.http);
    if (answer.status === 401 && !this.token) {
      const challenge = parseChallenge(answer.headers.get('www-authenticate') ?? '');
      if (!challenge) return answer;
      this.token = await this.fetchToken(challenge);
      if (!this.token) return answer;
      answer = await httpGet(url, headers(), this.http);
    }
    return answer;
  }

  private async fetchToken(challenge: Record<string, string>): Promise<string | undefined> {
    const realm = new URL(challenge.realm);
    if (challenge.service) realm.searchParams.set('service', challenge.service);
    realm.searchParams.set('scope', challenge.scope ?? `repository:${this.ref.repository}:pull`);
    const answer = await httpGet(realm.toString(), { accept: 'application/json' }, this.http);
    if (answer.status !== 200) return undefined;
    const body = json(answer.body) as { token?: string; access_token?: string } | undefined;
    return body?.token ?? body?.access_token;
  }
}

/** `Bearer realm="https://auth.example/token",service="registry",scope="repository:x:pull"` -> its parameters. */
export function parseChallenge(header: string): Record<string, string> | undefined {
  const match = /^\s*Bearer\s+(.*)$/i.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const [, key, quoted, bare] of match[1].matchAll(/([A-Za-z_]+)=(?:"([^"]*)"|([^,\s]*))/g))
    params[key.toLowerCase()] = quoted ?? bare;
  return params.realm ? params : undefined;
}
