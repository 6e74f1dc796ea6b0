/**
 * Turning a thrown error into the `{ code, message }` that may cross to the renderer.
 *
 * Electron would pass only the message of a thrown error (and Node would log its stack), so the
 * IPC layer and the browser-mode host catch everything and send an {@link ErrorInfo} instead:
 * never a stack, never a `cause`, never a token.
 */
import type { ErrorInfo } from '../../preload/contract';

/** What the renderer sees for anything we did not throw on purpose. */
export const INTERNAL_ERROR: ErrorInfo = {
  code: 'internal_error',
  message: 'Something went wrong inside Tessera. Try again; if it keeps happening, restart the app.',
};

/** Our error codes are short snake_case words (`invalid_argument`, `user_cancelled`). */
const CODE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

const MAX_MESSAGE_LENGTH = 500;

const REDACTED = '[redacted]';

/** `name=value` / `"name": "value"` pairs whose value is a secret by name. */
const SECRET_PAIRS =
  /\b(access_token|refresh_token|id_token|code|client_secret|password|assertion|client_assertion|code_verifier)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi;
/** `Authorization: Bearer …` and friends. */
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
/** A JWT (header starts with `{"` → `eyJ`). */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** Long opaque strings (refresh tokens, codes, secrets). */
const OPAQUE = /[A-Za-z0-9_+=-]{32,}/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Removes anything that looks like a token from a message, and caps its length.
 *
 * Defence in depth: our messages are written without secrets, but a message may quote a server's
 * error text. JWTs, bearer values, `access_token=…`-style pairs and long opaque strings are
 * replaced; GUIDs (tenant and object ids) are kept because they help the user.
 */
export function redactSecrets(message: string): string {
  const redacted = message
    .replace(JWT, REDACTED)
    .replace(BEARER, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(SECRET_PAIRS, (_match, name: string, separator: string) => `${name}${separator}${REDACTED}`)
    .replace(OPAQUE, (match) => (UUID.test(match) ? match : REDACTED));
  return redacted.length > MAX_MESSAGE_LENGTH ? `${redacted.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : redacted;
}

/**
 * The {@link ErrorInfo} for a thrown value.
 *
 * An `Error` with a snake_case string `code` and a message (our `AuthError`, `PersistenceError`,
 * `InteractionError`, …) keeps its code and its redacted message. Anything else — a `TypeError`,
 * a Node system error (`ENOENT`), a thrown string, or an error already coded `internal_error` —
 * becomes {@link INTERNAL_ERROR}, because its message was not written for users and may hold
 * paths or secrets.
 */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (!(error instanceof Error)) return INTERNAL_ERROR;
  const code: unknown = (error as { code?: unknown }).code;
  // A wrapped unknown error (`internal_error: Something went wrong: <raw message>`) is still unknown.
  if (typeof code !== 'string' || !CODE_PATTERN.test(code) || code === INTERNAL_ERROR.code) return INTERNAL_ERROR;
  const message = typeof error.message === 'string' && error.message.trim() !== '' ? redactSecrets(error.message) : INTERNAL_ERROR.message;
  return { code, message };
}
