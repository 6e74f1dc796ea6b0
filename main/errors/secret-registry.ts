/**
 * Every secret value the app holds, so that the one redactor can remove it by value.
 *
 * Redaction by shape (JWTs, long opaque strings) misses what does not look like a token: a UUID
 * refresh token, a short opaque one, dot-separated segments. A provider that echoes the token in
 * `error_description` ("Invalid refresh token: <uuid>") would then put it into the settings file,
 * events and error answers. The app knows each secret when it enters (a token answer, the loaded
 * cache, a redirect's code), so it registers it here and {@link redact} removes that exact text.
 */

import { secretSpellings } from '../auth';

/** Values shorter than this are not registered: they would redact ordinary words (the auth core's limit too). */
export const MIN_SECRET_LENGTH = 8;

/** Oldest values are dropped past this many (rotated refresh tokens pile up over months). */
const MAX_SECRETS = 4096;

/**
 * A set of secret values plus the forms they take inside a message.
 *
 * Forms: the value itself, URL-encoded (`encodeURIComponent` and form encoding, where a space is
 * `+`) and JSON-escaped (the inside of a JSON string literal), as `secretSpellings` of the auth core.
 */
export class SecretRegistry {
  readonly #values = new Set<string>();
  #forms: readonly string[] | undefined;

  /** Registers each string value of at least {@link MIN_SECRET_LENGTH} characters; others are ignored. */
  add(...values: readonly unknown[]): void {
    for (const value of values) {
      if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || this.#values.has(value)) continue;
      this.#values.add(value);
      this.#forms = undefined;
      if (this.#values.size > MAX_SECRETS) {
        const oldest = this.#values.values().next().value;
        if (oldest !== undefined) this.#values.delete(oldest);
      }
    }
  }

  /** Whether `value` is registered. */
  has(value: string): boolean {
    return this.#values.has(value);
  }

  /** How many values are registered. */
  get size(): number {
    return this.#values.size;
  }

  /** `text` with every registered value, in each of its forms, replaced by `replacement`. */
  removeFrom(text: string, replacement: string): string {
    if (this.#values.size === 0 || text === '') return text;
    let out = text;
    for (const form of this.#allForms()) if (out.includes(form)) out = out.split(form).join(replacement);
    return out;
  }

  // Longest first, so a value containing another is replaced whole.
  #allForms(): readonly string[] {
    if (this.#forms) return this.#forms;
    const forms = new Set<string>();
    // The same spellings the auth core removes from provider errors (main/auth/oauth-error.ts).
    for (const value of this.#values) for (const form of secretSpellings(value)) forms.add(form);
    this.#forms = [...forms].sort((a, b) => b.length - a.length);
    return this.#forms;
  }
}

/**
 * The process's registry: one app core per process, and errors are built far from it.
 *
 * Register a value the moment it enters the app; never remove one (a message may quote an old token).
 */
export const secrets = new SecretRegistry();
