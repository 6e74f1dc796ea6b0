/**
 * A provider's OAuth error answer (RFC 6749 §5.2, OpenID Connect Core §3.1.2.6) as an {@link AppError}
 * carrying its fields, and the plain-words message for it.
 */
import { OAUTH_ERROR_CODES, type ErrorCode, type ErrorInfo, type ProviderErrorInfo } from '../../preload/contract';
import type { TokenError } from '../auth';
import { AppError, isErrorCode } from './app-error';
import { redact } from './redact';
import { secrets } from './secret-registry';

// Errors that mean the refresh token can no longer be used without the user: sign in again.
const REAUTH_ERRORS: ReadonlySet<string> = new Set(['invalid_grant', 'interaction_required', 'consent_required', 'login_required', 'account_selection_required']);

/** True when an OAuth error value means the user must sign in again (dead RT, consent, claims challenge). */
export function needsInteraction(error: TokenError): boolean {
  return REAUTH_ERRORS.has(error.error) || (typeof error.claims === 'string' && error.claims !== '');
}

// Short explanations of the Entra errors people meet most; the number itself is always kept.
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
  7000215: 'the client secret is wrong; enter its value (not its id) in the profile',
  7000218: 'the app is not a public client; enable "Allow public client flows" in its registration',
  7000222: 'the client secret has expired; create a new one and enter it in the profile',
};

/** OAuth `error` codes explained in plain words (RFC 6749 §5.2, OpenID Connect Core §3.1.2.6). */
const OAUTH_TEXT: Readonly<Record<string, string>> = {
  invalid_grant: 'The saved sign-in is no longer valid. Sign in again.',
  interaction_required: 'The provider needs you to sign in again.',
  login_required: 'The provider needs you to sign in again.',
  consent_required: 'The app needs your consent for these permissions. Sign in again to consent.',
  access_denied: 'The sign-in was refused or cancelled at the provider.',
  // Most often the sign-in did not cover these scopes (a refresh token is limited to its grant,
  // RFC 6749 §6), so the fix is a sign-in for them, not the profile (issue 9).
  invalid_scope: 'The provider did not grant these scopes to this sign-in. Sign in for these scopes, or check how the provider spells them.',
  invalid_client: 'The provider does not know this client id, or it is not a public client. Check the profile.',
  unauthorized_client: 'This app registration may not use this sign-in method. Check its registration at the provider.',
  invalid_request: 'The provider rejected the request. Check the profile (client id, redirect URI, scopes).',
  server_error: 'The provider had an internal error. Try again later.',
  temporarily_unavailable: 'The provider is temporarily unavailable. Try again later.',
};

/** The AADSTS number of an Entra error: `error_codes[0]`, else the `AADSTSnnnn:` prefix of the description. */
function aadstsOf(error: TokenError, firstLine: string): number | undefined {
  const fromText = /^AADSTS(\d+)/.exec(firstLine)?.[1];
  if (fromText !== undefined) return Number(fromText);
  const first = error.error_codes?.[0];
  return typeof first === 'number' && Number.isSafeInteger(first) ? first : undefined;
}

function firstLineOf(error: TokenError): string {
  const description = typeof error.error_description === 'string' ? error.error_description : '';
  return description.split(/\r?\n/)[0]?.trim() ?? '';
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * A user-facing message for an OAuth error value.
 *
 * Entra's `AADSTSnnnn: …` descriptions keep their number with a plain explanation
 * (e.g. "AADSTS50126: invalid username or password."); trace and correlation lines are dropped.
 * Redacted: it quotes server text.
 */
export function describeOAuthError(error: TokenError): string {
  const firstLine = firstLineOf(error);
  const aadsts = aadstsOf(error, firstLine);
  let text: string;
  if (aadsts !== undefined) {
    const known = AADSTS_TEXT[aadsts];
    const rest = firstLine.replace(/^AADSTS\d+:\s*/, '');
    text = known ? `AADSTS${aadsts}: ${known}.` : `AADSTS${aadsts}: ${rest || OAUTH_TEXT[error.error] || error.error}`;
  } else {
    const plain = OAUTH_TEXT[error.error];
    if (plain && firstLine) text = `${plain} (${error.error}: ${truncate(firstLine)})`;
    else if (plain) text = plain;
    else text = firstLine ? `${error.error}: ${truncate(firstLine)}` : `The provider answered "${error.error}".`;
  }
  return redact(text);
}

/** Whether the answer came from a silent refresh (a dead grant means "sign in again") or an interactive sign-in. */
export type OAuthErrorContext = 'silent' | 'interactive';

/**
 * The provider refused with an OAuth error.
 *
 * `code` is `needs_sign_in` when only the user can fix it (silent calls), the OAuth `error` when
 * the contract knows it, else `provider_error`; the provider's fields stay available as fields.
 */
export class OAuthServerError extends AppError {
  override readonly name = 'OAuthServerError';
  /** The OAuth `error` value (redacted, at most 64 characters). */
  readonly error: string;
  readonly suberror: string | undefined;
  /** Entra's AADSTS number. */
  readonly aadsts: number | undefined;
  /** Our plain explanation of {@link aadsts}, or the provider's first line of text. */
  readonly aadstsText: string | undefined;
  /** A claims challenge to pass to the next interactive sign-in (Conditional Access, CAE). */
  readonly claims: string | undefined;

  constructor(answer: TokenError, context: OAuthErrorContext) {
    super(codeFor(answer, context), describeOAuthError(answer));
    this.error = redact(String(answer.error)).slice(0, 64);
    this.suberror = typeof answer.suberror === 'string' && answer.suberror !== '' ? redact(answer.suberror).slice(0, 64) : undefined;
    const firstLine = firstLineOf(answer);
    this.aadsts = aadstsOf(answer, firstLine);
    this.aadstsText =
      this.aadsts === undefined ? undefined : (AADSTS_TEXT[this.aadsts] ?? (redact(truncate(firstLine.replace(/^AADSTS\d+:\s*/, ''))) || undefined));
    this.claims = claimsChallengeOf(answer.claims);
  }

  override toInfo(): ErrorInfo {
    const provider: ProviderErrorInfo = {
      error: this.error,
      ...(this.suberror ? { suberror: this.suberror } : {}),
      ...(this.aadsts !== undefined ? { aadsts: this.aadsts } : {}),
      ...(this.aadstsText ? { aadstsText: this.aadstsText } : {}),
    };
    return { code: this.code, message: this.message, provider };
  }
}

/**
 * A claims challenge the app may keep and send back (OIDC Core §5.5: a JSON object), or `undefined`.
 *
 * It is passed back verbatim, so it cannot be redacted; one that quotes a secret the app holds is
 * hostile (or broken) and is dropped whole — it was stored in the settings file in plain text
 * before (found by the "secrets canary" hardening row).
 */
function claimsChallengeOf(claims: unknown): string | undefined {
  if (typeof claims !== 'string' || claims === '') return undefined;
  if (secrets.removeFrom(claims, '') !== claims) return undefined;
  try {
    const parsed: unknown = JSON.parse(claims);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? claims : undefined;
  } catch {
    return undefined;
  }
}

function codeFor(answer: TokenError, context: OAuthErrorContext): ErrorCode {
  if (context === 'silent' && needsInteraction(answer)) return 'needs_sign_in';
  return isErrorCode(answer.error) && OAUTH_CODES.has(answer.error) ? answer.error : 'provider_error';
}

// The OAuth `error` values the contract names; anything else a provider sends is `provider_error`.
const OAUTH_CODES: ReadonlySet<string> = new Set(OAUTH_ERROR_CODES);
