/**
 * The default transport: undici, with MSAL's `verify`, `proxies` and `timeout` options.
 *
 * It is the one place in the auth core that opens sockets (and reads the CA bundle named by
 * `verify`). Redirects are not followed: identity endpoints answer directly, and following one
 * could carry a request to a host nobody configured.
 */
import { readFileSync } from 'node:fs';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import { InvalidArgumentError, TransportError } from './errors';
import type { HttpClient, HttpGetOptions, HttpPostOptions, HttpResponse } from './http-types';

/** Options of {@link createDefaultHttpClient} (MSAL Python's `verify`, `proxies`, `timeout`). */
export interface DefaultHttpClientOptions {
  /** `true` (default) checks certificates against the system roots; a string is a PEM CA bundle path; `false` turns checks off. */
  readonly verify?: boolean | string;
  /** Proxy URLs, chosen by the scheme of the request URL. */
  readonly proxies?: { readonly http?: string; readonly https?: string };
  /** Milliseconds allowed for one attempt (connect, headers and body together). */
  readonly timeout?: number;
}

/** The default client, which also lets its owner release its sockets. */
export interface ClosableHttpClient extends HttpClient {
  /** Close idle connections and refuse new requests. */
  close(): Promise<void>;
}

// Errors raised before any byte of the request left the machine: safe to retry once, as
// requests' HTTPAdapter(max_retries=1) does for connection errors.
const CONNECT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Build the default `HttpClient`.
 *
 * Sends `data` form-encoded, appends `params` to the URL, lower-cases response header names and
 * retries once on a connection error. A timeout throws `TransportError('timeout')`; any other
 * failure throws `TransportError('network_error')` with the original error as `cause`. Messages
 * name the host, never a body or a query string.
 *
 * @throws InvalidArgumentError when `verify` names a file that cannot be read.
 */
export function createDefaultHttpClient(options: DefaultHttpClientOptions = {}): ClosableHttpClient {
  const tls = tlsOptions(options.verify);
  const direct = new Agent({ connect: tls });
  const proxyAgents = new Map<string, ProxyAgent>();

  const dispatcherFor = (url: URL): Dispatcher => {
    const scheme = url.protocol === 'https:' ? 'https' : 'http';
    const proxy = options.proxies?.[scheme];
    if (!proxy) return direct;
    let agent = proxyAgents.get(scheme);
    if (!agent) {
      // `verify` covers an https proxy too, as it does in requests.
      agent = new ProxyAgent({ uri: proxy, requestTls: tls, proxyTls: tls });
      proxyAgents.set(scheme, agent);
    }
    return agent;
  };

  const send = async (method: 'GET' | 'POST', rawUrl: string, opts: HttpPostOptions): Promise<HttpResponse> => {
    const url = buildUrl(rawUrl, opts.params);
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | undefined;
    if (method === 'POST' && opts.data) {
      body = new URLSearchParams(opts.data).toString();
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
      }
    }
    const dispatcher = dispatcherFor(url);
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await attemptOnce(dispatcher, method, url, headers, body, options.timeout);
      } catch (error) {
        if (attempt === 0 && isConnectError(error)) continue;
        throw toTransportError(error, url);
      }
    }
  };

  return {
    get: (url: string, opts: HttpGetOptions = {}) => send('GET', url, opts),
    post: (url: string, opts: HttpPostOptions = {}) => send('POST', url, opts),
    close: async () => {
      await Promise.all([direct.close(), ...[...proxyAgents.values()].map((a) => a.close())]);
    },
  };
}

function tlsOptions(verify: boolean | string | undefined): { ca?: string; rejectUnauthorized?: boolean } {
  if (verify === false) return { rejectUnauthorized: false };
  if (typeof verify === 'string') {
    try {
      return { ca: readFileSync(verify, 'utf8'), rejectUnauthorized: true };
    } catch (cause) {
      throw new InvalidArgumentError(`The CA bundle given as "verify" (${verify}) could not be read.`, 'invalid_argument', {
        cause,
      });
    }
  }
  return { rejectUnauthorized: true };
}

function buildUrl(rawUrl: string, params: Readonly<Record<string, string>> | undefined): URL {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch (cause) {
    throw new InvalidArgumentError('A request URL is not a valid absolute URL.', 'invalid_argument', { cause });
  }
  for (const [name, value] of Object.entries(params ?? {})) url.searchParams.append(name, value);
  return url;
}

// Sentinel that marks an attempt our own timer aborted.
class AttemptTimeout extends Error {}

async function attemptOnce(
  dispatcher: Dispatcher,
  method: 'GET' | 'POST',
  url: URL,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number | undefined,
): Promise<HttpResponse> {
  const controller = new AbortController();
  const timer =
    timeoutMs !== undefined && timeoutMs > 0
      ? setTimeout(() => controller.abort(new AttemptTimeout('timeout')), timeoutMs)
      : undefined;
  try {
    const response = await request(url, {
      dispatcher,
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: controller.signal,
    });
    const text = await response.body.text();
    return { status: response.statusCode, text, headers: lowerCaseHeaders(response.headers) };
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof AttemptTimeout) throw controller.signal.reason;
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function lowerCaseHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function errorCode(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects fail with an AggregateError of per-address errors.
  if (Array.isArray(errors) && errors.length > 0) return errorCode(errors[0]);
  return undefined;
}

function isConnectError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && CONNECT_ERROR_CODES.has(code);
}

function toTransportError(error: unknown, url: URL): TransportError {
  if (error instanceof TransportError) return error;
  const host = url.host;
  if (error instanceof AttemptTimeout) {
    return new TransportError('timeout', `The request to ${host} timed out. Check your network connection and try again.`, {
      cause: error,
    });
  }
  const code = errorCode(error) ?? 'unknown error';
  if (/^UND_ERR_(HEADERS|BODY)_TIMEOUT$/.test(code)) {
    return new TransportError('timeout', `The request to ${host} timed out. Check your network connection and try again.`, {
      cause: error,
    });
  }
  const hint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)
    ? 'Its certificate is not trusted; check the "verify" setting or your CA bundle.'
    : 'Check your network connection and proxy settings.';
  return new TransportError('network_error', `Could not reach ${host} (${code}). ${hint}`, { cause: error });
}
