/**
 * Ciphers as Electron reports them on desktops without a usable keyring, for persistence tests.
 */
import type { Cipher } from '../../main/persistence/cipher';
import { PersistenceError } from '../../main/persistence/errors';

/** `basic_text`: available but weak — a fixed-key obfuscation, not encryption. */
export class BasicTextCipher implements Cipher {
  readonly backend = 'basic_text';
  isAvailable(): boolean {
    return true;
  }
  isStrong(): boolean {
    return false;
  }
  encrypt(plain: string): Buffer {
    return Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ 0x2a));
  }
  decrypt(data: Buffer): string {
    if (data.length === 0) throw new PersistenceError('undecryptable', 'empty ciphertext');
    return Buffer.from(data.map((b) => b ^ 0x2a)).toString('utf8');
  }
}

/** No encryption at all (Electron before `ready`, or a locked keyring). */
export class UnavailableCipher implements Cipher {
  readonly backend = 'unavailable';
  isAvailable(): boolean {
    return false;
  }
  isStrong(): boolean {
    return false;
  }
  encrypt(): Buffer {
    throw new Error('unavailable');
  }
  decrypt(): string {
    throw new Error('unavailable');
  }
}
