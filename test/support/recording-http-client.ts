/**
 * An in-memory `HttpClient` for tests: answers from registered handlers and records every request.
 */
import type { HttpClient, HttpGetOptions, HttpPostOptions, HttpResponse } from '../../main/auth/http-types';

/** A request as the client received it. */
export interface RecordedRequest {
  readonly method: 'GET' | 'POST';
  /** The URL as passed, without `params`. */
  readonly url: string;
  /** `url` with `params` appended (what would go on the wire). */
  readonly fullUrl: string;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** The form fields of a POST (`{}` for a GET). */
  readonly data: Readonly<Record<string, string>>;
}

/** A canned response, or a function that builds one (it may throw to simulate a network failure). */
export type RecordingHandler =
  | HttpResponse
  | ((request: RecordedRequest) => HttpResponse | Promise<HttpResponse>);

/** A JSON response with `content-type: application/json`. */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): HttpResponse {
  return { status, text: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } };
}

/** A plain-text (or HTML) response. */
export function textResponse(text: string, status = 200, headers: Record<string, string> = {}): HttpResponse {
  return { status, text, headers };
}

interface Route {
  readonly method: 'GET' | 'POST';
  readonly prefix: string;
  readonly handler: RecordingHandler;
}

/**
 * A fake `HttpClient` with handlers per method + URL prefix.
 *
 * The longest matching prefix wins; among equal prefixes, the one registered last. A request no
 * handler matches is rejected with an Error naming it, so a test fails loudly. Every request is
 * appended to `requests`, in order.
 */
export class RecordingHttpClient implements HttpClient {
  readonly requests: RecordedRequest[] = [];
  readonly #routes: Route[] = [];

  /** Register a handler for `method` requests whose URL starts with `prefix`. */
  on(method: 'GET' | 'POST', prefix: string, handler: RecordingHandler): this {
    this.#routes.push({ method, prefix, handler });
    return this;
  }

  /** Register a GET handler. */
  onGet(prefix: string, handler: RecordingHandler): this {
    return this.on('GET', prefix, handler);
  }

  /** Register a POST handler. */
  onPost(prefix: string, handler: RecordingHandler): this {
    return this.on('POST', prefix, handler);
  }

  /** Recorded requests of one method (optionally only those whose URL starts with `prefix`). */
  requestsOf(method: 'GET' | 'POST', prefix = ''): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.url.startsWith(prefix));
  }

  get(url: string, options: HttpGetOptions = {}): Promise<HttpResponse> {
    return this.#handle('GET', url, options, {});
  }

  post(url: string, options: HttpPostOptions = {}): Promise<HttpResponse> {
    return this.#handle('POST', url, options, options.data ?? {});
  }

  async #handle(
    method: 'GET' | 'POST',
    url: string,
    options: HttpGetOptions,
    data: Readonly<Record<string, string>>,
  ): Promise<HttpResponse> {
    const params = { ...options.params };
    const query = new URLSearchParams(params).toString();
    const fullUrl = query ? `${url}${url.includes('?') ? '&' : '?'}${query}` : url;
    const request: RecordedRequest = { method, url, fullUrl, params, headers: { ...options.headers }, data: { ...data } };
    this.requests.push(request);
    let best: Route | undefined;
    for (const route of this.#routes) {
      if (route.method === method && url.startsWith(route.prefix) && (!best || route.prefix.length >= best.prefix.length)) {
        best = route;
      }
    }
    if (!best) throw new Error(`RecordingHttpClient: no handler for ${method} ${url}`);
    const response = typeof best.handler === 'function' ? await best.handler(request) : best.handler;
    return { status: response.status, text: response.text, headers: { ...response.headers } };
  }
}
