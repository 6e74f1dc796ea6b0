/**
 * Errors thrown by the persistence services.
 *
 * They follow the shape of `AuthError` in `main/auth/errors.ts` (stable string `code`, native
 * `cause`, messages that say what to do next and never contain a token), but keep their own code
 * union: the auth core has no notion of files or keyrings.
 */

/** Stable codes of {@link PersistenceError}. */
export type PersistenceErrorCode =
  | 'undecryptable'
  | 'invalid_key_file'
  | 'encryption_unavailable'
  | 'encryption_failed'
  | 'io_error';

/**
 * A persistence operation failed.
 *
 * `undecryptable` means the ciphertext was written with another key or was altered; callers treat
 * the affected accounts as "needs sign-in" and never wipe the stored data.
 */
export class PersistenceError extends Error {
  override readonly name = 'PersistenceError';
  readonly code: PersistenceErrorCode;

  constructor(code: PersistenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
