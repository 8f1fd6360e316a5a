/**
 * Local stand-ins for what `pi-cluster addons check` asks, on 127.0.0.1 only: a Helm chart repository
 * (index.yaml per path), an OCI distribution registry with a Bearer token service, and the Terraform
 * registry's provider version list. Each behaves as the real protocol does for the cases the tests need.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';

export interface LocalServer {
  base: string;
  /** Requests seen, as "METHOD path". */
  seen: string[];
  close(): Promise<void>;
}

export async function listen(handler: (req: IncomingMessage, res: ServerResponse, base: string) => void): Promise<LocalServer> {
  const seen: string[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    handler(req, res, base);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ChartEntry {
  version: string;
  digest?: string;
}

/** A chart repository: `repos` maps a path prefix (/stable) to its charts; `special` answers other paths its own way. */
export function chartRepository(
  repos: Record<string, Record<string, ChartEntry[]>>,
  special: Record<string, (res: ServerResponse) => void> = {},
) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (special[path]) return special[path](res);
    const prefix = path.replace(/\/index\.yaml$/, '');
    const charts = path.endsWith('/index.yaml') ? repos[prefix] : undefined;
    if (!charts) {
      res.writeHead(404).end('404 page not found');
      return;
    }
    const entries = Object.fromEntries(
      Object.entries(charts).map(([name, versions]) => [
        name,
        versions.map((v) => ({
          apiVersion: 'v2',
          name,
          version: v.version,
          ...(v.digest ? { digest: v.digest } : {}),
          urls: [`${name}-${v.version}.tgz`],
        })),
      ]),
    );
    res
      .writeHead(200, { 'content-type': 'application/x-yaml' })
      .end(stringify({ apiVersion: 'v1', entries, generated: '2026-11-30T00:00:00Z' }));
  };
}

export type Platform = { os: string; architecture: string; variant?: string };

export type RegistryImage =
  { kind: 'oci-index' | 'docker-list'; platforms: Platform[] } | { kind: 'single'; platform: Platform } | { kind: 'garbage' };

export const INDEX_TYPES = {
  'oci-index': 'application/vnd.oci.image.index.v1+json',
  'docker-list': 'application/vnd.docker.distribution.manifest.list.v2+json',
};

/** Content-addressed, so every registry (and its CDN) of a test run can share one store. */
const blobs = new Map<string, string>();
const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/**
 * A registry that, like Docker Hub and ghcr.io, answers anonymous requests with a 401 Bearer challenge whose
 * realm is `realm` (an origin the check must reach through its overrides), and serves manifests only to a
 * token for the right scope. A manifest list is sent only when the Accept header asks for its media type.
 * Blobs are answered with a redirect to `blobBase` (another origin, as registries send blobs to a CDN).
 */
export function registry(
  images: Record<string, RegistryImage>,
  options: { realm: string; service: string; token: string; blobBase?: string },
) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://registry');
    if (url.pathname === '/token') {
      const scope = url.searchParams.get('scope') ?? '';
      if (url.searchParams.get('service') !== options.service || !/^repository:[\w./-]+:pull$/.test(scope)) {
        res.writeHead(400).end('{"errors":[{"code":"DENIED"}]}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${options.token}|${scope}` }));
      return;
    }
    const blob = /^\/(?:cdn\/)?v2\/(.+)\/blobs\/(sha256:[0-9a-f]+)$/.exec(url.pathname);
    if (blob) {
      if (!url.pathname.startsWith('/cdn/') && options.blobBase) {
        res.writeHead(307, { location: `${options.blobBase}/cdn${url.pathname}` }).end();
        return;
      }
      if (url.pathname.startsWith('/cdn/') && req.headers.authorization) {
        res.writeHead(400).end('an Authorization header reached the CDN');
        return;
      }
      const body = blobs.get(blob[2]);
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ?? '');
      return;
    }
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (!manifest) {
      res.writeHead(404).end();
      return;
    }
    const [, name, reference] = manifest;
    if (req.headers.authorization !== `Bearer ${options.token}|repository:${name}:pull`) {
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="${options.realm}",service="${options.service}",scope="repository:${name}:pull"`,
          'content-type': 'application/json',
        })
        .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const image = images[`${name}:${reference}`];
    if (!image) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      return;
    }
    const accept = String(req.headers.accept ?? '');
    if (image.kind === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>captive portal</html>');
    } else if (image.kind === 'single') {
      const config = JSON.stringify({ ...image.platform, rootfs: { type: 'layers', diff_ids: [] } });
      blobs.set(digestOf(config), config);
      const type = 'application/vnd.oci.image.manifest.v1+json';
      if (!accept.includes(type)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': type }).end(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: type,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
          layers: [],
        }),
      );
    } else {
      const type = INDEX_TYPES[image.kind];
      // A registry falls back to one manifest when the client does not accept lists: treat that as a miss here.
      if (!accept.includes(type)) return void res.writeHead(404).end();
      const manifests = image.platforms.map((platform, i) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: digestOf(`${name}${i}`),
        size: 1000,
        platform,
      }));
      res.writeHead(200, { 'content-type': type }).end(JSON.stringify({ schemaVersion: 2, mediaType: type, manifests }));
    }
  };
}

/** The Terraform registry's provider version list (GET /v1/providers/<ns>/<type>/versions). */
export function terraformRegistry(providers: Record<string, string[]>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/v1\/providers\/([\w-]+\/[\w-]+)\/versions$/.exec(req.url ?? '');
    const versions = match ? providers[match[1]] : undefined;
    if (!versions) return void res.writeHead(404).end('{"errors":["Not Found"]}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: match?.[1],
        versions: versions.map((version) => ({ version, protocols: ['6.0'], platforms: [{ os: 'linux', arch: 'arm64' }] })),
      }),
    );
  };
}
