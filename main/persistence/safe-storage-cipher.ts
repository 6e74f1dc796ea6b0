/**
 * Electron adapter: a {@link Cipher} over `safeStorage` (OS keyring / DPAPI / Keychain).
 */
import { app, safeStorage } from 'electron';
import { WEAK_BACKENDS, type Cipher } from './cipher';
import { PersistenceError } from './errors';

/**
 * `safeStorage` behind the {@link Cipher} interface.
 *
 * Create it with {@link SafeStorageCipher.create}, which waits for `app.whenReady()`: before
 * `ready`, Linux reports the backend as `unknown` and encryption as unavailable. On Linux the
 * backend comes from `getSelectedStorageBackend()`; `basic_text` is a hard-coded key (electron
 * #39789: i3/sway/Hyprland users get it unless `--password-store=gnome-libsecret` is passed), so
 * it is reported as weak.
 *
 * The synchronous `encryptString`/`decryptString` are deprecated in Electron 45 in favour of the
 * async variants; they are used because the store layer is synchronous like electron-store.
 */
export class SafeStorageCipher implements Cipher {
  readonly backend: string;

  private constructor() {
    this.backend = currentBackend();
  }

  /** Waits for the app to be ready, then reads the selected backend. */
  static async create(): Promise<SafeStorageCipher> {
    await app.whenReady();
    return new SafeStorageCipher();
  }

  /** Whether `safeStorage` can encrypt at all. */
  isAvailable(): boolean {
    return safeStorage.isEncryptionAvailable();
  }

  /** False for `basic_text`, `unknown` and when encryption is unavailable. */
  isStrong(): boolean {
    return this.isAvailable() && !WEAK_BACKENDS.has(this.backend);
  }

  /** Encrypts with the OS-protected key. */
  encrypt(plain: string): Buffer {
    if (!this.isAvailable()) {
      throw new PersistenceError('encryption_unavailable', 'The system keyring is not available, so tokens cannot be encrypted.');
    }
    return safeStorage.encryptString(plain);
  }

  /** Decrypts; a foreign key or altered bytes become `PersistenceError('undecryptable')`. */
  decrypt(data: Buffer): string {
    try {
      return safeStorage.decryptString(data);
    } catch (cause) {
      throw new PersistenceError('undecryptable', 'The system keyring could not decrypt the stored tokens (a new keyring or another machine?). Sign in again.', { cause });
    }
  }
}

function currentBackend(): string {
  if (!safeStorage.isEncryptionAvailable()) return 'unavailable';
  switch (process.platform) {
    case 'linux':
      return safeStorage.getSelectedStorageBackend();
    case 'win32':
      return 'dpapi';
    case 'darwin':
      return 'keychain';
    default:
      return process.platform;
  }
}
