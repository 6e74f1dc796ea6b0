/**
 * The browser-mode default: no cipher at all, so the token cache stays in memory.
 */
import type { Cipher } from '../persistence/cipher';
import { PersistenceError } from '../persistence/errors';

/** A {@link Cipher} that is never available: `EncryptedCacheStore` then writes nothing to disk. */
export class MemoryOnlyCipher implements Cipher {
  readonly backend = 'browser-mode-memory';

  /** Always false: tokens are not persisted. */
  isAvailable(): boolean {
    return false;
  }

  /** Always false. */
  isStrong(): boolean {
    return false;
  }

  /** Browser mode's choice, not a missing keyring: the status says how to keep tokens instead of keyring advice. */
  whyUnavailable(): PersistenceError {
    return new PersistenceError(
      'encryption_unavailable',
      'browser mode keeps tokens on disk only when started with --persist-tokens (npm start -- --persist-tokens). Accounts sign in again after a restart.',
    );
  }

  /** Never called by the cache store in memory-only mode. */
  encrypt(): Buffer {
    throw new Error('Browser mode keeps tokens in memory only.');
  }

  /** Never called by the cache store in memory-only mode. */
  decrypt(): string {
    throw new Error('Browser mode keeps tokens in memory only.');
  }
}
