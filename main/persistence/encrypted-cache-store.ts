/**
 * The token cache at rest: encrypted with a {@link Cipher}, kept in a {@link KeyValueStore}.
 *
 * Single owner: the main process (holding the single-instance lock) is the only reader and writer,
 * so there is no file lock; see `settings-store.ts`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file';
import type { Cipher } from './cipher';
import { PersistenceError } from './errors';
import type { KeyValueStore } from './settings-store';

/** The key under which the encrypted cache is stored. */
export const TOKEN_CACHE_KEY = 'tokenCache';

/** What is stored under {@link TOKEN_CACHE_KEY}: never plaintext. */
export interface StoredCacheRecord {
  readonly v: 1;
  /** The cipher backend that wrote `ciphertext` (e.g. `gnome_libsecret`). */
  readonly backend: string;
  /** Base64 of the cipher output. */
  readonly ciphertext: string;
}

/** Result of {@link EncryptedCacheStore.load}. */
export type LoadResult =
  | { readonly kind: 'empty' }
  | { readonly kind: 'loaded'; readonly text: string }
  | {
      readonly kind: 'undecryptable';
      /** A copy of the stored record; the original is left untouched too. */
      readonly backupPath: string;
      /** The backend that wrote the data (or `unknown` when the record is malformed). */
      readonly storedBackend: string;
      /** What happened and what the user can do, without secrets. */
      readonly reason: string;
    }
  | { readonly kind: 'memory-only'; readonly reason: string };

/** Result of {@link EncryptedCacheStore.save}. */
export type SaveResult = { readonly kind: 'saved' } | { readonly kind: 'memory-only'; readonly reason: string };

/** Options of {@link EncryptedCacheStore}. */
export interface EncryptedCacheStoreOptions {
  /** The user opted in to storing tokens with a weak backend (`basic_text`). */
  readonly allowWeakEncryption: boolean;
  /** Where copies of undecryptable ciphertext are kept. */
  readonly backupDir: string;
  /** Clock; defaults to `Date.now`. */
  readonly now?: () => number;
}

/**
 * Loads and saves the serialized token cache, encrypted.
 *
 * `mode` is decided once, from the cipher: `encrypted` when the cipher is available and strong (or
 * weak and the user opted in), `memory-only` otherwise — then tokens are never written and
 * `load`/`save` return a `reason` telling the user why and how to fix it. Ciphertext that no longer
 * decrypts (other key, other backend, altered) is reported as `undecryptable` with a backup copy;
 * it is never deleted here.
 */
export class EncryptedCacheStore {
  readonly mode: 'encrypted' | 'memory-only';
  readonly #store: KeyValueStore;
  readonly #cipher: Cipher;
  readonly #backupDir: string;
  readonly #memoryOnlyReason: string;

  constructor(store: KeyValueStore, cipher: Cipher, options: EncryptedCacheStoreOptions) {
    this.#store = store;
    this.#cipher = cipher;
    this.#backupDir = options.backupDir;
    const available = cipher.isAvailable();
    const strong = available && cipher.isStrong();
    this.mode = available && (strong || options.allowWeakEncryption) ? 'encrypted' : 'memory-only';
    this.#memoryOnlyReason = available ? weakReason(cipher.backend) : unavailableReason(cipher.backend);
  }

  /** Reads and decrypts the stored cache. Never throws for bad stored data; never deletes it. */
  load(): LoadResult {
    if (this.mode === 'memory-only') return { kind: 'memory-only', reason: this.#memoryOnlyReason };
    const raw = this.#store.get(TOKEN_CACHE_KEY);
    if (raw === undefined || raw === null) return { kind: 'empty' };
    if (!isRecord(raw)) {
      return this.#undecryptable(raw, 'unknown', 'The saved sign-ins are in a format Tessera does not recognise. Sign in again; a copy of the old data was kept.');
    }
    try {
      const text = this.#cipher.decrypt(Buffer.from(raw.ciphertext, 'base64'));
      return { kind: 'loaded', text };
    } catch (error) {
      if (!(error instanceof PersistenceError)) throw error;
      const reason =
        raw.backend === this.#cipher.backend
          ? 'The saved sign-ins could not be decrypted (the key changed or the data was altered). Sign in again; a copy of the old data was kept.'
          : `The saved sign-ins were encrypted with "${raw.backend}" but Tessera now uses "${this.#cipher.backend}", which cannot decrypt them. Start Tessera with the previous keyring (for example --password-store=gnome-libsecret) or sign in again; a copy of the old data was kept.`;
      return this.#undecryptable(raw, raw.backend, reason);
    }
  }

  /** Encrypts and stores the serialized cache, or (memory-only) writes nothing. */
  save(serializedCache: string): SaveResult {
    if (this.mode === 'memory-only') return { kind: 'memory-only', reason: this.#memoryOnlyReason };
    let ciphertext: Buffer;
    try {
      ciphertext = this.#cipher.encrypt(serializedCache);
    } catch (cause) {
      // The cause comes from the cipher and never contains the plaintext.
      throw new PersistenceError('encryption_failed', 'The sign-ins could not be encrypted, so they were not saved.', { cause });
    }
    const record: StoredCacheRecord = { v: 1, backend: this.#cipher.backend, ciphertext: ciphertext.toString('base64') };
    try {
      this.#store.set(TOKEN_CACHE_KEY, record);
    } catch (cause) {
      throw new PersistenceError('io_error', 'The sign-ins could not be saved to disk. Check free space and permissions of the settings folder.', { cause });
    }
    return { kind: 'saved' };
  }

  #undecryptable(raw: unknown, storedBackend: string, reason: string): LoadResult {
    const body = JSON.stringify(raw);
    // Name the backup after the content: a restart with the same unreadable data reuses it
    // instead of piling up copies.
    const digest = createHash('sha256').update(body).digest('hex').slice(0, 16);
    const backupPath = join(this.#backupDir, `token-cache-${digest}.backup.json`);
    if (!existsSync(backupPath)) {
      mkdirSync(this.#backupDir, { recursive: true, mode: 0o700 });
      writeFileAtomic(backupPath, body, { mode: 0o600 });
    }
    return { kind: 'undecryptable', backupPath, storedBackend, reason };
  }
}

function isRecord(value: unknown): value is StoredCacheRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record.v === 1 && typeof record.backend === 'string' && typeof record.ciphertext === 'string';
}

function weakReason(backend: string): string {
  return (
    `Tokens are kept in memory only: the "${backend}" secret store uses a fixed key, so saved tokens would only be obfuscated. ` +
    'If you use GNOME Keyring or KWallet, start Tessera with --password-store=gnome-libsecret (or --password-store=kwallet6); ' +
    'otherwise you can allow weak encryption in Settings. You will need to sign in again after restarting.'
  );
}

function unavailableReason(backend: string): string {
  return (
    `Tokens are kept in memory only: no system keyring is available (backend "${backend}"). ` +
    'Unlock or start your keyring (GNOME Keyring, KWallet, macOS Keychain), or on Linux start Tessera with ' +
    '--password-store=gnome-libsecret. You will need to sign in again after restarting.'
  );
}
