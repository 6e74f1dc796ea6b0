/**
 * The HTTP seam of the auth core.
 *
 * Every request the library makes (discovery, instance discovery, signing keys, token) goes through
 * an `HttpClient`. Tests and the app may pass their own; the default one is built on undici.
 */

/** Options of a GET request. `params` become the query string. */
export interface HttpGetOptions {
  readonly params?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options of a POST request. `data` is sent form-encoded (application/x-www-form-urlencoded). */
export interface HttpPostOptions extends HttpGetOptions {
  readonly data?: Readonly<Record<string, string>>;
}

/** A response as the auth core needs it. Header names are lower-case. */
export interface HttpResponse {
  readonly status: number;
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The pluggable transport (MSAL Python's `http_client`, with a Promise-based shape). */
export interface HttpClient {
  get(url: string, options?: HttpGetOptions): Promise<HttpResponse>;
  post(url: string, options?: HttpPostOptions): Promise<HttpResponse>;
}

/**
 * A dict-like store for the throttling / discovery cache (MSAL Python's `http_cache`).
 *
 * A plain `Map` satisfies it. It never holds tokens or personal data.
 */
export interface HttpCacheStore {
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
  delete(key: string): boolean;
  has(key: string): boolean;
  keys(): IterableIterator<string>;
}
