/**
 * Decodes an access token for display, without verifying it (main already trusts its source).
 */
import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';

/** A decoded token, or why it could not be decoded. */
export type DecodedToken =
  | {
      readonly kind: 'jwt';
      readonly header: ProtectedHeaderParameters;
      readonly claims: JWTPayload;
      readonly audience: readonly string[];
      /** From `scp` (Entra, space-separated) or `scope` (RFC 9068). */
      readonly scopes: readonly string[];
      /** Epoch seconds. */
      readonly issuedAt?: number;
      readonly expiresAt?: number;
    }
  | { readonly kind: 'opaque'; readonly reason: string };

function scopesOf(claims: JWTPayload): readonly string[] {
  const raw = claims.scp ?? claims.scope;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((value): value is string => typeof value === 'string');
  return [];
}

/**
 * What a person pasted, as a bare token: whitespace and an `Authorization:` / `Bearer` prefix
 * (a copied header line) are dropped.
 */
export function tokenFromPaste(text: string): string {
  return text
    .trim()
    .replace(/^authorization\s*:\s*/i, '')
    .replace(/^bearer\s+/i, '')
    .replace(/\s+/g, '');
}

/** Decodes a JWS access token; anything else (opaque, encrypted JWE, garbage) is `opaque`. */
export function decodeToken(token: string): DecodedToken {
  const parts = token.split('.');
  if (parts.length === 5) return { kind: 'opaque', reason: 'This token is encrypted (JWE): only its audience can read it.' };
  if (parts.length !== 3) return { kind: 'opaque', reason: 'This token is opaque (not a JWT): only the provider can read it, for example through introspection.' };
  try {
    const header = decodeProtectedHeader(token);
    const claims = decodeJwt(token);
    const audience = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    return {
      kind: 'jwt',
      header,
      claims,
      audience,
      scopes: scopesOf(claims),
      ...(typeof claims.iat === 'number' ? { issuedAt: claims.iat } : {}),
      ...(typeof claims.exp === 'number' ? { expiresAt: claims.exp } : {}),
    };
  } catch {
    return { kind: 'opaque', reason: 'This token looks like a JWT but could not be decoded; treat it as opaque.' };
  }
}
