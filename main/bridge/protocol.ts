/**
 * The wire protocol of the local token channel: request and answer shapes, their valibot schemas,
 * and the channel's limits.
 *
 * One request or answer is one line of JSON (newline-delimited, UTF-8). A client sends
 * `{ v, id, method, params, caller }`; the app answers `{ id, ok: true, value }` or
 * `{ id, ok: false, error: { code, message } }` — the same typed errors as the app's IPC — and
 * may send `{ id, notice }` lines before the answer while it waits for the user.
 *
 * The request schemas live in the app's one boundary schema module (`main/boundary/schema.ts`),
 * next to the IPC and HTTP ones; this file names them for the channel.
 */
import * as v from 'valibot';
import { BRIDGE_INTEGRATIONS, type BridgeIntegration, type ErrorCode } from '../../preload/contract';
import { AppError } from '../errors';
import {
  BRIDGE_PROTOCOL_VERSION,
  bridgeCallerSchema,
  bridgeRequestSchema,
  bridgeTokenParamsSchema,
  type BridgeCallerInfo,
  type BridgeTokenParams,
} from '../boundary/schema';

/** Version of the line protocol; a request with another version is refused. */
export const PROTOCOL_VERSION = BRIDGE_PROTOCOL_VERSION;

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

/** Which integration a hand-out went through (part 2 adds kubectl, git and azure-identity). */
export const INTEGRATIONS = BRIDGE_INTEGRATIONS;
/** An integration's name. */
export type Integration = BridgeIntegration;
/** What a caller reports about itself (reported by the caller: a same-user process can lie). */
export const CallerSchema = bridgeCallerSchema;
export type CallerInfo = BridgeCallerInfo;
/** `token` parameters. */
export const TokenParamsSchema = bridgeTokenParamsSchema;
export type TokenParams = BridgeTokenParams;
/** One request line. */
export const RequestSchema = bridgeRequestSchema;

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
  /** `tenant`: an Entra account's tenant id (kubectl's `--tenant-id` and `--format az` use it). */
  readonly account: { readonly id: string; readonly username: string; readonly profileName: string; readonly tenant?: string };
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

/** A channel error code: one of the app's codes (the channel's own are listed in the contract's `ERROR_CODES`). */
export type BridgeErrorCode = ErrorCode;

/**
 * Parses and validates one request line; throws {@link ProtocolError} with a message that names the
 * rule, never the value.
 */
export function parseRequest(line: string): BridgeRequest {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new ProtocolError('malformed_request', 'The request is not valid JSON. Update the tessera command to the app’s version.');
  }
  const parsed = v.safeParse(RequestSchema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue ? v.getDotPath(issue) : null;
    throw new ProtocolError('malformed_request', `The request is not valid${path ? ` (${path.slice(0, 80)})` : ''}. Update the tessera command to the app’s version.`, idOf(json));
  }
  return parsed.output;
}

/** A request the channel refuses before any service sees it. */
export class ProtocolError extends AppError {
  override readonly name: string = 'ProtocolError';
  /** The request's id when it could be read, so the answer can name it. */
  readonly requestId: number;

  constructor(code: BridgeErrorCode, message: string, requestId = 0) {
    super(code, message);
    this.requestId = requestId;
  }
}

function idOf(json: unknown): number {
  const id = typeof json === 'object' && json !== null ? (json as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : 0;
}
