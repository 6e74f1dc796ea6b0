/**
 * ID token verification with jose: signature against the issuer's JWKS, then `iss`, `aud`, `exp`,
 * `nonce` and `auth_time`.
 *
 * MSAL Python only decodes the ID token; we verify it, since a desktop app hands its claims to
 * people who trust them.
 */
import { createRemoteJWKSet, customFetch, decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { AuthError, IdTokenError } from './errors';
import type { HttpClient } from './http-types';

/** Claims of a verified ID token. */
export interface IdTokenClaims extends JWTPayload {
  readonly nonce?: string;
  readonly tid?: string;
  readonly oid?: string;
  readonly preferred_username?: string;
  readonly name?: string;
  readonly auth_time?: number;
  readonly [claim: string]: unknown;
}

/** What an ID token must satisfy. */
export interface IdTokenExpectations {
  readonly clientId: string;
  /** The discovery document's issuer; Entra's `{tenantid}` template is resolved from `tid`. */
  readonly issuer: string;
  /** Compare the `nonce` claim with this value when given (MSAL sends the SHA-256 hex of its nonce). */
  readonly nonce?: string;
  /** Seconds; requires `auth_time` and checks it (OIDC Core 3.1.2.1). */
  readonly maxAge?: number;
  /** Current time in epoch seconds. */
  readonly now: number;
  /** Allowed clock skew in seconds (MSAL uses 120). */
  readonly skewSeconds?: number;
}

const keySets = new WeakMap<HttpClient, Map<string, JWTVerifyGetKey>>();

/**
 * The signing keys of an issuer, fetched through `http` once and reused.
 *
 * The first fetch may be answered from the HTTP cache; a refetch (jose does one when a `kid` is
 * unknown, at most every 30 s) goes to `fresh` so a key rotation is noticed at once.
 */
export function signingKeys(jwksUri: string, http: HttpClient, fresh: HttpClient = http): JWTVerifyGetKey {
  let perClient = keySets.get(http);
  if (!perClient) keySets.set(http, (perClient = new Map()));
  const known = perClient.get(jwksUri);
  if (known) return known;
  let fetches = 0;
  const keys = createRemoteJWKSet(new URL(jwksUri), {
    [customFetch]: async (url: string, options: { headers?: HeadersInit }) => {
      const client = fetches++ === 0 ? http : fresh;
      const headers = Object.fromEntries(new Headers(options.headers ?? {}).entries());
      const response = await client.get(url, { headers });
      return new Response(response.text, { status: response.status, headers: { 'content-type': 'application/json' } });
    },
  });
  perClient.set(jwksUri, keys);
  return keys;
}

/**
 * Verify an ID token and return its claims.
 *
 * Throws `IdTokenError` with a specific code: `id_token_signature`, `id_token_issuer`,
 * `id_token_audience`, `id_token_expired`, `nonce_mismatch`, `max_age_violation` or `id_token_invalid`.
 */
export async function verifyIdToken(
  idToken: string,
  keys: JWTVerifyGetKey,
  expect: IdTokenExpectations,
): Promise<IdTokenClaims> {
  const skew = expect.skewSeconds ?? 120;
  let unverified: JWTPayload;
  try {
    unverified = decodeJwt(idToken);
  } catch (cause) {
    throw new IdTokenError('id_token_invalid', 'The ID token is not a well-formed JWT.', { cause });
  }
  const tid = typeof unverified['tid'] === 'string' ? unverified['tid'] : undefined;
  const issuer = resolveIssuerTemplate(expect.issuer, tid);
  let claims: IdTokenClaims;
  try {
    const verified = await jwtVerify(idToken, keys, {
      issuer,
      audience: expect.clientId,
      clockTolerance: skew,
      currentDate: new Date(expect.now * 1000),
      requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub'],
    });
    claims = verified.payload as IdTokenClaims;
  } catch (cause) {
    throw translateJoseError(cause);
  }
  // jose checks values, not every type: a provider must not hand us a non-string subject.
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw new IdTokenError('id_token_invalid', 'The ID token has no usable subject ("sub" must be a non-empty string).');
  }
  // OIDC Core §3.1.3.7 steps 4–5: several audiences need an `azp`, and an `azp` must be us.
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if ((audiences.length > 1 && claims['azp'] === undefined) || (claims['azp'] !== undefined && claims['azp'] !== expect.clientId)) {
    throw new IdTokenError('id_token_audience', 'The ID token was issued to another application as well, and does not name this app as its authorized party (azp).');
  }
  if (expect.nonce !== undefined && claims.nonce !== expect.nonce) {
    throw new IdTokenError('nonce_mismatch', 'The ID token nonce does not match the one this sign-in sent. Start the sign-in again.');
  }
  if (expect.maxAge !== undefined) {
    if (typeof claims.auth_time !== 'number') {
      throw new IdTokenError('max_age_violation', 'max_age was requested, but the ID token has no auth_time.');
    }
    if (expect.now - skew > claims.auth_time + expect.maxAge) {
      throw new IdTokenError('max_age_violation', `The user signed in longer ago than max_age (${expect.maxAge} s) allows. Sign in again.`);
    }
  }
  return claims;
}

/** Entra's multi-tenant discovery documents use `{tenantid}` in the issuer; the token's `tid` fills it. */
export function resolveIssuerTemplate(issuer: string, tid: string | undefined): string {
  return tid && issuer.includes('{tenantid}') ? issuer.replace('{tenantid}', tid) : issuer;
}

function translateJoseError(cause: unknown): AuthError {
  // Fetching the keys failed (timeout, reset, body limit): say so, rather than blaming the token.
  if (cause instanceof AuthError) return cause;
  if (cause instanceof joseErrors.JWTExpired) {
    return new IdTokenError('id_token_expired', 'The ID token has expired. Check the system clock, then sign in again.', { cause });
  }
  if (cause instanceof joseErrors.JWTClaimValidationFailed) {
    if (cause.claim === 'iss') return new IdTokenError('id_token_issuer', 'The ID token was issued by an unexpected issuer.', { cause });
    if (cause.claim === 'aud') return new IdTokenError('id_token_audience', 'The ID token was issued for another application.', { cause });
    return new IdTokenError('id_token_invalid', `The ID token claim "${cause.claim}" is invalid (${cause.reason}).`, { cause });
  }
  if (
    cause instanceof joseErrors.JWSSignatureVerificationFailed ||
    cause instanceof joseErrors.JWKSNoMatchingKey ||
    cause instanceof joseErrors.JWKSMultipleMatchingKeys
  ) {
    return new IdTokenError('id_token_signature', 'The ID token signature does not verify against the issuer\'s keys.', { cause });
  }
  if (cause instanceof joseErrors.JOSEError) {
    return new IdTokenError('id_token_invalid', `The ID token could not be verified (${cause.code}).`, { cause });
  }
  return new IdTokenError('id_token_invalid', 'The ID token could not be verified.', { cause });
}
