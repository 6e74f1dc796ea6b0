/**
 * The encryption seam of the persistence layer.
 *
 * Electron's `safeStorage` sits behind it in the app; a key-file AES-GCM implementation sits behind
 * it in tests and in the browser-mode host.
 */
import type { PersistenceError } from './errors';

/**
 * Encrypts and decrypts short strings (the serialized token cache).
 *
 * `backend` names the mechanism, e.g. `gnome_libsecret`, `kwallet6`, `dpapi`, `keychain`,
 * `basic_text`, `aes-gcm-keyfile` or `unavailable`; it is stored beside every ciphertext so a later
 * failure to decrypt can be explained (new keyring, new machine).
 */
export interface Cipher {
  /** Name of the mechanism that protects the key. */
  readonly backend: string;
  /** Whether `encrypt`/`decrypt` can be called at all. */
  isAvailable(): boolean;
  /** False when the key is not really protected (`basic_text`: a hard-coded key) or unavailable. */
  isStrong(): boolean;
  /** Encrypts `plain`; throws when encryption is unavailable. */
  encrypt(plain: string): Buffer;
  /** Decrypts what {@link Cipher.encrypt} produced; throws `PersistenceError('undecryptable')` otherwise. */
  decrypt(cipher: Buffer): string;
  /**
   * Why `isAvailable()` is false when the reason is not a missing keyring (a key file that could
   * not be created on a full or read-only disk), so the user is told what is really wrong.
   */
  whyUnavailable?(): PersistenceError | undefined;
}

/** Backends whose key gives no real protection: the data is only obfuscated. */
export const WEAK_BACKENDS: ReadonlySet<string> = new Set(['basic_text', 'unknown', 'unavailable']);
