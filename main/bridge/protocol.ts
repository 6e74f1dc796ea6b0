/**
 * The wire protocol of the local token channel: request and answer shapes, their valibot schemas,
 * and the channel's limits.
 *
 * One request or answer is one line of JSON (newline-delimited, UTF-8). A client sends
 * `{ v, id, method, params, caller }`; the app answers `{ id, ok: true, value }` or
 * `{ id, ok: false, error: { code, message } }` — the same typed errors as the app's IPC — and
 * may send `{ id, notice }` lines before the answer while it waits for the user.
 *
 * The schemas live in this one file until the app's boundary schema module exists; then they move
 * there, next to the IPC schemas.
 */
import * as v from 'valibot';

/** Version of the line protocol; a request with another version is refused. */
export const PROTOCOL_VERSION = 1;

/** Limits of the channel. */
export interface ChannelLimits {
  /** One request line, in bytes (the newline not counted). */
  readonly maxRequestBytes: number;
  /** Time a client has to finish sending a request line, from connecting or from its last answer. */
  readonly readDeadlineMs: number;
  /** Concurrent connections; more are answered with `busy` and closed. */
  readonly maxConnections: number;
  /** Requests waiting on one connection (pipelining); more are refused. */
  readonly maxPendingPerConnection: number;
}

/** The channel's limits, shared by the server, the command and the tests. */
export const CHANNEL_LIMITS: ChannelLimits = Object.freeze({
  maxRequestBytes: 64 * 1024,
  readDeadlineMs: 5_000,
  maxConnections: 64,
  maxPendingPerConnection: 4,
});

const ACCOUNT_LENGTH = 320;
const SCOPE_LENGTH = 512;
const SCOPE_COUNT = 50;
const URL_LENGTH = 2048;
// RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`.
const SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
// Control characters never belong in what a caller reports about itself (they could rewrite the prompt).
// eslint-disable-next-line no-control-regex
const NO_CONTROL = /^[^\u0000-\u001F\u007F-\u009F]*$/;

const text = (max: number) => v.pipe(v.string(), v.maxLength(max), v.regex(NO_CONTROL));
const processId = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31));

/** Which integration a hand-out went through (part 2 adds kubectl, git and azure-identity). */
export const INTEGRATIONS = ['cli', 'exec'] as const;
/** An integration's name. */
export type Integration = (typeof INTEGRATIONS)[number];

/**
 * What a caller says about itself. Reported by the caller: a process of the same user can lie,
 * so the app shows it as such and never treats it as proof.
 */
export const CallerSchema = v.strictObject({
  /** The program that ran the command (e.g. `bash`, `make`, `python3`), or the name given with `--program`. */
  program: v.pipe(text(128), v.minLength(1)),
  /** Its command line, shortened. */
  command: v.optional(text(512)),
  pid: v.optional(processId),
  /** The program's own parent (e.g. `sshd`, `tmux`, `code`). */
  parentProgram: v.optional(text(128)),
  /** The controlling terminal (`/dev/pts/3`); absent for CI jobs, editors and services. */
  tty: v.optional(text(128)),
  /** The terminal session (the session leader's process id); with `tty` it names one terminal session. */
  terminalSession: v.optional(text(64)),
  cwd: v.optional(text(1024)),
  integration: v.picklist(INTEGRATIONS),
});
/** What a caller reports about itself. */
export type CallerInfo = v.InferOutput<typeof CallerSchema>;

/** `token` parameters. */
export const TokenParamsSchema = v.strictObject({
  /** A username, an account id or `profile:username`; absent means the default account. */
  account: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(ACCOUNT_LENGTH), v.regex(NO_CONTROL))),
  scopes: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(SCOPE_LENGTH), v.regex(SCOPE_PATTERN))), v.maxLength(SCOPE_COUNT))),
  /** A resource URI; asks for `<resource>/.default`. */
  resource: v.optional(v.pipe(v.string(), v.maxLength(URL_LENGTH), v.url())),
  /** Refresh when the cached token expires sooner than this (oidc-token's `--time`). */
  minValidSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(86_400))),
  forceRefresh: v.optional(v.boolean()),
  withIdToken: v.optional(v.boolean()),
  /** Start the sign-in in the app when the account needs one, and wait for it. */
  interactive: v.optional(v.boolean()),
});
/** `token` parameters. */
export type TokenParams = v.InferOutput<typeof TokenParamsSchema>;

const EmptyParams = v.optional(v.strictObject({}), {});

/** One request line. */
export const RequestSchema = v.variant('method', [
  v.strictObject({ v: v.literal(PROTOCOL_VERSION), id: v.pipe(v.number(), v.integer(), v.minValue(0)), method: v.literal('status'), params: EmptyParams, caller: CallerSchema }),
  v.strictObject({ v: v.literal(PROTOCOL_VERSION), id: v.pipe(v.number(), v.integer(), v.minValue(0)), method: v.literal('accounts'), params: EmptyParams, caller: CallerSchema }),
  v.strictObject({ v: v.literal(PROTOCOL_VERSION), id: v.pipe(v.number(), v.integer(), v.minValue(0)), method: v.literal('token'), params: TokenParamsSchema, caller: CallerSchema }),
]);
/** One request line, validated. */
export type BridgeRequest = v.InferOutput<typeof RequestSchema>;
/** A request's method. */
export type BridgeMethod = BridgeRequest['method'];

/** An error as it crosses the channel (the app's `ErrorInfo`). */
export interface WireError {
  readonly code: string;
  readonly message: string;
}

/** `status` answer. */
export interface StatusValue {
  readonly app: 'Tessera';
  readonly version: string;
  readonly mode: 'electron' | 'browser';
  readonly pid: number;
  /** The socket (or pipe) path. */
  readonly endpoint: string;
  readonly storage: { readonly mode: 'encrypted' | 'memory-only'; readonly backend: string; readonly reason?: string };
  /** Where a person approves requests, and whether that UI is open now. */
  readonly approvals: { readonly uiOpen: boolean; readonly where: string };
  readonly accounts: number;
  readonly defaultAccount?: string;
}

/** One account in the `accounts` answer. No secrets. */
export interface AccountSummary {
  readonly id: string;
  readonly username: string;
  readonly profileId: string;
  readonly profileName: string;
  /** `valid`, `expired`, `refreshing`, `needs-sign-in`, `unknown`. */
  readonly status: string;
  /** Epoch seconds of the default-scope token, when valid. */
  readonly expiresOn?: number;
  readonly isDefault: boolean;
}

/** `token` answer: an access token (and an ID token when asked). Never a refresh token. */
export interface TokenValue {
  readonly accessToken: string;
  readonly tokenType: string;
  /** Epoch seconds. */
  readonly expiresOn: number;
  readonly scopes: readonly string[];
  readonly account: { readonly id: string; readonly username: string; readonly profileName: string };
  readonly idToken?: string;
}

/** Sent before the answer while the app waits for a person. */
export interface Notice {
  readonly kind: 'waiting-for-approval' | 'waiting-for-sign-in';
  /** One line for the terminal: where to approve or sign in. */
  readonly message: string;
}

/** One answer line. */
export type BridgeAnswer =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError }
  | { readonly id: number; readonly notice: Notice };

/**
 * The error codes of the channel, besides those the app already uses (`not_found`,
 * `needs_sign_in`, `invalid_argument`, …).
 */
export const BRIDGE_ERROR_CODES = [
  'invalid_request',
  'request_too_large',
  'request_timeout',
  'busy',
  'consent_denied',
  'no_standing_rule',
  'consent_timeout',
  'account_ambiguous',
  'no_default_account',
] as const;
/** A channel error code. */
export type BridgeErrorCode = (typeof BRIDGE_ERROR_CODES)[number];

/**
 * Parses and validates one request line; throws {@link ProtocolError} with a message that names the
 * rule, never the value.
 */
export function parseRequest(line: string): BridgeRequest {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new ProtocolError('invalid_request', 'The request is not valid JSON. Update the tessera command to the app’s version.');
  }
  const parsed = v.safeParse(RequestSchema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue ? v.getDotPath(issue) : null;
    throw new ProtocolError('invalid_request', `The request is not valid${path ? ` (${path.slice(0, 80)})` : ''}. Update the tessera command to the app’s version.`, idOf(json));
  }
  return parsed.output;
}

/** A request the channel refuses before any service sees it. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: BridgeErrorCode;
  /** The request's id when it could be read, so the answer can name it. */
  readonly requestId: number;

  constructor(code: BridgeErrorCode, message: string, requestId = 0) {
    super(message);
    this.code = code;
    this.requestId = requestId;
  }
}

function idOf(json: unknown): number {
  const id = typeof json === 'object' && json !== null ? (json as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : 0;
}
