/**
 * The one redactor: every message that is stored, logged, sent as an event or returned passes here.
 *
 * First by value (every secret the app holds, see `secret-registry.ts`), then by shape as a second
 * net for values the app never saw (a token of another client quoted by a provider).
 */
import { REDACTED } from '../auth';
import { secrets } from './secret-registry';

export { REDACTED };

/** Messages are capped: a provider's error text is no place for a page of HTML. */
export const MAX_MESSAGE_LENGTH = 500;

/** `name=value` / `"name": "value"` pairs whose value is a secret by name. */
const SECRET_PAIRS =
  /\b(access_token|refresh_token|id_token|code|client_secret|password|assertion|client_assertion|code_verifier)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi;
/** `Authorization: Bearer …` and friends. */
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
/** A JWT (header starts with `{"` → `eyJ`). */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** Long opaque strings (refresh tokens, codes, secrets), also behind a prefix such as Google's `ya29.`. */
const OPAQUE = /[A-Za-z0-9_~+=-]{32,}/g;
/** Tenant and object ids are GUIDs: kept, because they help the user and are not secrets. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `text` without any secret the app holds and without anything shaped like a token, capped at
 * {@link MAX_MESSAGE_LENGTH} characters.
 *
 * GUIDs survive the shape rules (tenant ids help), but not the value rule: a GUID the app holds as a
 * refresh token is removed.
 */
export function redact(text: string): string {
  const byValue = secrets.removeFrom(text, REDACTED);
  const byShape = byValue
    .replace(JWT, REDACTED)
    .replace(BEARER, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(SECRET_PAIRS, (_match, name: string, separator: string) => `${name}${separator}${REDACTED}`)
    .replace(OPAQUE, (match) => (UUID.test(match) ? match : REDACTED));
  return byShape.length > MAX_MESSAGE_LENGTH ? `${byShape.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : byShape;
}
