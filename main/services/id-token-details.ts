/**
 * An account's saved ID token as Details shows it: header and claims decoded here in main, the raw
 * token only when the user asked to see it.
 */
import type { IdTokenDetails } from '../../preload/contract';
import { decodeBase64Json, decodeJwtPayload } from '../auth';
import { AppError } from '../errors';

/** Decodes `token` (no signature check: it was checked when it was received). */
export function idTokenDetails(token: string, raw: boolean): IdTokenDetails {
  let header: unknown;
  let claims: Record<string, unknown>;
  try {
    header = decodeBase64Json(token.split('.')[0] ?? '');
    claims = decodeJwtPayload(token);
  } catch {
    throw new AppError('malformed_response', 'The saved ID token of this account cannot be read. Sign in again to get a new one.');
  }
  const exp = claims['exp'];
  return {
    header: typeof header === 'object' && header !== null ? (header as Record<string, unknown>) : {},
    claims,
    ...(typeof exp === 'number' ? { expiresOn: exp } : {}),
    ...(raw ? { idToken: token } : {}),
  };
}
