/**
 * OAuth error answers as values that can never carry a token.
 *
 * A token endpoint's error body is the provider's to fill, and some fill it with what the client
 * sent (Spring Security answers "Invalid refresh token: <token>"). So an error value keeps only the
 * fields RFC 6749 §5.2 and Microsoft Entra define, each with the type they define, and drops
 * everything else — a whitelist, not a list of known secret names. The request's own secrets
 * (refresh token, code, verifier, password, client secret) are also cut out of the kept text, in
 * their raw, URL-encoded and JSON-escaped spellings. See docs/auth-protocol.md.
 */
import type { TokenError } from './types';

/** Fields an OAuth error value may keep, and the JSON type each must have. */
const ERROR_FIELDS: Readonly<Record<string, 'string' | 'numbers' | 'strings'>> = {
  error: 'string',
  error_description: 'string',
  error_uri: 'string',
  // Microsoft Entra's additions (AADSTS numbers, conditional-access claims, tracing ids).
  error_codes: 'numbers',
  suberror: 'string',
  timestamp: 'string',
  trace_id: 'string',
  correlation_id: 'string',
  claims: 'string',
  classification: 'string',
  // Entra's FOCI signal ("client_mismatch"); the silent flow reads it.
  error_additional_info: 'strings',
};

/** What replaces a secret found inside error text. */
export const REDACTED = '[redacted]';

// Shorter values are too likely to occur by chance (and too short to be secrets worth scrubbing).
const MIN_SECRET_LENGTH = 8;

/**
 * The spellings of `secret` that may appear in a provider's text: raw, URL-encoded (both form and
 * path styles) and JSON-escaped.
 */
export function secretSpellings(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)]);
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** `text` with every spelling of every secret replaced by {@link REDACTED}. */
export function redactValues(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of secretSpellings(secret)) out = out.split(form).join(REDACTED);
  }
  return out;
}

/**
 * An error value from a provider's JSON: only whitelisted fields of the right type, with the
 * request's `secrets` cut out of their text. `error` must be a non-empty string; callers check.
 */
export function toErrorValue(response: Readonly<Record<string, unknown>>, secrets: readonly string[] = []): TokenError {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(ERROR_FIELDS)) {
    const value = response[name];
    if (kind === 'string' && typeof value === 'string') out[name] = redactValues(value, secrets);
    else if (kind === 'numbers' && Array.isArray(value) && value.every((n) => typeof n === 'number' && Number.isFinite(n))) out[name] = [...value];
    else if (kind === 'strings' && Array.isArray(value) && value.every((n) => typeof n === 'string')) out[name] = value.map((v: string) => redactValues(v, secrets));
  }
  return out as TokenError;
}

/** True when a JSON answer is an OAuth error (`error` is a non-empty string). */
export function isOAuthError(response: Readonly<Record<string, unknown>>): boolean {
  return typeof response['error'] === 'string' && response['error'] !== '';
}

/** Fields that carry a token in a token answer (RFC 6749 §5.1, OIDC Core §3.1.3.3). */
export const TOKEN_FIELDS: readonly string[] = ['access_token', 'refresh_token', 'id_token'];

/** Request fields that carry a secret: cut out of any error text that echoes them. */
const REQUEST_SECRET_FIELDS: readonly string[] = [
  'refresh_token',
  'code',
  'code_verifier',
  'password',
  'client_secret',
  'client_assertion',
  'device_code',
  'assertion',
];

/** The secret values a token request's form `data` sends. */
export function requestSecrets(data: Readonly<Record<string, string | undefined>>): string[] {
  return REQUEST_SECRET_FIELDS.map((name) => data[name]).filter((value): value is string => typeof value === 'string' && value !== '');
}
