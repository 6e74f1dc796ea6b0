/**
 * A real {@link Cipher} for plain Node: AES-256-GCM with a random key kept in a key file.
 *
 * The key file is the secret here, protected only by its file mode (0600), so this backend is for
 * tests and for the browser-mode host; the desktop app uses the OS keyring through `safeStorage`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { linkSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureFolder, readFileIfExists, writeFileAtomic } from './atomic-file';
import type { Cipher } from './cipher';
import { diskError, PersistenceError } from './errors';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Header "TK" + format version; it is also authenticated as AAD so it cannot be swapped.
const MAGIC = Buffer.from('TK', 'ascii');
const VERSION = 1;
const HEADER = Buffer.concat([MAGIC, Buffer.of(VERSION)]);

/**
 * AES-256-GCM cipher whose key lives in a file (mode 0600, created on first use).
 *
 * Message layout: `"TK" | version (1 byte) | IV (12) | tag (16) | ciphertext`. A new random IV is
 * drawn for every message. A wrong key or altered bytes throw `PersistenceError('undecryptable')`.
 */
export class KeyFileCipher implements Cipher {
  readonly backend = 'aes-gcm-keyfile';
  readonly keyFilePath: string;
  #key: Buffer | undefined;
  #problem: PersistenceError | undefined;

  constructor(keyFilePath: string) {
    this.keyFilePath = keyFilePath;
  }

  /** True when the key file exists or can be created. */
  isAvailable(): boolean {
    try {
      this.#loadKey();
      this.#problem = undefined;
      return true;
    } catch (error) {
      this.#problem = diskError(error, 'the key file could not be created', dirname(this.keyFilePath));
      return false;
    }
  }

  /** Why the key file cannot be used (full or read-only disk, a damaged key), after `isAvailable()` said false. */
  whyUnavailable(): PersistenceError | undefined {
    return this.#problem;
  }

  /** A random key that only the owner can read: strong for this threat model. */
  isStrong(): boolean {
    return this.isAvailable();
  }

  /** Encrypts `plain` with a fresh IV. */
  encrypt(plain: string): Buffer {
    const key = this.#loadKey();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(HEADER);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([HEADER, iv, cipher.getAuthTag(), body]);
  }

  /** Decrypts a message produced by {@link KeyFileCipher.encrypt} with the same key file. */
  decrypt(data: Buffer): string {
    const key = this.#loadKey();
    if (data.length < HEADER.length + IV_BYTES + TAG_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new PersistenceError('undecryptable', 'The encrypted data is not in a format this version of Tessera knows.');
    }
    if (data[MAGIC.length] !== VERSION) {
      throw new PersistenceError('undecryptable', `The encrypted data uses format version ${data[MAGIC.length]}, which this version of Tessera cannot read.`);
    }
    let offset = HEADER.length;
    const iv = data.subarray(offset, (offset += IV_BYTES));
    const tag = data.subarray(offset, (offset += TAG_BYTES));
    const body = data.subarray(offset);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(HEADER);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new PersistenceError(
        'undecryptable',
        'The encrypted data could not be decrypted: it was written with another key, or it was altered.',
        { cause },
      );
    }
  }

  #loadKey(): Buffer {
    if (this.#key) return this.#key;
    let key = readFileIfExists(this.keyFilePath);
    if (!key) key = this.#createKey();
    if (key.length !== KEY_BYTES) {
      throw new PersistenceError('invalid_key_file', `The key file ${this.keyFilePath} is damaged (wrong length). Move it away to start over; data encrypted with it cannot be read without it.`);
    }
    this.#key = key;
    return key;
  }

  #createKey(): Buffer {
    ensureFolder(dirname(this.keyFilePath));
    const key = randomBytes(KEY_BYTES);
    // Write the key completely under a temp name, then hard-link it into place: link() never
    // replaces an existing file, so two racing first uses cannot end up with different keys.
    const staging = `${this.keyFilePath}.${process.pid}.${randomBytes(6).toString('hex')}.new`;
    writeFileAtomic(staging, key, { mode: 0o600 });
    try {
      linkSync(staging, this.keyFilePath);
      return key;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const existing = readFileIfExists(this.keyFilePath);
      if (!existing) throw error;
      return existing;
    } finally {
      unlinkSync(staging);
    }
  }
}
