/**
 * The app core: the composition root of the services behind `ApiMethods`, shared by the Electron
 * main process and the browser-mode host.
 *
 * Plain Node. Electron reaches it only through the adapters in {@link AppCoreDeps} (cipher, stores,
 * clipboard, sign-in brokers). Tokens never leave it except through `revealToken` and the clipboard,
 * and never appear in a log line or an error message.
 */
import type {
  AccountId,
  AccountStatus,
  AccountView,
  AddAccountRequest,
  ApiMethods,
  AppEvent,
  AppInfo,
  CopyResult,
  CopyTokenRequest,
  ProfileDraft,
  ProfileId,
  ProfileValidation,
  ProviderPreset,
  ProviderProfile,
  RevealedToken,
  Settings,
  SignInMethod,
  SignInProgress,
  StorageStatus,
  TokenFormat,
  TokenRequest,
} from '../../preload/contract';
import { SerializableTokenCache } from '../auth/token-cache';
import type { AuthorizationBroker, BrokerPrepareOptions, TokenSuccess } from '../auth/types';
import type { SignInBroker } from '../brokers/broker';
import type { ClipboardAdapter } from '../clipboard/clipboard';
import { ClipboardService, type Timers } from '../clipboard/clipboard-service';
// The renderer's rules for what an error may show (no raw internal messages), also for the
// copies of an error that reach it outside a call's answer: events and stored `lastError`s.
import { toErrorInfo as toBoundaryErrorInfo } from '../ipc/error-info';
import type { Cipher } from '../persistence/cipher';
import { EncryptedCacheStore } from '../persistence/encrypted-cache-store';
import type { KeyValueStore } from '../persistence/settings-store';
import { AccountRegistry, accountIdFor, type AccountRecord } from './accounts';
import { AutoRefresher, type RefreshOutcome } from './auto-refresh';
import { AppError, describeOAuthError, fromTokenError, toAppError } from './errors';
import { DEMO_PROFILE_ID, ENTRA_NATIVE_REDIRECT_URI, findInvalidScope, type DemoProfileFields, listPresets, normaliseScopes, ProfileRegistry, validateProfile } from './profiles';
import { applySettingsPatch, readSettings, SETTINGS_KEY } from './settings';
import { TokenService, type ClientOptionsHooks } from './tokens';
import { buildTrayModel, type TrayModel } from './tray-model';

/** What the embedded-window broker factory is told: the profile and, when re-signing in, the account. */
export interface EmbeddedBrokerContext {
  readonly profile: ProviderProfile;
  /** The account being re-authenticated (its session partition is reused); absent for a new account. */
  readonly accountKey?: string;
}

/** Where the encrypted token cache lives: the pieces of an `EncryptedCacheStore`. */
export interface CacheStorage {
  readonly cipher: Cipher;
  /** Defaults to the settings store. */
  readonly store?: KeyValueStore;
  /** Where copies of undecryptable ciphertext are kept. */
  readonly backupDir: string;
}

/** The system-browser broker (a `LoopbackBroker`): binds its loopback port in `prepare`, frees an unused one in `dispose`. */
export interface LoopbackSignInBroker extends SignInBroker {
  prepare(): Promise<{ readonly redirectUri: string }>;
  dispose(): Promise<void> | void;
}

/** Everything the core needs from its host. */
export interface AppCoreDeps extends ClientOptionsHooks {
  readonly mode: 'electron' | 'browser';
  readonly version: string;
  /** Defaults to `process.platform`. */
  readonly platform?: string;
  /** Non-secret settings, profiles and account metadata (a `QuarantiningStore` reports a moved-away file). */
  readonly settingsStore: KeyValueStore;
  readonly cacheStorage: CacheStorage;
  readonly clipboard: ClipboardAdapter;
  readonly brokers: {
    /** The Electron window broker; absent in browser mode. */
    readonly embedded?: (context: EmbeddedBrokerContext) => SignInBroker;
    /** The system browser with a loopback listener. */
    readonly systemBrowser: () => LoopbackSignInBroker;
  };
  /** Clears the embedded sign-in session partition of a removed account. */
  readonly clearSignInSession?: (accountKey: string) => Promise<void> | void;
  /** The local demo provider's profile; present only from a source checkout. */
  readonly demoProfile?: DemoProfileFields;
  readonly timers?: Timers;
  /** Epoch milliseconds. */
  readonly now?: () => number;
  /** Time limit of an interactive sign-in; default 5 minutes. */
  readonly signInTimeoutMs?: number;
  /** Diagnostics sink (codes and ids only; never tokens). Default: none. */
  readonly log?: (line: string) => void;
}

/** The services behind `ApiMethods`, plus what the hosts (tray, IPC, browser mode) need. */
export interface AppCore extends ApiMethods {
  /** Pushes for the renderer and the tray; returns an unsubscribe function. */
  subscribe(listener: (event: AppEvent) => void): () => void;
  /** The tray menu for the current accounts. */
  trayModel(): TrayModel;
  /** The tray's "copy access token": the account's default scopes, raw. */
  copyDefaultToken(accountId: AccountId): Promise<CopyResult>;
  /** Where the token cache lives and why (synchronous, for start-up decisions). */
  storageStatus(): StorageStatus;
  /** Stops timers and pending sign-ins, clears our clipboard contents, saves the cache. */
  dispose(): Promise<void>;
}

const DEFAULT_SIGN_IN_TIMEOUT_MS = 5 * 60_000;

const systemTimers: Timers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A pending refresh or clipboard clear must not keep a test or a CLI host alive.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface AcquiredToken {
  readonly token: TokenSuccess;
  /** Epoch seconds. */
  readonly expiresOn: number;
  readonly scopes: readonly string[];
}

/**
 * Builds the app core: loads settings, profiles, account metadata and the encrypted cache, and
 * arms auto-refresh for pinned accounts.
 */
export async function createAppCore(deps: AppCoreDeps): Promise<AppCore> {
  return new Core(deps);
}

class Core implements AppCore {
  readonly #deps: AppCoreDeps;
  readonly #now: () => number;
  readonly #listeners = new Set<(event: AppEvent) => void>();
  readonly #profiles: ProfileRegistry;
  readonly #accounts: AccountRegistry;
  readonly #tokens: TokenService;
  readonly #clipboard: ClipboardService;
  readonly #autoRefresh: AutoRefresher;
  readonly #refreshing = new Set<AccountId>();
  readonly #locks = new Map<AccountId, Promise<unknown>>();
  readonly #cacheKv: KeyValueStore;
  #settings: Settings;
  #cacheStore: EncryptedCacheStore;
  #undecryptableBackup: string | undefined;
  #saveError: string | undefined;
  #signIn: AbortController | undefined;
  #disposed = false;

  constructor(deps: AppCoreDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    const timers = deps.timers ?? systemTimers;
    this.#settings = readSettings(deps.settingsStore);
    this.#profiles = new ProfileRegistry(deps.settingsStore, deps.demoProfile);
    this.#accounts = new AccountRegistry(deps.settingsStore);
    this.#tokens = new TokenService(new SerializableTokenCache(), deps, deps.version);
    this.#cacheKv = deps.cacheStorage.store ?? deps.settingsStore;
    this.#cacheStore = this.#makeCacheStore();
    this.#loadCache();

    // Clearing goes through this wrapper so the UI hears about it.
    const clipboard: ClipboardAdapter = {
      writeSecret: (text) => deps.clipboard.writeSecret(text),
      readText: () => deps.clipboard.readText(),
      clear: async () => {
        await deps.clipboard.clear();
        this.#emit({ type: 'clipboard-cleared' });
      },
    };
    this.#clipboard = new ClipboardService(clipboard, {
      clearAfterMs: Math.max(1, this.#settings.clipboardClearSeconds) * 1000,
      timers,
      now: this.#now,
      onClearError: () => this.#log('clipboard clear failed'),
    });
    this.#autoRefresh = new AutoRefresher({
      timers,
      now: this.#now,
      leadMinutes: () => this.#settings.autoRefreshLeadMinutes,
      refresh: (id) => this.#autoRefreshOne(id),
    });
    for (const record of this.#accounts.list()) if (record.pinned && !record.needsSignIn) this.#schedule(record);
  }

  // ---------------------------------------------------------------------------------------------
  // Host-facing

  subscribe(listener: (event: AppEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  trayModel(): TrayModel {
    return buildTrayModel(this.#views());
  }

  copyDefaultToken(accountId: AccountId): Promise<CopyResult> {
    return this.copyToken({ accountId, format: 'raw' });
  }

  storageStatus(): StorageStatus {
    // Either file may have been quarantined: the settings, or the cache when it has a file of its own.
    const quarantinedOf = (store: unknown): unknown => (store as { quarantined?: unknown }).quarantined;
    const quarantined = quarantinedOf(this.#deps.settingsStore) ?? quarantinedOf(this.#cacheKv);
    // A store that cannot save (damaged file on a read-only disk, no folder) says why.
    const problemOf = (store: unknown): string | undefined => (store as { problem?: { message?: string } }).problem?.message;
    const memoryReason = this.#cacheStore.mode === 'memory-only' ? this.#cacheStore.memoryOnlyReason : undefined;
    const reasons = [memoryReason, this.#saveError, problemOf(this.#deps.settingsStore), problemOf(this.#cacheKv)].filter((r): r is string => !!r);
    const reason = [...new Set(reasons)].join(' ');
    const backup = this.#undecryptableBackup ?? this.#cacheStore.lastBackup;
    return {
      mode: this.#cacheStore.mode,
      backend: this.#deps.cacheStorage.cipher.backend,
      ...(reason ? { reason } : {}),
      ...(typeof quarantined === 'string' ? { quarantinedFile: quarantined } : {}),
      ...(backup ? { undecryptableBackup: backup } : {}),
    };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#signIn?.abort();
    this.#autoRefresh.dispose();
    await Promise.allSettled([...this.#locks.values()]);
    this.#persist();
    await this.#clipboard.dispose();
    this.#listeners.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // ApiMethods: app, profiles, settings

  async getAppInfo(): Promise<AppInfo> {
    return {
      version: this.#deps.version,
      platform: this.#deps.platform ?? process.platform,
      mode: this.#deps.mode,
      demoProviderAvailable: this.#deps.demoProfile !== undefined,
    };
  }

  async listPresets(): Promise<readonly ProviderPreset[]> {
    return listPresets(this.#profiles.find(DEMO_PROFILE_ID));
  }

  async listProfiles(): Promise<readonly ProviderProfile[]> {
    return this.#profiles.list();
  }

  async validateProfile(draft: ProfileDraft): Promise<ProfileValidation> {
    return validateProfile(draft, (profile) => this.#tokens.discover(profile));
  }

  async saveProfile(draft: ProfileDraft): Promise<ProviderProfile> {
    this.#assertLive();
    const profile = this.#profiles.save(draft);
    this.#emitAccounts(); // profile names and statuses (new default scopes) may have changed
    return profile;
  }

  async deleteProfile(profileId: ProfileId): Promise<void> {
    this.#assertLive();
    const inUse = this.#accounts.list().filter((r) => r.profileId === profileId).length;
    if (inUse > 0) {
      throw new AppError('profile_in_use', `Remove the ${inUse} account${inUse === 1 ? '' : 's'} of this profile first.`);
    }
    this.#profiles.delete(profileId);
    this.#tokens.forget(profileId);
  }

  async getSettings(): Promise<Settings> {
    return this.#settings;
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    this.#assertLive();
    const previous = this.#settings;
    const next = applySettingsPatch(previous, patch);
    this.#deps.settingsStore.set(SETTINGS_KEY, next);
    this.#settings = next;
    if (next.clipboardClearSeconds > 0) this.#clipboard.setClearAfterMs(next.clipboardClearSeconds * 1000);
    if (next.allowWeakEncryption !== previous.allowWeakEncryption) {
      this.#cacheStore = this.#makeCacheStore();
      if (this.#cacheStore.mode === 'encrypted') {
        this.#tokens.cache.hasStateChanged = true;
        this.#persist();
      } else {
        // The user withdrew consent to weak encryption: take the obfuscated tokens off the disk
        // (only those; strongly protected or unreadable data is kept — issue 8 item 2).
        try {
          this.#cacheStore.discardWeakCopy();
        } catch (error) {
          this.#saveError = toBoundaryErrorInfo(error).message;
        }
      }
      this.#emit({ type: 'storage-status', status: this.storageStatus() });
      this.#emitAccounts();
    }
    if (next.autoRefreshLeadMinutes !== previous.autoRefreshLeadMinutes) {
      for (const record of this.#accounts.list()) if (record.pinned && !record.needsSignIn) this.#schedule(record);
    }
    return next;
  }

  async getStorageStatus(): Promise<StorageStatus> {
    return this.storageStatus();
  }

  // ---------------------------------------------------------------------------------------------
  // ApiMethods: accounts

  async listAccounts(): Promise<readonly AccountView[]> {
    const views = this.#views();
    this.#persist(); // a status read may have purged expired access tokens
    return views;
  }

  async addAccount(request: AddAccountRequest): Promise<AccountView> {
    this.#assertLive();
    if (typeof request !== 'object' || request === null || typeof request.profileId !== 'string') {
      throw new AppError('invalid_argument', 'Choose a provider profile to sign in with.');
    }
    const profile = this.#profiles.get(request.profileId);
    const method = this.#methodFor(profile, request.method);
    const loginHint = typeof request.loginHint === 'string' && request.loginHint !== '' ? request.loginHint : undefined;
    const record = await this.#interactive(profile, method, { loginHint });
    return this.#view(record);
  }

  async cancelSignIn(): Promise<void> {
    this.#signIn?.abort();
  }

  async reauthenticate(accountId: AccountId): Promise<AccountView> {
    this.#assertLive();
    const record = this.#accounts.get(accountId);
    const profile = this.#profileOf(record);
    const method = this.#methodFor(profile, undefined);
    const signedIn = await this.#interactive(profile, method, {
      loginHint: record.username,
      accountKey: record.id,
      claimsChallenge: record.claimsChallenge,
    });
    return this.#view(signedIn);
  }

  async removeAccount(accountId: AccountId): Promise<void> {
    this.#assertLive();
    const record = this.#accounts.get(accountId);
    await this.#withLock(record.id, async () => {
      const profile = this.#profiles.find(record.profileId);
      if (profile) await this.#tokens.remove(profile, record);
      this.#autoRefresh.cancel(record.id);
      this.#accounts.remove(record.id);
      this.#refreshing.delete(record.id);
      this.#persist();
    });
    try {
      await this.#deps.clearSignInSession?.(record.id);
    } catch {
      this.#log('clearing the sign-in session failed');
    }
    this.#emitAccounts();
  }

  async refreshAccount(accountId: AccountId): Promise<AccountView> {
    this.#assertLive();
    const acquired = await this.#acquire(accountId, undefined, true);
    const record = this.#accounts.get(accountId);
    if (record.pinned) this.#autoRefresh.schedule(record.id, acquired.expiresOn, true);
    return this.#view(record);
  }

  async setPinned(accountId: AccountId, pinned: boolean): Promise<AccountView> {
    this.#assertLive();
    if (typeof pinned !== 'boolean') throw new AppError('invalid_argument', 'pinned must be true or false.');
    const record = this.#accounts.update(this.#accounts.get(accountId).id, { pinned });
    if (pinned && !record.needsSignIn) this.#schedule(record);
    else this.#autoRefresh.cancel(record.id);
    const view = this.#view(record);
    this.#emit({ type: 'account-updated', account: view });
    return view;
  }

  // ---------------------------------------------------------------------------------------------
  // ApiMethods: tokens

  async copyToken(request: CopyTokenRequest): Promise<CopyResult> {
    this.#assertLive();
    const format = checkFormat(request?.format);
    const acquired = await this.#acquire(request?.accountId, request?.scopes, false);
    const text = format === 'bearer' ? `Authorization: Bearer ${acquired.token.access_token}` : acquired.token.access_token;
    let clearsAt: number | null = null;
    if (this.#settings.clipboardClearSeconds > 0) {
      ({ clearsAt } = await this.#clipboard.copySecret(text));
    } else {
      await this.#deps.clipboard.writeSecret(text);
    }
    return { format, clearsAt, expiresOn: acquired.expiresOn };
  }

  async revealToken(request: TokenRequest): Promise<RevealedToken> {
    this.#assertLive();
    const acquired = await this.#acquire(request?.accountId, request?.scopes, false);
    return {
      accessToken: acquired.token.access_token,
      tokenType: acquired.token.token_type || 'Bearer',
      expiresOn: acquired.expiresOn,
      scopes: acquired.scopes,
      source: acquired.token.token_source,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Sign-in

  #methodFor(profile: ProviderProfile, requested: unknown): SignInMethod {
    if (requested !== undefined && requested !== 'embedded' && requested !== 'system-browser') {
      throw new AppError('invalid_argument', 'The sign-in method must be "embedded" or "system-browser".');
    }
    // Google refuses embedded windows (disallowed_useragent): never offer it one.
    if (profile.preset === 'google') return 'system-browser';
    return (requested as SignInMethod | undefined) ?? profile.signInMethod ?? this.#settings.defaultSignInMethod;
  }

  async #interactive(
    profile: ProviderProfile,
    method: SignInMethod,
    options: { loginHint?: string; accountKey?: string; claimsChallenge?: string },
  ): Promise<AccountRecord> {
    // One sign-in at a time: starting another abandons the one the user walked away from.
    this.#signIn?.abort();
    const controller = new AbortController();
    this.#signIn = controller;
    const progress = (p: SignInProgress): void => this.#emit({ type: 'sign-in-progress', progress: p });
    try {
      const { broker, redirectUri } = this.#brokerFor(profile, method, options.accountKey, () =>
        progress({ kind: 'redeeming', profileId: profile.id }),
      );
      const { result, identity } = await this.#tokens.signIn(profile, broker, {
        redirectUri,
        loginHint: options.loginHint,
        claimsChallenge: options.claimsChallenge,
        signal: controller.signal,
        timeoutMs: this.#deps.signInTimeoutMs ?? DEFAULT_SIGN_IN_TIMEOUT_MS,
        onWaitingForUser: () => progress({ kind: 'waiting-for-user', profileId: profile.id, method, host: hostOf(profile.authority) }),
      });
      this.#persist();
      if (result.error || !identity) {
        throw new AppError(result.error || 'sign_in_failed', describeOAuthError(result.error ? result : { error: 'sign_in_failed' }));
      }
      if (this.#disposed) throw new AppError('disposed', 'The app is shutting down.');
      const id = accountIdFor(profile.id, identity.homeAccountId, identity.environment);
      const record = this.#accounts.upsert({ id, profileId: profile.id, ...identity, pinned: false, addedAt: this.#now() });
      this.#log(`signed in account ${id} (profile ${profile.id})`);
      progress({ kind: 'done', profileId: profile.id, accountId: id });
      if (record.pinned) this.#schedule(record);
      this.#emitAccounts();
      return record;
    } catch (error) {
      const appError = toAppError(error);
      this.#log(`sign-in failed: ${appError.code}`);
      progress({ kind: 'failed', profileId: profile.id, error: toBoundaryErrorInfo(appError) });
      throw appError;
    } finally {
      if (this.#signIn === controller) this.#signIn = undefined;
    }
  }

  #brokerFor(
    profile: ProviderProfile,
    method: SignInMethod,
    accountKey: string | undefined,
    onRedirect: () => void,
  ): { broker: AuthorizationBroker; redirectUri?: string } {
    if (method === 'embedded') {
      const factory = this.#deps.brokers.embedded;
      if (!factory) {
        throw new AppError(
          'embedded_unavailable',
          'The embedded sign-in window is not available here (browser mode). Sign in with the system browser instead.',
        );
      }
      const redirectUri = profile.redirectUri ?? (profile.kind === 'entra' ? ENTRA_NATIVE_REDIRECT_URI : undefined);
      if (!redirectUri) throw new AppError('invalid_profile', 'This profile has no redirect URI for the embedded window. Edit the profile, or use the system browser.');
      return { broker: adaptBroker(factory({ profile, ...(accountKey ? { accountKey } : {}) }), onRedirect), redirectUri };
    }
    return { broker: adaptBroker(this.#deps.brokers.systemBrowser(), onRedirect) };
  }

  // ---------------------------------------------------------------------------------------------
  // Tokens

  /** Silent acquisition with the account's bookkeeping: refreshing state, needs-sign-in, events, persistence. */
  #acquire(accountId: unknown, scopesInput: unknown, forceRefresh: boolean): Promise<AcquiredToken> {
    const record = this.#accounts.get(accountId);
    // Serialized per account: two refreshes racing with one rotating refresh token would make the
    // provider see a reused token and revoke the whole grant (RFC 9700 §4.14.2).
    return this.#withLock(record.id, () => this.#acquireLocked(record.id, scopesInput, forceRefresh));
  }

  async #acquireLocked(accountId: AccountId, scopesInput: unknown, forceRefresh: boolean): Promise<AcquiredToken> {
    const record = this.#accounts.get(accountId);
    const profile = this.#profileOf(record);
    const scopes = scopesInput === undefined ? [...profile.defaultScopes] : checkScopes(scopesInput);
    const network = forceRefresh || !this.#tokens.hasFreshAccessToken(profile, record, scopes, this.#now());
    if (network) {
      this.#refreshing.add(record.id);
      this.#emitAccount(record.id);
    }
    let result;
    try {
      result = await this.#tokens.acquireSilent(profile, record, scopes, forceRefresh);
    } catch (error) {
      const appError = toAppError(error);
      this.#refreshing.delete(record.id);
      this.#accounts.update(record.id, { lastError: toBoundaryErrorInfo(appError) });
      this.#emitAccount(record.id);
      throw appError;
    } finally {
      this.#refreshing.delete(record.id);
      this.#persist();
    }
    if (result === null) {
      const reason = this.#noTokenReason();
      this.#markNeedsSignIn(record, reason, undefined);
      throw new AppError('needs_sign_in', reason);
    }
    if (result.error) {
      const error = fromTokenError(result);
      if (error.code === 'needs_sign_in') {
        this.#markNeedsSignIn(record, error.message, typeof result.claims === 'string' ? result.claims : undefined);
      } else {
        this.#accounts.update(record.id, { lastError: error.toInfo() });
        this.#emitAccount(record.id);
      }
      throw error;
    }
    const token = result as TokenSuccess;
    const expiresOn = Math.floor(this.#now() / 1000) + (typeof token.expires_in === 'number' ? token.expires_in : 0);
    if (record.needsSignIn || record.lastError || record.claimsChallenge) {
      this.#accounts.update(record.id, { needsSignIn: undefined, lastError: undefined, claimsChallenge: undefined });
    }
    if (token.token_source === 'identity_provider') {
      this.#log(`refreshed a token for account ${record.id}`);
      this.#emit({ type: 'token-refreshed', accountId: record.id, expiresOn });
    }
    if (network) this.#emitAccount(record.id);
    return { token, expiresOn, scopes };
  }

  async #autoRefreshOne(accountId: AccountId): Promise<RefreshOutcome> {
    if (!this.#accounts.find(accountId)?.pinned) return { kind: 'needs-sign-in' };
    try {
      const acquired = await this.#acquire(accountId, undefined, true);
      return { kind: 'refreshed', expiresOn: acquired.expiresOn };
    } catch (error) {
      const code = toAppError(error).code;
      return code === 'needs_sign_in' || code === 'not_found' ? { kind: 'needs-sign-in' } : { kind: 'retry' };
    }
  }

  #schedule(record: AccountRecord): void {
    const profile = this.#profiles.find(record.profileId);
    if (!profile) return;
    const status = this.#tokens.statusFromCache(profile, record, this.#now());
    this.#autoRefresh.schedule(record.id, status.kind === 'valid' ? status.expiresOn : undefined);
  }

  #markNeedsSignIn(record: AccountRecord, reason: string, claimsChallenge: string | undefined): void {
    this.#accounts.update(record.id, { needsSignIn: reason, claimsChallenge, lastError: { code: 'needs_sign_in', message: reason } });
    this.#autoRefresh.cancel(record.id);
    this.#log(`account ${record.id} needs sign-in`);
    this.#emit({ type: 'needs-sign-in', accountId: record.id, reason });
    this.#emitAccount(record.id);
  }

  #noTokenReason(): string {
    return this.#cacheStore.mode === 'memory-only'
      ? 'Tokens were kept in memory only, so this account must sign in again after a restart.'
      : 'No saved sign-in for this account. Sign in again.';
  }

  async #withLock<T>(key: AccountId, task: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(task);
    const tail = run.catch(() => undefined);
    this.#locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Views and events

  #profileOf(record: AccountRecord): ProviderProfile {
    const profile = this.#profiles.find(record.profileId);
    if (!profile) throw new AppError('not_found', 'The provider profile of this account was deleted. Remove the account and add it again.');
    return profile;
  }

  #status(record: AccountRecord, profile: ProviderProfile | undefined): AccountStatus {
    if (this.#refreshing.has(record.id)) return { kind: 'refreshing' };
    if (record.needsSignIn) return { kind: 'needs-sign-in', reason: record.needsSignIn };
    if (!profile) return { kind: 'unknown' };
    const status = this.#tokens.statusFromCache(profile, record, this.#now());
    return status.kind === 'needs-sign-in' ? { kind: 'needs-sign-in', reason: this.#noTokenReason() } : status;
  }

  #view(record: AccountRecord): AccountView {
    const profile = this.#profiles.find(record.profileId);
    return {
      id: record.id,
      profileId: record.profileId,
      profileName: profile?.name ?? 'Deleted profile',
      providerKind: profile?.kind ?? 'oidc',
      username: record.username,
      ...(record.displayName ? { displayName: record.displayName } : {}),
      ...(record.tenant ? { tenant: record.tenant } : {}),
      status: this.#status(record, profile),
      pinned: record.pinned,
      storage: this.#cacheStore.mode,
      ...(record.lastError ? { lastError: record.lastError } : {}),
    };
  }

  #views(): AccountView[] {
    return this.#accounts.list().map((record) => this.#view(record));
  }

  #emit(event: AppEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        this.#log(`an event listener threw on ${event.type}`);
      }
    }
  }

  #emitAccount(accountId: AccountId): void {
    const record = this.#accounts.find(accountId);
    if (record) this.#emit({ type: 'account-updated', account: this.#view(record) });
  }

  #emitAccounts(): void {
    this.#emit({ type: 'accounts-changed', accounts: this.#views() });
  }

  // ---------------------------------------------------------------------------------------------
  // Persistence

  #makeCacheStore(): EncryptedCacheStore {
    return new EncryptedCacheStore(this.#cacheKv, this.#deps.cacheStorage.cipher, {
      allowWeakEncryption: this.#settings.allowWeakEncryption,
      backupDir: this.#deps.cacheStorage.backupDir,
      now: this.#now,
    });
  }

  #loadCache(): void {
    // The store hands the text to the cache and learns whether it parsed: data that does not
    // decrypt or parse is kept and backed up by the store, never overwritten unread.
    const loaded = this.#cacheStore.load((text) => this.#tokens.cache.deserialize(text));
    if (loaded.kind === 'undecryptable') {
      this.#undecryptableBackup = loaded.backupPath;
      if (loaded.backupProblem) this.#saveError = loaded.reason;
      this.#markAllNeedSignIn(loaded.reason);
    }
  }

  #markAllNeedSignIn(reason: string): void {
    this.#accounts.updateAll({ needsSignIn: reason, lastError: { code: 'needs_sign_in', message: reason } });
  }

  /** Saves the cache when it changed; a failure is reported in the storage status, never thrown. */
  #persist(): void {
    if (!this.#tokens.cache.hasStateChanged) return;
    const text = this.#tokens.cache.serialize();
    try {
      this.#cacheStore.save(text);
      if (this.#saveError) {
        this.#saveError = undefined;
        this.#emit({ type: 'storage-status', status: this.storageStatus() });
      }
    } catch (error) {
      const info = toBoundaryErrorInfo(error);
      this.#saveError = info.message;
      this.#log(`saving the token cache failed: ${info.code}`);
      this.#emit({ type: 'storage-status', status: this.storageStatus() });
    }
  }

  #assertLive(): void {
    if (this.#disposed) throw new AppError('disposed', 'The app is shutting down.');
  }

  #log(line: string): void {
    this.#deps.log?.(line);
  }
}

/**
 * A {@link SignInBroker} as the auth core's `AuthorizationBroker`: a hook once the redirect
 * arrived and, for the loopback broker, `prepare` (its port) and `close` releasing an unused listener.
 */
function adaptBroker(broker: AuthorizationBroker, onRedirect: () => void): AuthorizationBroker {
  const open: AuthorizationBroker['open'] = async (url, redirectUri, options) => {
    const redirected = await broker.open(url, redirectUri, options);
    onRedirect();
    return redirected;
  };
  return {
    ...(broker.kind ? { kind: broker.kind } : {}),
    // The auth core says how its authority spells a loopback redirect (main/auth/loopback-broker.ts).
    ...(broker.prepare ? { prepare: (options?: BrokerPrepareOptions) => broker.prepare!(options) } : {}),
    open,
    ...(broker.close ? { close: () => void Promise.resolve(broker.close?.()).catch(() => undefined) } : {}),
  };
}

function checkFormat(format: unknown): TokenFormat {
  if (format !== 'raw' && format !== 'bearer') throw new AppError('invalid_argument', 'The token format must be "raw" or "bearer".');
  return format;
}

function checkScopes(scopes: unknown): string[] {
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) {
    throw new AppError('invalid_argument', 'Scopes must be a list of strings.');
  }
  const bad = findInvalidScope(scopes);
  if (bad !== undefined) throw new AppError('invalid_argument', `Not a valid scope: "${bad.slice(0, 80)}".`);
  return normaliseScopes(scopes);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
