/**
 * The one HTTP client of the pin check: bounded time per request, redirects followed by hand (so a moved
 * repository is seen, and credentials never follow a redirect to another origin), and base-URL overrides
 * that send a URL's origin elsewhere (a mirror, or the tests' local servers) on the same code path.
 */

export interface HttpOptions {
  /**
   * Milliseconds a request may go without progress: until the answer starts, and between two pieces of its
   * body (a large index.yaml keeps arriving). One request never takes longer than ten times this.
   */
  timeoutMs: number;
  /** Origin (https://host[:port]) -> base URL that replaces it, e.g. { "https://ghcr.io": "http://127.0.0.1:5000" }. */
  overrides: Record<string, string>;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
  /** URL that answered, as the pins name it (before overrides). */
  url: string;
  /** The first permanent redirect (301/308) met on the way, as the pins would name it. */
  movedTo?: string;
}

/** A failure to get any answer: unreachable, timed out, refused. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'unreachable',
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

export function applyOverride(url: string, overrides: Record<string, string>): string {
  const parsed = new URL(url);
  const base = overrides[parsed.origin] ?? overrides[parsed.host];
  if (!base) return url;
  return `${base.replace(/\/+$/, '')}${parsed.pathname}${parsed.search}`;
}

const MAX_REDIRECTS = 5;

export async function httpGet(url: string, headers: Record<string, string>, options: HttpOptions): Promise<HttpAnswer> {
  const stall = new AbortController();
  let timer = setTimeout(() => stall.abort(), options.timeoutMs);
  const progress = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(), options.timeoutMs);
  };
  const signal = AbortSignal.any([stall.signal, AbortSignal.timeout(options.timeoutMs * 10)]);
  try {
    return await follow(url, headers, options, signal, progress);
  } catch (error) {
    throw networkError(error, url, options.timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

async function follow(
  url: string,
  headers: Record<string, string>,
  options: HttpOptions,
  signal: AbortSignal,
  progress: () => void,
): Promise<HttpAnswer> {
  let current = url;
  let movedTo: string | undefined;
  const origin = new URL(url).origin;
  for (let hop = 0; ; hop += 1) {
    // Authorization is for the origin it was issued for; a blob redirect to a CDN gets none.
    const sent =
      new URL(current).origin === origin
        ? headers
        : Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
    const response = await fetch(applyOverride(current, options.overrides), { headers: sent, redirect: 'manual', signal });
    progress();
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new NetworkError(`more than ${MAX_REDIRECTS} redirects from ${url}`, 'unreachable');
      const next = new URL(location, current).toString();
      if (!movedTo && (response.status === 301 || response.status === 308)) movedTo = next;
      current = next;
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of response.body ?? []) {
      chunks.push(Buffer.from(chunk as Uint8Array));
      progress();
    }
    return { status: response.status, headers: response.headers, body: Buffer.concat(chunks).toString('utf8'), url: current, movedTo };
  }
}

function networkError(error: unknown, url: string, timeoutMs: number): NetworkError {
  if (error instanceof NetworkError) return error;
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return new NetworkError(`no answer from ${new URL(url).host} within ${timeoutMs / 1000} s`, 'timeout');
  const detail = err.cause?.code ?? err.cause?.message ?? err.message;
  return new NetworkError(`cannot reach ${new URL(url).host} (${detail})`, 'unreachable');
}
