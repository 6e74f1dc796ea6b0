/**
 * What an authorization response and a token answer must satisfy before anything is redeemed or
 * cached. The rules and their sources are in docs/auth-protocol.md.
 */
import type { Authority } from './authority';
import type { RefreshTokenEntry } from './cache-types';
import { decodeJwtPayload, homeAccountIdFromClientInfo } from './encoding';
import { AuthResponseError, IdTokenError, TransportError } from './errors';
import type { IdTokenClaims } from './id-token';
import { TOKEN_FIELDS } from './oauth-error';
import type { TokenCache } from './token-cache';

/** Parse an int-like JSON value (MSAL stores timestamps as strings). */
export function toInt(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/**
 * RFC 9207 §2.4: the authorization response's `iss` must be the issuer when present, and must be
 * present when the discovery document says the server sends it. Compared as strings; an Entra
 * issuer template (`{tenantid}`) matches any one path segment in its place.
 *
 * @throws AuthResponseError `issuer_mismatch` or `issuer_missing`
 */
export function checkIssuerParameter(authority: Authority, iss: string | undefined): void {
  if (iss === undefined) {
    if (authority.metadata['authorization_response_iss_parameter_supported'] === true) {
      throw new AuthResponseError('issuer_missing', 'The sign-in response did not say which provider sent it, although this provider always does. Start the sign-in again; if it happens again, the response may have been forged.');
    }
    return;
  }
  const expected = authority.issuer;
  const matches = expected.includes('{tenantid}')
    ? new RegExp(`^${expected.split('{tenantid}').map(escapeRegExp).join('[^/]+')}$`).test(iss)
    : iss === expected;
  if (!matches) {
    throw new AuthResponseError('issuer_mismatch', 'The sign-in response came from a different provider than the one this sign-in started with (RFC 9207 issuer mismatch). Nothing was redeemed; start the sign-in again.');
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A token endpoint's JSON that is not an OAuth error must be a token answer: a 2xx status
 * (RFC 6749 §5.1: a failure status is never a token, whatever its body holds), a non-empty
 * `access_token`, a numeric `expires_in`, and tokens that are strings.
 *
 * @throws TransportError `http_error` or `malformed_response`
 */
export function checkTokenAnswer(json: Readonly<Record<string, unknown>>, status: number): void {
  if (json['error'] !== undefined && json['error'] !== null && json['error'] !== '') {
    throw new TransportError('malformed_response', 'The token endpoint answered with an "error" that is not a string. The answer was not used.', { status });
  }
  if (status < 200 || status >= 300) {
    throw new TransportError('http_error', `The token endpoint answered HTTP ${status} without an OAuth error. The answer was not used; try again later.`, { status });
  }
  if (typeof json['access_token'] !== 'string' || json['access_token'] === '') {
    throw new TransportError('malformed_response', `The token endpoint answered HTTP ${status} without an access_token.`, { status });
  }
  if (json['expires_in'] !== undefined && toInt(json['expires_in']) === undefined) {
    throw new TransportError('malformed_response', 'The token endpoint answered with a non-numeric expires_in.', { status });
  }
  for (const field of TOKEN_FIELDS) {
    if (json[field] !== undefined && typeof json[field] !== 'string') {
      throw new TransportError('malformed_response', `The token endpoint answered with a ${field} that is not a string.`, { status });
    }
  }
}

/** What {@link assertSameSubject} compares. */
export interface RefreshAnswer {
  readonly cache: TokenCache;
  readonly clientId: string;
  readonly authority: Authority;
  /** The refresh token that was redeemed. */
  readonly usedRefreshToken: RefreshTokenEntry;
  /** The token answer's JSON. */
  readonly answer: Readonly<Record<string, unknown>>;
  /** Its verified ID token claims, when it had an ID token. */
  readonly claims: IdTokenClaims | undefined;
}

/**
 * A refresh must answer for the account whose refresh token was used (OIDC Core §12.2: the new
 * ID token's `iss` and `sub` equal the original's). Checked before anything is cached.
 *
 * @throws IdTokenError `subject_mismatch`
 */
export function assertSameSubject({ cache, clientId, authority, usedRefreshToken: rt, answer, claims }: RefreshAnswer): void {
  const refused = (): IdTokenError =>
    new IdTokenError('subject_mismatch', 'The provider answered a token refresh for a different user than the account being refreshed. Nothing was changed; sign in to the account again.');
  const homeAccountId = typeof rt.home_account_id === 'string' ? rt.home_account_id : undefined;
  const fromClientInfo = homeAccountIdFromClientInfo(answer['client_info']);
  if (homeAccountId && fromClientInfo !== undefined && fromClientInfo !== homeAccountId) throw refused();
  if (!claims) return;
  const previous = cache.search('IdToken', {
    query: { home_account_id: rt.home_account_id, environment: authority.instance, realm: authority.tenant, client_id: clientId },
  })[0];
  if (previous) {
    const before = decodeJwtPayload(previous.secret);
    if (typeof before['sub'] === 'string' && before['sub'] !== claims.sub) throw refused();
    if (typeof before['iss'] === 'string' && before['iss'] !== claims.iss) throw refused();
  } else if (authority.isOidc && homeAccountId && fromClientInfo === undefined && claims.sub !== homeAccountId) {
    // A generic OIDC account is filed under its `sub`.
    throw refused();
  }
}
