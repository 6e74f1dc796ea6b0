/**
 * The token cache at rest: encrypted with a {@link Cipher}, kept in a {@link KeyValueStore}.
 *
 * Rule (issue 8 item 2): what Tessera cannot read now, it keeps, backs up and reports; it never
 * overwrites or deletes it. The store enforces it itself, whatever its caller does:
 *
 * - It remembers, per key-value store, the stored record it last read *and the caller parsed*, or
 *   last wrote ("confirmed"). Only a confirmed record (or none) is replaced without further ado.
 * - Any other record — one that does not decrypt, does not parse, was never loaded (the store was
 *   re-created after a settings change), or was changed behind its back — is first copied to
 *   `backupDir` and the copy read back; when no copy can be made, the save is refused
 *   (`backup_failed`) and the record stays as it is.
 * - A record protected by a strong keyring is never replaced by one protected by a weak backend
 *   (`basic_text`): that save is refused (`strong_data_kept`), the store reports memory-only, and
 *   the record loads again once the keyring is back. "Allow weak encryption" used to overwrite it.
 * - Withdrawing consent to weak encryption removes a weakly protected record only when this cipher
 *   can read it; a strong or unreadable record is never deleted ({@link EncryptedCacheStore.discardWeakCopy}).
 *
 * Single owner: one process per data folder (`main/instance/`), so there is no file lock here.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFolder, readFileIfExists, writeFileAtomic } from './atomic-file';
import { WEAK_BACKENDS, type Cipher } from './cipher';
import { diskError, PersistenceError } from './errors';
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

/** Why stored data could not be used. */
export type UnreadableProblem = 'undecryptable' | 'unparseable' | 'unrecognised';

/** Result of {@link EncryptedCacheStore.load}. */
export type LoadResult =
  | { readonly kind: 'empty' }
  | { readonly kind: 'loaded'; readonly text: string }
  | {
      /** The stored data cannot be read now (see `problem`); it is kept as it is. */
      readonly kind: 'undecryptable';
      readonly problem: UnreadableProblem;
      /** A verified copy of the stored record, or `undefined` when none could be made (see `backupProblem`). */
      readonly backupPath: string | undefined;
      /** Why no copy could be made (`disk_full`, `read_only`, `permission_denied`, …). */
      readonly backupProblem?: PersistenceError;
      /** The backend that wrote the data (or `unknown` when the record is malformed). */
      readonly storedBackend: string;
      /** What happened and what the user can do, without secrets. */
      readonly reason: string;
    }
  | { readonly kind: 'memory-only'; readonly reason: string };

/** Result of {@link EncryptedCacheStore.save}. */
export type SaveResult = { readonly kind: 'saved'; readonly backupPath?: string } | { readonly kind: 'memory-only'; readonly reason: string };

/** Options of {@link EncryptedCacheStore}. */
export interface EncryptedCacheStoreOptions {
  /** The user opted in to storing tokens with a weak backend (`basic_text`). */
  readonly allowWeakEncryption: boolean;
  /** Where copies of stored data that cannot be read (or is about to be replaced unread) are kept. */
  readonly backupDir: string;
  /** Clock; defaults to `Date.now`. */
  readonly now?: () => number;
  /**
   * The key the record is kept under; default {@link TOKEN_CACHE_KEY}. The client secrets of app
   * identities use their own key in the same store, with the same cipher and rules.
   */
  readonly key?: string;
}

/**
 * What each key-value store last held that a caller read and parsed, or that was written through
 * it. Kept per store object, not per {@link EncryptedCacheStore}: the app core makes a new one
 * when a setting changes, and that one must know the record on disk is its own.
 */
const confirmedRecords = new WeakMap<KeyValueStore, Map<string, StoredCacheRecord>>();

function confirmedOf(store: KeyValueStore, key: string): StoredCacheRecord | undefined {
  return confirmedRecords.get(store)?.get(key);
}

function confirm(store: KeyValueStore, key: string, record: StoredCacheRecord | undefined): void {
  let byKey = confirmedRecords.get(store);
  if (!byKey) confirmedRecords.set(store, (byKey = new Map()));
  if (record) byKey.set(key, record);
  else byKey.delete(key);
}

/**
 * Loads and saves the serialized token cache, encrypted.
 *
 * `mode` comes from the cipher: `encrypted` when it is available and strong (or weak and the user
 * opted in), `memory-only` otherwise — then tokens are never written and `load`/`save` return a
 * `reason` telling the user why and how to fix it. It is also `memory-only` while a strongly
 * protected record is kept from being replaced by a weak one.
 */
export class EncryptedCacheStore {
  readonly mode: 'encrypted' | 'memory-only';
  readonly #store: KeyValueStore;
  readonly #key: string;
  readonly #cipher: Cipher;
  readonly #backupDir: string;
  readonly #memoryOnlyReason: string;
  #lastBackup: string | undefined;

  constructor(store: KeyValueStore, cipher: Cipher, options: EncryptedCacheStoreOptions) {
    this.#store = store;
    this.#key = options.key ?? TOKEN_CACHE_KEY;
    this.#cipher = cipher;
    this.#backupDir = options.backupDir;
    const available = cipher.isAvailable();
    const strong = available && cipher.isStrong();
    let mode: EncryptedCacheStore['mode'] = available && (strong || options.allowWeakEncryption) ? 'encrypted' : 'memory-only';
    let reason = available ? weakReason(cipher.backend) : unavailableReason(cipher);
    if (mode === 'encrypted' && !strong) {
      const kept = this.#strongRecordKept();
      if (kept) {
        mode = 'memory-only';
        reason = kept.message;
      }
    }
    this.mode = mode;
    this.#memoryOnlyReason = reason;
  }

  /** Why tokens are kept in memory only (meaningful when `mode` is `memory-only`). */
  get memoryOnlyReason(): string {
    return this.#memoryOnlyReason;
  }

  /** The copy made before the last replacement of data that had not been read, if any. */
  get lastBackup(): string | undefined {
    return this.#lastBackup;
  }

  /**
   * Reads and decrypts the stored cache, and hands the text to `parse` (which throws when it
   * cannot use it). Never throws for bad stored data; never deletes or changes it.
   *
   * Without `parse` the record counts as unread: the first save over it makes a backup first.
   */
  load(parse?: (text: string) => void): LoadResult {
    if (this.mode === 'memory-only') return { kind: 'memory-only', reason: this.#memoryOnlyReason };
    const raw = this.#read();
    if (raw === undefined || raw === null) return { kind: 'empty' };
    if (!isRecord(raw)) {
      return this.#unreadable(raw, 'unrecognised', 'unknown', 'The saved sign-ins are in a format Tessera does not recognise. Sign in again.');
    }
    let text: string;
    try {
      text = this.#cipher.decrypt(Buffer.from(raw.ciphertext, 'base64'));
    } catch (error) {
      if (!(error instanceof PersistenceError)) throw error;
      const reason =
        raw.backend === this.#cipher.backend
          ? 'The saved sign-ins could not be decrypted (the key changed or the data was altered). Sign in again.'
          : `The saved sign-ins were encrypted with "${raw.backend}" but Tessera now uses "${this.#cipher.backend}", which cannot decrypt them. Start Tessera with the previous keyring (for example --password-store=gnome-libsecret) or sign in again.`;
      return this.#unreadable(raw, 'undecryptable', raw.backend, reason);
    }
    if (parse) {
      try {
        parse(text);
      } catch {
        return this.#unreadable(raw, 'unparseable', raw.backend, 'The saved sign-ins were decrypted but are damaged, so Tessera cannot use them. Sign in again.');
      }
      confirm(this.#store, this.#key, raw);
    }
    return { kind: 'loaded', text };
  }

  /**
   * Encrypts and stores the serialized cache, or (memory-only) writes nothing.
   *
   * Throws a {@link PersistenceError}: `strong_data_kept` or `backup_failed` when the stored
   * record must not be replaced (it stays as it is), `encryption_failed`, or the disk's reason
   * (`disk_full`, `read_only`, `permission_denied`, `io_error`).
   */
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
    const current = this.#read();
    let backupPath: string | undefined;
    if (current !== undefined && current !== null && !sameRecord(current, confirmedOf(this.#store, this.#key))) {
      const kept = this.#strongRecordKept(current);
      if (kept) throw kept;
      try {
        backupPath = this.#backup(current);
      } catch (cause) {
        const why = diskError(cause, 'No backup could be made', this.#backupDir);
        throw new PersistenceError(
          'backup_failed',
          `The sign-ins were not saved: the saved data on disk has not been read by this session, and Tessera replaces it only after keeping a copy. ${why.message}`,
          { cause },
        );
      }
      this.#lastBackup = backupPath;
    }
    try {
      this.#store.set(this.#key, record);
    } catch (cause) {
      throw diskError(cause, 'The sign-ins could not be saved', 'the data folder');
    }
    confirm(this.#store, this.#key, record);
    return backupPath ? { kind: 'saved', backupPath } : { kind: 'saved' };
  }

  /**
   * Takes weakly protected tokens off the disk after the user withdrew consent to weak encryption.
   *
   * Deletes the stored record only when it was written with a weak backend and this cipher can
   * decrypt it; a strongly protected or unreadable record is kept. Returns whether it deleted.
   */
  discardWeakCopy(): boolean {
    const current = this.#read();
    if (!isRecord(current) || !WEAK_BACKENDS.has(current.backend) || !this.#cipher.isAvailable()) return false;
    try {
      this.#cipher.decrypt(Buffer.from(current.ciphertext, 'base64'));
    } catch {
      return false;
    }
    try {
      this.#store.delete(this.#key);
    } catch (cause) {
      throw diskError(cause, 'The weakly protected sign-ins could not be removed', 'the data folder');
    }
    confirm(this.#store, this.#key, undefined);
    return true;
  }

  #read(): unknown {
    try {
      return this.#store.get(this.#key);
    } catch (cause) {
      throw diskError(cause, 'The saved sign-ins could not be read', 'the data folder');
    }
  }

  /** The refusal to replace a strongly protected, unconfirmed record with this weak cipher's output. */
  #strongRecordKept(current: unknown = this.#read()): PersistenceError | undefined {
    if (this.#cipher.isStrong() || !isRecord(current) || WEAK_BACKENDS.has(current.backend)) return undefined;
    if (sameRecord(current, confirmedOf(this.#store, this.#key))) return undefined;
    return new PersistenceError(
      'strong_data_kept',
      `Tokens are kept in memory only: your saved sign-ins are protected by "${current.backend}", which is not available now, and Tessera will not replace them with weakly protected ones ("${this.#cipher.backend}"). ` +
        'Start Tessera with that keyring again (for example --password-store=gnome-libsecret) to use them.',
    );
  }

  /** Copies `raw` to a content-named file in the backup folder and reads it back; returns its path. */
  #backup(raw: unknown): string {
    const body = JSON.stringify(raw);
    // Named after the content: a restart with the same unreadable data reuses the copy.
    const digest = createHash('sha256').update(body).digest('hex').slice(0, 16);
    const name = this.#key === TOKEN_CACHE_KEY ? 'token-cache' : this.#key;
    const backupPath = join(this.#backupDir, `${name}-${digest}.backup.json`);
    if (existsSync(backupPath) && readFileIfExists(backupPath, 'utf8') === body) return backupPath;
    ensureFolder(this.#backupDir);
    writeFileAtomic(backupPath, body, { mode: 0o600 });
    if (readFileIfExists(backupPath, 'utf8') !== body) throw new PersistenceError('io_error', `The backup ${backupPath} did not read back as written.`);
    return backupPath;
  }

  #unreadable(raw: unknown, problem: UnreadableProblem, storedBackend: string, reason: string): LoadResult {
    try {
      const backupPath = this.#backup(raw);
      return { kind: 'undecryptable', problem, backupPath, storedBackend, reason: `${reason} A copy of the old data was kept in ${backupPath}.` };
    } catch (cause) {
      const backupProblem = diskError(cause, 'No copy of the old data could be made', this.#backupDir);
      return {
        kind: 'undecryptable',
        problem,
        backupPath: undefined,
        backupProblem,
        storedBackend,
        reason: `${reason} ${backupProblem.message} The old data stays where it is and is not overwritten until a copy can be made.`,
      };
    }
  }
}

function isRecord(value: unknown): value is StoredCacheRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record.v === 1 && typeof record.backend === 'string' && typeof record.ciphertext === 'string';
}

function sameRecord(value: unknown, known: StoredCacheRecord | undefined): boolean {
  return known !== undefined && isRecord(value) && value.backend === known.backend && value.ciphertext === known.ciphertext;
}

function weakReason(backend: string): string {
  return (
    `Tokens are kept in memory only: the "${backend}" secret store uses a fixed key, so saved tokens would only be obfuscated. ` +
    'If you use GNOME Keyring or KWallet, start Tessera with --password-store=gnome-libsecret (or --password-store=kwallet6); ' +
    'otherwise you can allow weak encryption in Settings. You will need to sign in again after restarting.'
  );
}

function unavailableReason(cipher: Cipher): string {
  // A key that could not be stored (full or read-only disk) is not a missing keyring: say which.
  const problem = cipher.whyUnavailable?.();
  if (problem) return `Tokens are kept in memory only: ${problem.message}`;
  return (
    `Tokens are kept in memory only: no system keyring is available (backend "${cipher.backend}"). ` +
    'Unlock or start your keyring (GNOME Keyring, KWallet, macOS Keychain), or on Linux start Tessera with ' +
    '--password-store=gnome-libsecret. You will need to sign in again after restarting.'
  );
}
