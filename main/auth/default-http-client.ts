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
  /**
   * Milliseconds allowed for a whole request — connecting, the retry, headers and the full body
   * together. Default {@link DEFAULT_TIMEOUT_MS}; a value that is not a positive number means the default.
   */
  readonly timeout?: number;
  /** Largest response body accepted, in bytes. Default {@link DEFAULT_MAX_RESPONSE_BYTES}. */
  readonly maxResponseBytes?: number;
}

/**
 * The overall deadline of one request: 30 s. Identity endpoints answer in well under a second;
 * without a deadline a server that trickles a byte every few seconds holds the caller (and the
 * account's lock) forever, since undici's own timeouts only bound the gap between two chunks.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The largest response body accepted: 4 MiB. Discovery documents, key sets and token answers are
 * a few KiB (an Entra token answer with a large group claim stays far below 1 MiB); anything bigger
 * is refused before it is held in memory or cached.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

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
 * retries once on a connection error. Every request has one overall deadline (`timeout`, default
 * 30 s) and a body limit (`maxResponseBytes`, default 4 MiB): passing the deadline throws
 * `TransportError('timeout')`, a bigger body `TransportError('response_too_large')`; any other
 * failure throws `TransportError('network_error')` with the original error as `cause`. Messages
 * name the host, never a body or a query string.
 *
 * @throws InvalidArgumentError when `verify` names a file that cannot be read.
 */
export function createDefaultHttpClient(options: DefaultHttpClientOptions = {}): ClosableHttpClient {
  const tls = tlsOptions(options.verify);
  const timeoutMs = positive(options.timeout) ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = positive(options.maxResponseBytes) ?? DEFAULT_MAX_RESPONSE_BYTES;
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
    // One deadline for the whole request, retry included.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new RequestDeadline(timeoutMs)), timeoutMs);
    try {
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await attemptOnce(dispatcher, method, url, headers, body, controller.signal, maxBytes);
        } catch (error) {
          if (attempt === 0 && !controller.signal.aborted && isConnectError(error)) continue;
          throw toTransportError(controller.signal.aborted ? controller.signal.reason : error, url, maxBytes);
        }
      }
    } finally {
      clearTimeout(timer);
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

function positive(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

// Marks a request our own deadline aborted.
class RequestDeadline extends Error {
  constructor(readonly ms: number) {
    super('deadline');
  }
}

// Marks a body that grew past the limit.
class BodyTooLarge extends Error {}

async function attemptOnce(
  dispatcher: Dispatcher,
  method: 'GET' | 'POST',
  url: URL,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal,
  maxBytes: number,
): Promise<HttpResponse> {
  const response = await request(url, {
    dispatcher,
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
    signal,
  });
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw new BodyTooLarge();
  }
  // Count while reading, so a body without (or lying about) Content-Length is cut off at the limit.
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      response.body.destroy();
      throw new BodyTooLarge();
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks, size).toString('utf8');
  return { status: response.statusCode, text, headers: lowerCaseHeaders(response.headers) };
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

/** Node's and undici's codes for a TLS certificate that does not verify (expired, self-signed, unknown CA, wrong host). */
const UNTRUSTED_CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

/**
 * Whether `error` (or an error it wraps, through `cause`) is a refused TLS certificate: callers
 * with their own CA setting can then point at it.
 */
export function isUntrustedCertificate(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current && typeof current === 'object'; depth += 1) {
    if (current instanceof TransportError && current.code === 'network_error') {
      const code = errorCode((current as { cause?: unknown }).cause);
      if (code !== undefined && UNTRUSTED_CERTIFICATE.test(code)) return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function toTransportError(error: unknown, url: URL, maxBytes: number): TransportError {
  if (error instanceof TransportError) return error;
  const host = url.host;
  if (error instanceof RequestDeadline) {
    return new TransportError('timeout', `The request to ${host} did not finish within ${Math.round(error.ms / 100) / 10} s. Check your network connection and try again.`, {
      cause: error,
    });
  }
  if (error instanceof BodyTooLarge) {
    return new TransportError(
      'response_too_large',
      `The answer from ${host} is larger than ${Math.round(maxBytes / 1024)} KiB, far more than an identity provider sends, so it was refused. Check the authority URL.`,
      { cause: error },
    );
  }
  const code = errorCode(error) ?? 'unknown error';
  if (/^UND_ERR_(HEADERS|BODY)_TIMEOUT$/.test(code)) {
    return new TransportError('timeout', `The request to ${host} timed out. Check your network connection and try again.`, {
      cause: error,
    });
  }
  const hint = UNTRUSTED_CERTIFICATE.test(code)
    ? 'Its TLS certificate is not trusted (give the CA that issued it as the "verify" CA bundle).'
    : 'Check your network connection and proxy settings.';
  return new TransportError('network_error', `Could not reach ${host} (${code}). ${hint}`, { cause: error });
}
