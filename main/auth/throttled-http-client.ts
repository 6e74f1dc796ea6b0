/**
 * MSAL's throttling layer: remember responses that say "back off", failing 400s and discovery GETs.
 *
 * Three caches share one {@link ExpiringMapping} (capacity 1024), exactly as MSAL Python's
 * `ThrottledHttpClient` layers them (MSAL Python 1.31, throttled_http_client.py):
 * 1. POST 429, >= 500 or with Retry-After: kept min(3600, Retry-After || default) seconds, per
 *    URL + client_id + scope + hash of the "account" (refresh token, code or username).
 * 2. POST exactly 400 without Retry-After: kept 60 s per hash of params + data ("UI required
 *    cache"), except for the device-code grant, whose polling expects 400s.
 * 3. GET 2xx: kept 24 h per URL + hash of params (discovery documents).
 * Secret-bearing parts are hashed with SHA-256, so keys hold no token and no personal data.
 */
import { createHash } from 'node:crypto';
import type { HttpCacheStore, HttpClient, HttpGetOptions, HttpPostOptions, HttpResponse } from './http-types';
import { requestSecrets, TOKEN_FIELDS, toErrorValue } from './oauth-error';

/** RFC 8628 §3.4: device-code polling returns 400 `authorization_pending` by design. */
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const MAX_THROTTLE_SECONDS = 3600;
const BAD_REQUEST_SECONDS = 60;
const DISCOVERY_SECONDS = 24 * 3600;
const INDEX_KEY = '_index_';

/** `[expiresAtMs, createdAtMs]` of one item. */
type Stamp = [number, number];

/**
 * A key-value mapping whose items each expire on their own, with a capacity.
 *
 * It keeps an index (`"_index_"`: key → `[expiresAtMs, createdAtMs]`) in the same store, so a
 * persisted store keeps its expiry times. Everything it writes is JSON-serializable. Expired items
 * are purged on `set`, `size` and `keys`; a full mapping drops the item expiring soonest.
 */
export class ExpiringMapping {
  readonly #store: HttpCacheStore;
  readonly #capacity: number | undefined;
  readonly #now: () => number;

  constructor(options: { mapping?: HttpCacheStore; capacity?: number; now?: () => number } = {}) {
    this.#store = options.mapping ?? new Map<string, unknown>();
    this.#capacity = options.capacity;
    this.#now = options.now ?? Date.now;
  }

  /** The live value under `key`, or `undefined` if absent or expired (an expired item is removed). */
  get(key: string): unknown {
    validateKey(key);
    const index = this.#index();
    const stamp = index[key];
    if (!stamp) return undefined;
    if (!isFresh(stamp, this.#now())) {
      this.#store.delete(key);
      delete index[key];
      this.#store.set(INDEX_KEY, index);
      return undefined;
    }
    return this.#store.has(key) ? this.#store.get(key) : undefined;
  }

  /** Store `value` (JSON-serializable) under `key` for `expiresInSeconds`. */
  set(key: string, value: unknown, expiresInSeconds: number): void {
    validateKey(key);
    const index = this.#index();
    const now = this.#now();
    this.#purge(index, now);
    if (!(key in index) && this.#capacity !== undefined && Object.keys(index).length >= this.#capacity) {
      const soonest = Object.entries(index).reduce((a, b) => (b[1][0] < a[1][0] ? b : a));
      this.#store.delete(soonest[0]);
      delete index[soonest[0]];
    }
    index[key] = [now + expiresInSeconds * 1000, now];
    this.#store.set(key, value);
    this.#store.set(INDEX_KEY, index);
  }

  /** Remove `key`; true if it was there. */
  delete(key: string): boolean {
    validateKey(key);
    const index = this.#index();
    const existed = key in index;
    delete index[key];
    this.#store.delete(key);
    this.#store.set(INDEX_KEY, index);
    return existed;
  }

  /** Number of live items (purges expired ones). */
  size(): number {
    return this.keys().length;
  }

  /** Keys of live items (purges expired ones). */
  keys(): string[] {
    const index = this.#index();
    this.#purge(index, this.#now());
    this.#store.set(INDEX_KEY, index);
    return Object.keys(index);
  }

  #purge(index: Record<string, Stamp>, now: number): void {
    for (const [key, stamp] of Object.entries(index)) {
      if (!isFresh(stamp, now)) {
        this.#store.delete(key);
        delete index[key];
      }
    }
  }

  // A persisted store may hand back anything; an unreadable index is treated as empty.
  #index(): Record<string, Stamp> {
    const raw = this.#store.get(INDEX_KEY);
    const index: Record<string, Stamp> = {};
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      for (const [key, stamp] of Object.entries(raw as Record<string, unknown>)) {
        if (Array.isArray(stamp) && typeof stamp[0] === 'number' && typeof stamp[1] === 'number') {
          index[key] = [stamp[0], stamp[1]];
        }
      }
    }
    return index;
  }
}

function validateKey(key: string): void {
  if (key === INDEX_KEY) throw new RangeError(`"${INDEX_KEY}" is reserved by ExpiringMapping.`);
}

// MSAL's freshness rule also rejects items "created in the future" (a clock set back).
function isFresh([expiresAt, createdAt]: Stamp, now: number): boolean {
  return createdAt <= now && now < expiresAt;
}

/**
 * An `HttpClient` that answers from MSAL's throttling caches before calling the inner client.
 *
 * Wrap every client with it, including one the app supplies (MSAL does). `defaultThrottleTime`
 * is 60 s for a public client and 5 s for a confidential one. `httpCache` may be any
 * {@link HttpCacheStore} (a `Map`, or a store the app persists); without it an in-memory map is used.
 */
export class ThrottledHttpClient implements HttpClient {
  /** The client this one wraps. */
  readonly inner: HttpClient;
  readonly #mapping: ExpiringMapping;
  readonly #defaultThrottleTime: number;
  readonly #now: () => number;

  constructor(
    inner: HttpClient,
    options: { httpCache?: HttpCacheStore; defaultThrottleTime: number; now?: () => number },
  ) {
    this.inner = inner;
    this.#defaultThrottleTime = options.defaultThrottleTime;
    this.#now = options.now ?? Date.now;
    this.#mapping = new ExpiringMapping({
      ...(options.httpCache ? { mapping: options.httpCache } : {}),
      capacity: 1024,
      now: this.#now,
    });
  }

  /** POST through the 400 cache, then the 429/5xx/Retry-After cache, then the network. */
  async post(url: string, options: HttpPostOptions = {}): Promise<HttpResponse> {
    const data = options.data ?? {};
    const badRequestKey = `POST ${url} hash=${sha256(stableJson(options.params ?? null) + stableJson(data))} 400`;
    const cachedBadRequest = this.#cached(badRequestKey);
    if (cachedBadRequest) return cachedBadRequest;

    const account = data.refresh_token || data.code || data.username || null;
    const throttleKey =
      `POST ${url} client_id=${data.client_id ?? ''} scope=${data.scope ?? ''} ` +
      `hash=${sha256(stableJson(account))} 429/5xx/Retry-After`;
    const cachedThrottle = this.#cached(throttleKey);
    if (cachedThrottle) return cachedThrottle;

    const response = await this.inner.post(url, options);
    const retryAfter = response.headers['retry-after'];

    const throttleSeconds = this.#throttleSeconds(response);
    const replayable = throttleSeconds > 0 || (response.status === 400 && retryAfter === undefined && data.grant_type !== DEVICE_CODE_GRANT);
    // A token answer never enters the cache, whatever its status (README: "no token is ever kept
    // outside the encrypted cache"); an error answer is kept as its whitelisted error fields only.
    const stored = replayable ? toReplayableError(response, requestSecrets(data)) : undefined;
    if (stored && throttleSeconds > 0) this.#mapping.set(throttleKey, stored, throttleSeconds);
    else if (stored) this.#mapping.set(badRequestKey, stored, BAD_REQUEST_SECONDS);
    return response;
  }

  /** GET, answering 2xx responses from the cache for 24 h. */
  async get(url: string, options: HttpGetOptions = {}): Promise<HttpResponse> {
    const key = `GET ${displayUrl(url)} hash=${sha256(url + stableJson(options.params ?? null))} 2xx`;
    const cached = this.#cached(key);
    if (cached) return cached;
    const response = await this.inner.get(url, options);
    if (response.status >= 200 && response.status < 300) {
      this.#mapping.set(key, toStored(response), DISCOVERY_SECONDS);
    }
    return response;
  }

  // Seconds to replay a "back off" answer; 0 means do not cache.
  #throttleSeconds(response: HttpResponse): number {
    const retryAfter = response.headers['retry-after'];
    if (!(response.status === 429 || response.status >= 500 || retryAfter !== undefined)) return 0;
    // Deviation from MSAL: a 2xx is never cached here, because its body may carry tokens.
    if (response.status >= 200 && response.status < 300) return 0;
    const seconds = parseRetryAfter(retryAfter, this.#now()) || this.#defaultThrottleTime;
    return Math.min(MAX_THROTTLE_SECONDS, seconds);
  }

  #cached(key: string): HttpResponse | undefined {
    return fromStored(this.#mapping.get(key));
  }
}

// RFC 9110 §10.2.3: delay-seconds or an HTTP-date. Anything else falls back to the default (0 here).
function parseRetryAfter(value: string | undefined, nowMs: number): number {
  if (value === undefined) return 0;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? 0 : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

// Key order must not change the hash: {a,b} and {b,a} are the same request.
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

// The readable part of a GET key: no query string, and no user name from a user-realm URL.
function displayUrl(url: string): string {
  const withoutQuery = url.split(/[?#]/, 1)[0] ?? '';
  return withoutQuery.replace(/\/userrealm\/[^/]*/i, '/userrealm/*');
}

/**
 * The copy of a "back off" or "bad request" answer that may be replayed: its status, the headers
 * the client reads, and only the OAuth error fields of its body (./oauth-error.ts), with the
 * request's secrets cut out. Undefined for an answer that carries a token.
 */
function toReplayableError(response: HttpResponse, secrets: readonly string[]): StoredResponse | undefined {
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    body = undefined;
  }
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'retry-after']) {
    const value = response.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    // Not JSON (an HTML error page, a proxy's text): the status alone is replayed.
    return { status: response.status, text: '', headers };
  }
  const record = body as Record<string, unknown>;
  if (TOKEN_FIELDS.some((field) => record[field] !== undefined)) return undefined;
  return { status: response.status, text: JSON.stringify(toErrorValue(record, secrets)), headers };
}

interface StoredResponse {
  status: number;
  text: string;
  headers: Record<string, string>;
}

// Stored copies are plain JSON objects, so an app may persist the store.
function toStored(response: HttpResponse): { status: number; text: string; headers: Record<string, string> } {
  return { status: response.status, text: response.text, headers: { ...response.headers } };
}

function fromStored(value: unknown): HttpResponse | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { status, text, headers } = value as Record<string, unknown>;
  if (typeof status !== 'number' || typeof text !== 'string' || !headers || typeof headers !== 'object') {
    return undefined;
  }
  return { status, text, headers: { ...(headers as Record<string, string>) } };
}
