/**
 * The one boundary that turns auth-core errors, OAuth error values and persistence failures into
 * `{ code, message }` the user can act on.
 *
 * Messages never carry a token: OAuth error values are built without secret fields by the auth core,
 * and every message is passed through {@link redactSecrets} on the way out anyway.
 */
import type { ErrorInfo } from '../../preload/contract';
import { AuthError } from '../auth/errors';
import type { TokenError } from '../auth/types';
import { redactSecrets as redactForBoundary } from '../ipc/error-info';
import { PersistenceError } from '../persistence/errors';

/** Codes the services add to those of `AuthErrorCode`, `PersistenceErrorCode` and OAuth's `error`. */
export type AppErrorCode =
  | 'not_found'
  | 'invalid_argument'
  | 'invalid_profile'
  | 'profile_in_use'
  | 'builtin_profile'
  | 'needs_sign_in'
  | 'embedded_unavailable'
  | 'sign_in_failed'
  | 'disposed'
  | 'internal_error'
  | (string & {});

/**
 * An error of the app services: a stable `code` and a message that says what to do next.
 *
 * Thrown by every `ApiMethods` operation; the IPC layer sends `{ code, message }` to the renderer.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: AppErrorCode;

  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown }) {
    super(redactSecrets(message), options);
    this.code = code;
  }

  /** The error as it crosses the IPC boundary. */
  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

// Errors that mean the refresh token can no longer be used without the user: sign in again.
const REAUTH_ERRORS: ReadonlySet<string> = new Set([
  'invalid_grant',
  'interaction_required',
  'consent_required',
  'login_required',
  'account_selection_required',
]);

/** True when an OAuth error value means the user must sign in again (dead RT, consent, claims challenge). */
export function needsInteraction(error: TokenError): boolean {
  return REAUTH_ERRORS.has(error.error) || (typeof error.claims === 'string' && error.claims !== '');
}

// Short explanations of the Entra errors people meet most; the code itself is always kept.
const AADSTS_TEXT: Readonly<Record<number, string>> = {
  16000: 'the account is not signed in to this tenant or several accounts match; pick an account',
  50011: 'the redirect URI does not match one registered for the app',
  50020: 'the account does not exist in this tenant; ask an admin to invite it or use another tenant',
  50034: 'the account does not exist in this directory',
  50053: 'the account is locked after too many sign-in attempts',
  50055: 'the password has expired; change it and sign in again',
  50057: 'the account is disabled',
  50058: 'no one is signed in; sign in interactively',
  50076: 'multi-factor authentication is required; sign in again',
  50079: 'multi-factor authentication registration is required; sign in again',
  50126: 'invalid username or password',
  50173: 'the sign-in expired because the password changed; sign in again',
  53003: 'access was blocked by a Conditional Access policy; try the system browser or ask your admin',
  65001: 'the app needs consent for these permissions; sign in again to consent, or ask an admin',
  65004: 'consent was declined',
  70000: 'the grant is invalid or has been revoked; sign in again',
  70008: 'the sign-in has expired; sign in again',
  90002: 'the tenant was not found; check the tenant name or id',
  700016: 'the app (client id) was not found in this tenant; check the client id and tenant',
  700082: 'the sign-in expired after a long inactivity; sign in again',
  7000218: 'the app is not a public client; enable "Allow public client flows" in its registration',
};

/** OAuth `error` codes explained in plain words (RFC 6749 §5.2, OpenID Connect Core §3.1.2.6). */
const OAUTH_TEXT: Readonly<Record<string, string>> = {
  invalid_grant: 'The saved sign-in is no longer valid. Sign in again.',
  interaction_required: 'The provider needs you to sign in again.',
  login_required: 'The provider needs you to sign in again.',
  consent_required: 'The app needs your consent for these permissions. Sign in again to consent.',
  access_denied: 'The sign-in was refused or cancelled at the provider.',
  invalid_scope: 'The provider does not accept these scopes. Check the scopes of the profile.',
  invalid_client: 'The provider does not know this client id, or it is not a public client. Check the profile.',
  unauthorized_client: 'This app registration may not use this sign-in method. Check its registration at the provider.',
  invalid_request: 'The provider rejected the request. Check the profile (client id, redirect URI, scopes).',
  server_error: 'The provider had an internal error. Try again later.',
  temporarily_unavailable: 'The provider is temporarily unavailable. Try again later.',
};

/**
 * A user-facing message for an OAuth error value.
 *
 * Entra's `AADSTSnnnn: …` descriptions keep their code and get a plain explanation
 * (e.g. "AADSTS50126: invalid username or password"); trace and correlation lines are dropped.
 * Redacted, because callers also store it as a needs-sign-in reason without an {@link AppError}.
 */
export function describeOAuthError(error: TokenError): string {
  return redactSecrets(describeOAuthErrorText(error));
}

function describeOAuthErrorText(error: TokenError): string {
  const description = typeof error.error_description === 'string' ? error.error_description : '';
  const firstLine = description.split(/\r?\n/)[0]?.trim() ?? '';
  const aadsts = /^AADSTS(\d+)/.exec(firstLine) ?? (error.error_codes?.[0] !== undefined ? [`AADSTS${error.error_codes[0]}`, String(error.error_codes[0])] : null);
  if (aadsts) {
    const code = Number(aadsts[1]);
    const known = AADSTS_TEXT[code];
    if (known) return `AADSTS${code}: ${known}.`;
    const rest = firstLine.replace(/^AADSTS\d+:\s*/, '');
    return `AADSTS${code}: ${rest || OAUTH_TEXT[error.error] || error.error}`;
  }
  const plain = OAUTH_TEXT[error.error];
  if (plain && firstLine) return `${plain} (${error.error}: ${truncate(firstLine)})`;
  if (plain) return plain;
  return firstLine ? `${error.error}: ${truncate(firstLine)}` : `The provider answered "${error.error}".`;
}

/** An {@link AppError} for an OAuth error value; `needs_sign_in` when only the user can fix it. */
export function fromTokenError(error: TokenError): AppError {
  const message = describeOAuthError(error);
  return new AppError(needsInteraction(error) ? 'needs_sign_in' : error.error || 'sign_in_failed', message);
}

/**
 * Any thrown value as an {@link AppError}: auth-core and persistence errors keep their codes.
 *
 * Unknown errors become `internal_error` with their message (redacted), never a stack.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof AuthError) return new AppError(error.code, friendlyAuthMessage(error), { cause: error });
  if (error instanceof PersistenceError) return new AppError(error.code, error.message, { cause: error });
  if (error instanceof Error) return new AppError('internal_error', `Something went wrong: ${error.message}`, { cause: error });
  return new AppError('internal_error', 'Something went wrong.');
}

/** `{ code, message }` of any thrown value, ready for IPC. */
export function toErrorInfo(error: unknown): ErrorInfo {
  return toAppError(error).toInfo();
}

function friendlyAuthMessage(error: AuthError): string {
  switch (error.code) {
    case 'user_cancelled':
      return 'Sign-in was cancelled.';
    case 'interaction_timeout':
      return 'Sign-in took too long and was stopped. Try again.';
    case 'network_error':
    case 'timeout':
      return `The provider could not be reached: ${error.message} Check your network connection and try again.`;
    default:
      return error.message;
  }
}

/**
 * Removes anything token-shaped from text: JWTs and long opaque credential strings.
 *
 * A backstop for messages built from server text; the services never put tokens in messages.
 * These messages also reach `AccountView.lastError` (events, the account list) and the settings
 * file, which never pass the IPC boundary's redaction, so that redaction is applied here too: it
 * also catches tokens behind a prefix (Google's `ya29.…`, `1//…`, `4/…`), `name=value` pairs and
 * bearer values, which the 48-character rule below lets through.
 */
export function redactSecrets(text: string): string {
  return redactForBoundary(
    text
      .replace(/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[redacted]')
      .replace(/(?<![A-Za-z0-9/:.=_-])[A-Za-z0-9_~+-]{48,}={0,2}(?![A-Za-z0-9/.])/g, '[redacted]'),
  );
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
