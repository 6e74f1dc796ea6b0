/**
 * Server-side telemetry headers, as MSAL sends them (`x-client-current-telemetry`, `x-client-last-telemetry`).
 *
 * The format is MSAL's schema 4: the current header names the API and why a token was fetched; the
 * last header reports cache hits since the last successful request and the requests that failed.
 */

/** MSAL's API ids, sent in `x-client-current-telemetry` and in the failure list. */
export const ApiId = {
  ACQUIRE_TOKEN_SILENT: '84',
  ACQUIRE_TOKEN_BY_REFRESH_TOKEN: '85',
  ACQUIRE_TOKEN_BY_USERNAME_PASSWORD: '301',
  ACQUIRE_TOKEN_ON_BEHALF_OF: '523',
  ACQUIRE_TOKEN_BY_DEVICE_FLOW: '622',
  ACQUIRE_TOKEN_FOR_CLIENT: '730',
  ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE: '832',
  ACQUIRE_TOKEN_INTERACTIVE: '169',
  GET_ACCOUNTS: '902',
  REMOVE_ACCOUNT: '903',
} as const;

/** One of the {@link ApiId} values. */
export type ApiIdValue = (typeof ApiId)[keyof typeof ApiId];

/**
 * Why a token request went to the network.
 *
 * 0 not a silent call, 1 force_refresh, 2 no access token in cache, 3 access token expired,
 * 4 access token due for proactive refresh (`refresh_on`).
 */
export type RefreshReason = 0 | 1 | 2 | 3 | 4;

/** Not a silent call. */
export const NON_SILENT_CALL = 0 satisfies RefreshReason;
/** Silent call with `forceRefresh`. */
export const FORCE_REFRESH = 1 satisfies RefreshReason;
/** Silent call that found no access token. */
export const AT_ABSENT = 2 satisfies RefreshReason;
/** Silent call whose access token had expired. */
export const AT_EXPIRED = 3 satisfies RefreshReason;
/** Silent call whose access token was past `refresh_on`. */
export const AT_AGING = 4 satisfies RefreshReason;

/** Header names. */
export const CLIENT_CURRENT_TELEMETRY = 'x-client-current-telemetry';
/** Header name of the last-requests report. */
export const CLIENT_LAST_TELEMETRY = 'x-client-last-telemetry';

// MSAL's limit for the failure list, so the header stays under what the service accepts.
const LAST_HEADER_SIZE_LIMIT = 350;

/** A failed request, as reported in the next request's last-telemetry header. */
interface TelemetryFailure {
  readonly apiId: string;
  readonly correlationId: string;
  readonly error: string;
}

/**
 * The per-application telemetry state shared by all its requests.
 *
 * Counts access-token cache hits and remembers failed requests until a request succeeds. The
 * failure list is capped at 350 characters (MSAL's rule: a failure that would pass it is dropped).
 */
export class TelemetryBuffer {
  #succeeded = 0;
  #failures: TelemetryFailure[] = [];
  #failureSize = 0;

  /** Cache hits since the last successful request. */
  get succeeded(): number {
    return this.#succeeded;
  }

  /** Failed requests since the last successful request (a copy). */
  get failures(): readonly TelemetryFailure[] {
    return [...this.#failures];
  }

  /** Count one access token served from the cache. */
  recordHit(): void {
    this.#succeeded += 1;
  }

  /** Remember a failed request, unless it would push the list past the size limit. */
  recordFailure(apiId: string, correlationId: string, error: string): void {
    const size = `,${apiId},${correlationId},${error}`.length;
    if (this.#failureSize + size < LAST_HEADER_SIZE_LIMIT) {
      this.#failureSize += size;
      this.#failures.push({ apiId, correlationId, error });
    }
  }

  /** Forget everything: the service has received the report. */
  clear(): void {
    this.#succeeded = 0;
    this.#failures = [];
    this.#failureSize = 0;
  }
}

/**
 * The telemetry of one API call (one correlation id).
 *
 * Build one per call, send {@link TelemetryContext.headers} with its token request, and feed the
 * result to {@link TelemetryContext.updateTelemetry}.
 */
export class TelemetryContext {
  readonly correlationId: string;
  readonly #buffer: TelemetryBuffer;
  readonly #apiId: string;
  readonly #refreshReason: RefreshReason;

  constructor(buffer: TelemetryBuffer, apiId: string, correlationId?: string, refreshReason?: RefreshReason) {
    this.#buffer = buffer;
    this.#apiId = apiId;
    this.correlationId = correlationId || crypto.randomUUID();
    this.#refreshReason = refreshReason ?? NON_SILENT_CALL;
  }

  /** The two telemetry headers for the request about to be sent. */
  headers(): Record<string, string> {
    const failures = this.#buffer.failures;
    return {
      [CLIENT_CURRENT_TELEMETRY]: `4|${this.#apiId},${this.#refreshReason}|`,
      [CLIENT_LAST_TELEMETRY]:
        `4|${this.#buffer.succeeded}|` +
        `${failures.map((f) => `${f.apiId},${f.correlationId}`).join(',')}|` +
        `${failures.map((f) => f.error).join(',')}|`,
    };
  }

  /** Count an access token served from the cache. */
  hit(): void {
    this.#buffer.recordHit();
  }

  /**
   * Record the outcome of the token request.
   *
   * A result with `error` is appended to the failure list; any other non-empty result means the
   * service got our headers, so the buffer starts over. An empty result changes nothing.
   */
  updateTelemetry(result: Record<string, unknown> | null | undefined): void {
    if (!result || Object.keys(result).length === 0) return;
    if ('error' in result) {
      this.#buffer.recordFailure(this.#apiId, this.correlationId, String(result.error));
    } else {
      this.#buffer.clear();
    }
  }
}
