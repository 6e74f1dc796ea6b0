/**
 * The token cache and its encrypted store: loading at start, saving after every change, the
 * storage status, and the "allow weak encryption" switch.
 *
 * Every secret the cache holds is registered with the redactor's registry when it is loaded and
 * before each save, so a provider that echoes one in an error message cannot leak it.
 *
 * The client secrets and private keys of profiles (app identities, Google desktop clients) are
 * kept here too, next to the tokens: encrypted with the same cipher under their own key
 * ({@link CLIENT_SECRETS_KEY}), never in the settings file, registered with the redactor.
 */
import type { StorageStatus } from '../../preload/contract';
import { SerializableTokenCache } from '../auth';
import { secrets, toErrorInfo } from '../errors';
import type { Cipher } from '../persistence/cipher';
import { EncryptedCacheStore } from '../persistence/encrypted-cache-store';
import type { KeyValueStore } from '../persistence/settings-store';

/** Where the encrypted token cache lives: the pieces of an `EncryptedCacheStore`. */
export interface CacheStorage {
  readonly cipher: Cipher;
  /** Defaults to the settings store. */
  readonly store?: KeyValueStore;
  /** Where copies of undecryptable ciphertext are kept. */
  readonly backupDir: string;
}

/** Options of {@link CachePersistence}. */
export interface CachePersistenceOptions {
  readonly storage: CacheStorage;
  readonly settingsStore: KeyValueStore;
  readonly allowWeakEncryption: boolean;
  readonly now: () => number;
  /** Told when the storage status changed (a failed or recovered save). */
  readonly onStatusChange: (status: StorageStatus) => void;
  readonly log: (line: string) => void;
}

/** The store key of the encrypted client secrets (see {@link CachePersistence.setSecret}). */
export const CLIENT_SECRETS_KEY = 'clientSecrets';

/** What a profile's client credential needs besides its public part: a secret, or a PEM private key. */
export type SecretMaterial = { readonly clientSecret: string } | { readonly privateKey: string };

/** What {@link CachePersistence.load} found. */
export type CacheLoad = { readonly readable: true } | { readonly readable: false; readonly reason: string };

/** The shared token cache and where it is kept. */
export class CachePersistence {
  /** The one token cache all profiles' clients share. */
  readonly cache = new SerializableTokenCache();
  readonly #options: CachePersistenceOptions;
  readonly #kv: KeyValueStore;
  #store: EncryptedCacheStore;
  #secretStore: EncryptedCacheStore;
  readonly #secrets = new Map<string, SecretMaterial>();
  #undecryptableBackup: string | undefined;
  #saveError: string | undefined;

  constructor(options: CachePersistenceOptions) {
    this.#options = options;
    this.#kv = options.storage.store ?? options.settingsStore;
    this.#store = this.#makeStore(options.allowWeakEncryption);
    this.#secretStore = this.#makeStore(options.allowWeakEncryption, CLIENT_SECRETS_KEY);
  }

  /** `encrypted`, or `memory-only` when the keyring is missing or weak without consent. */
  get mode(): 'encrypted' | 'memory-only' {
    return this.#store.mode;
  }

  /**
   * Reads the saved cache into memory. Unreadable data is never wiped: the store keeps the
   * ciphertext and a backup, and the caller marks every account as needing sign-in.
   */
  load(): CacheLoad {
    this.#loadSecrets();
    // The store hands the text to the cache and learns whether it parsed: data that does not
    // decrypt or parse is kept and backed up by the store, never overwritten unread.
    const loaded = this.#store.load((text) => this.cache.deserialize(text));
    if (loaded.kind === 'loaded') this.#registerSecrets();
    if (loaded.kind !== 'undecryptable') return { readable: true };
    this.#undecryptableBackup = loaded.backupPath;
    if (loaded.backupProblem) this.#saveError = loaded.reason;
    return { readable: false, reason: loaded.reason };
  }

  /** Saves the cache when it changed; a failure is reported in the storage status, never thrown. */
  persist(): void {
    if (!this.cache.hasStateChanged) return;
    // Only a change can bring a new secret (a sign-in, a rotated refresh token).
    this.#registerSecrets();
    const text = this.cache.serialize();
    try {
      this.#store.save(text);
      if (this.#saveError) {
        this.#saveError = undefined;
        this.#options.onStatusChange(this.status());
      }
    } catch (error) {
      const info = toErrorInfo(error);
      this.#saveError = info.message;
      this.#options.log(`saving the token cache failed: ${info.code}`);
      this.#options.onStatusChange(this.status());
    }
  }

  /**
   * Applies the "allow weak encryption" setting: with consent the cache is written with the weak
   * cipher; when consent is withdrawn the obfuscated tokens are taken off the disk (only those:
   * strongly protected or unreadable data is kept).
   */
  setAllowWeakEncryption(allow: boolean): void {
    this.#store = this.#makeStore(allow);
    this.#secretStore = this.#makeStore(allow, CLIENT_SECRETS_KEY);
    if (this.#store.mode === 'encrypted') {
      this.cache.hasStateChanged = true;
      this.persist();
      this.#saveSecrets();
      return;
    }
    try {
      this.#store.discardWeakCopy();
      this.#secretStore.discardWeakCopy();
    } catch (error) {
      this.#saveError = toErrorInfo(error).message;
    }
  }

  /** Where the token cache lives and why. */
  status(): StorageStatus {
    // Either file may have been quarantined: the settings, or the cache when it has a file of its own.
    const quarantinedOf = (store: unknown): unknown => (store as { quarantined?: unknown }).quarantined;
    const quarantined = quarantinedOf(this.#options.settingsStore) ?? quarantinedOf(this.#kv);
    // A store that cannot save (damaged file on a read-only disk, no folder) says why.
    const problemOf = (store: unknown): string | undefined => (store as { problem?: { message?: string } }).problem?.message;
    const memoryReason = this.#store.mode === 'memory-only' ? this.#store.memoryOnlyReason : undefined;
    const reasons = [memoryReason, this.#saveError, problemOf(this.#options.settingsStore), problemOf(this.#kv)].filter((r): r is string => !!r);
    const reason = [...new Set(reasons)].join(' ');
    const backup = this.#undecryptableBackup ?? this.#store.lastBackup;
    return {
      mode: this.#store.mode,
      backend: this.#options.storage.cipher.backend,
      ...(reason ? { reason } : {}),
      ...(typeof quarantined === 'string' ? { quarantinedFile: quarantined } : {}),
      ...(backup ? { undecryptableBackup: backup } : {}),
    };
  }

  /** Why an account has no usable tokens. */
  noTokenReason(): string {
    return this.#store.mode === 'memory-only'
      ? 'Tokens were kept in memory only, so this account must sign in again after a restart.'
      : 'No saved sign-in for this account. Sign in again.';
  }

  /** The saved client secret or private key of a profile, if any. */
  secretOf(profileId: string): SecretMaterial | undefined {
    return this.#secrets.get(profileId);
  }

  /**
   * Keeps a profile's client secret or private key, encrypted with the tokens (in memory only when
   * the tokens are), and registers it with the redactor first. A failed save is reported in the
   * storage status, as for tokens.
   */
  setSecret(profileId: string, material: SecretMaterial): void {
    registerMaterial(material);
    this.#secrets.set(profileId, material);
    this.#saveSecrets();
  }

  /** Forgets a profile's secret (profile deleted, or no longer confidential). */
  deleteSecret(profileId: string): void {
    if (this.#secrets.delete(profileId)) this.#saveSecrets();
  }

  #loadSecrets(): void {
    // Unreadable data is kept and backed up by the store; its profiles then show "secret not saved".
    // A disk that cannot be read is reported by the token cache's load right after, not here.
    try {
      this.#parseSecrets();
    } catch (error) {
      this.#options.log(`loading the client secrets failed: ${toErrorInfo(error).code}`);
    }
  }

  #parseSecrets(): void {
    this.#secretStore.load((text) => {
      const parsed = JSON.parse(text) as { v?: unknown; profiles?: unknown };
      if (parsed.v !== 1 || typeof parsed.profiles !== 'object' || parsed.profiles === null) throw new Error('not a secrets record');
      for (const [id, value] of Object.entries(parsed.profiles as Record<string, unknown>)) {
        const material = asMaterial(value);
        if (!material) continue;
        registerMaterial(material);
        this.#secrets.set(id, material);
      }
    });
  }

  #saveSecrets(): void {
    const text = JSON.stringify({ v: 1, profiles: Object.fromEntries(this.#secrets) });
    try {
      this.#secretStore.save(text);
    } catch (error) {
      const info = toErrorInfo(error);
      this.#saveError = info.message;
      this.#options.log(`saving the client secrets failed: ${info.code}`);
      this.#options.onStatusChange(this.status());
    }
  }

  #makeStore(allowWeakEncryption: boolean, key?: string): EncryptedCacheStore {
    return new EncryptedCacheStore(this.#kv, this.#options.storage.cipher, {
      allowWeakEncryption,
      backupDir: this.#options.storage.backupDir,
      now: this.#options.now,
      ...(key ? { key } : {}),
    });
  }

  // Access, refresh and ID tokens: every credential the cache holds.
  #registerSecrets(): void {
    for (const type of ['AccessToken', 'RefreshToken', 'IdToken'] as const) {
      for (const entry of this.cache.search(type)) secrets.add((entry as { secret?: unknown }).secret);
    }
  }
}

function asMaterial(value: unknown): SecretMaterial | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['clientSecret'] === 'string' && v['clientSecret'] !== '') return { clientSecret: v['clientSecret'] };
  if (typeof v['privateKey'] === 'string' && v['privateKey'] !== '') return { privateKey: v['privateKey'] };
  return undefined;
}

/**
 * Registers a secret with the redactor: the value itself and, for a PEM key, its base64 body and
 * each body line (a message may quote one line of the file).
 */
export function registerMaterial(material: SecretMaterial): void {
  if ('clientSecret' in material) {
    secrets.add(material.clientSecret);
    return;
  }
  const lines = material.privateKey.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('-----'));
  secrets.add(material.privateKey, lines.join(''), ...lines);
}
