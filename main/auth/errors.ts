/**
 * Errors thrown by the auth core.
 *
 * OAuth error responses from a server are returned as values (as MSAL does); these classes are for
 * client-side problems: bad arguments, state or nonce mismatches, invalid ID tokens, transport
 * failures. Every error carries a stable string `code` for callers and IPC, and never a token.
 */

/** Stable error codes. Callers switch on these; messages are for people. */
export type AuthErrorCode =
  | 'invalid_argument'
  | 'reserved_scope'
  | 'state_missing'
  | 'state_mismatch'
  | 'scope_mismatch'
  | 'invalid_auth_response'
  | 'issuer_mismatch'
  | 'issuer_missing'
  | 'nonce_mismatch'
  | 'max_age_violation'
  | 'id_token_invalid'
  | 'id_token_expired'
  | 'id_token_audience'
  | 'id_token_issuer'
  | 'id_token_signature'
  | 'id_token_missing'
  | 'subject_mismatch'
  | 'invalid_authority'
  | 'authority_discovery_failed'
  | 'untrusted_authority'
  | 'http_error'
  | 'network_error'
  | 'timeout'
  | 'response_too_large'
  | 'malformed_response'
  | 'user_cancelled'
  | 'interaction_timeout'
  | 'broker_error'
  | 'cache_corrupt'
  | 'unsupported';

/**
 * Base class of every error the auth core throws.
 *
 * `code` is stable across releases; `cause` carries the lower-level error when there is one.
 */
export class AuthError extends Error {
  override readonly name: string = 'AuthError';
  readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A caller passed an argument the API cannot accept (wrong type, reserved scope, bad option). */
export class InvalidArgumentError extends AuthError {
  override readonly name = 'InvalidArgumentError';
  constructor(message: string, code: AuthErrorCode = 'invalid_argument', options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** An authorization response does not belong to the flow that started it (state, scope, shape). */
export class AuthResponseError extends AuthError {
  override readonly name = 'AuthResponseError';
}

/** An ID token failed verification (signature, issuer, audience, expiry, nonce, auth_time). */
export class IdTokenError extends AuthError {
  override readonly name = 'IdTokenError';
}

/** The authority URL is malformed, not trusted, or its metadata could not be discovered. */
export class AuthorityError extends AuthError {
  override readonly name = 'AuthorityError';
}

/**
 * A request did not produce a usable response: network failure, timeout, a status >= 500,
 * an HTML page or malformed JSON where JSON was expected.
 *
 * `status` is the HTTP status when there was one.
 */
export class TransportError extends AuthError {
  override readonly name = 'TransportError';
  readonly status: number | undefined;
  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status;
  }
}

/** An interactive sign-in did not complete: the user closed the window, or it timed out. */
export class InteractionError extends AuthError {
  override readonly name = 'InteractionError';
}

/** A serialized token cache could not be read. The in-memory cache is left as it was. */
export class CacheFormatError extends AuthError {
  override readonly name = 'CacheFormatError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('cache_corrupt', message, options);
  }
}
