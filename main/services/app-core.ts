/**
 * The app core: the composition root of the services behind `ApiMethods`, shared by the Electron
 * main process, the browser-mode host and the command-line bridge.
 *
 * Plain Node. It wires collaborators with one job each — cache persistence, sign-in, account
 * tokens, account views, profiles with their secrets, the event hub — and keeps the settings. Inputs are typed: the
 * boundary (`main/boundary/schema.ts`) validated them. Tokens leave only through `revealToken`,
 * `acquireAccessToken` and the clipboard, and never appear in a log line, event or error message.
 */
import type { AccountId, AccountView, AddAccountRequest, AppInfo, CopyResult, CopyTokenRequest, DeviceCodePart, IdTokenDetails, IdTokenRequest, ProfileDraft, ProfileId, ProviderProfile, RevealedToken, Settings, StorageStatus, TokenRequest } from '../../preload/contract';
import { AppError, redact } from '../errors';
import { AccountRegistry, type AccountRecord } from './accounts';
import { AccountTokens } from './account-tokens';
import { AccountViews } from './account-views';
import { addAppIdentity } from './app-identities';
import type { AccessTokenGrant, AccessTokenOptions, AppCore, AppCoreDeps } from './app-core-types';
import { CachePersistence } from './cache-persistence';
import { EventHub } from './event-hub';
import { idTokenDetails } from './id-token-details';
import { normaliseScopes, ProfileRegistry } from './profiles';
import { ProfileService } from './profile-service';
import { applySettingsPatch, readSettings, SETTINGS_KEY } from './settings';
import { SignInFlow } from './sign-in';
import { systemTimers } from './system-timers';
import { TokenCopier } from './token-copier';
import { isAppProfile, TokenService } from './tokens';
import { buildTrayModel, type TrayModel } from './tray-model';

export type { AccessTokenGrant, AccessTokenOptions, AppCore, AppCoreDeps } from './app-core-types';

const DEFAULT_SIGN_IN_TIMEOUT_MS = 5 * 60_000;

/** Builds the app core: loads settings, profiles, accounts and the cache; arms auto-refresh of pinned accounts. */
export async function createAppCore(deps: AppCoreDeps): Promise<AppCore> {
  return new Core(deps);
}

class Core implements AppCore {
  readonly #deps: AppCoreDeps;
  readonly #hub: EventHub;
  readonly #profiles: ProfileRegistry;
  readonly #accounts: AccountRegistry;
  readonly #persistence: CachePersistence;
  readonly #tokens: TokenService;
  readonly #views: AccountViews;
  readonly #accountTokens: AccountTokens;
  readonly #signIn: SignInFlow;
  readonly #copier: TokenCopier;
  readonly #profileService: ProfileService;
  /** Every log line, redacted by value first. */
  readonly #log: (line: string) => void;
  /** A signed-in (or added) account: arm its auto-refresh when pinned, show it. */
  readonly #onSignedIn: (record: AccountRecord) => void;
  #settings: Settings;
  #disposed = false;

  constructor(deps: AppCoreDeps) {
    this.#deps = deps;
    const now = deps.now ?? Date.now;
    const log = (this.#log = (line: string): void => deps.log?.(redact(line)));
    const timers = deps.timers ?? systemTimers;
    const hub = (this.#hub = new EventHub(log));
    this.#settings = readSettings(deps.settingsStore);
    const profiles = (this.#profiles = new ProfileRegistry(deps.settingsStore, deps.demoProfile));
    const accounts = (this.#accounts = new AccountRegistry(deps.settingsStore));
    const { settingsStore, cacheStorage: storage } = deps;
    const onStatusChange = (status: StorageStatus): void => hub.emit({ type: 'storage-status', status });
    const persistence = (this.#persistence = new CachePersistence({ storage, settingsStore, allowWeakEncryption: this.#settings.allowWeakEncryption, now, onStatusChange, log }));
    const loaded = persistence.load();
    if (!loaded.readable) accounts.updateAll({ needsSignIn: loaded.reason, lastError: { code: 'needs_sign_in', message: loaded.reason } });
    // The loaded cache registered every secret: a file written before redaction by value loses any it quotes.
    accounts.redactMessages(redact);
    const tokens = (this.#tokens = new TokenService(persistence.cache, deps, deps.version, (id) => persistence.secretOf(id)));
    const leadMinutes = () => this.#settings.autoRefreshLeadMinutes;
    const accountTokens = (this.#accountTokens = new AccountTokens({ accounts, profiles, tokens, persistence, hub, timers, now, log, leadMinutes, views: () => this.#views }));
    const views = (this.#views = new AccountViews({ accounts, profiles, tokens, persistence, hub, now, isRefreshing: (id) => accountTokens.isRefreshing(id) }));
    const timeoutMs = deps.signInTimeoutMs ?? DEFAULT_SIGN_IN_TIMEOUT_MS;
    const defaultMethod = () => this.#settings.defaultSignInMethod;
    const onSignedIn = (this.#onSignedIn = (record: AccountRecord): void => {
      if (record.pinned) accountTokens.schedule(record);
      views.emitAccounts();
    });
    this.#profileService = new ProfileService({ profiles, accounts, persistence, tokens, views: () => this.#views });
    const { brokers, clearSignInSession } = deps;
    this.#signIn = new SignInFlow({ tokens, accounts, persistence, hub, now, log, brokers, clearSignInSession, timeoutMs, defaultMethod, isDisposed: () => this.#disposed, onSignedIn });
    const clearAfterSeconds = this.#settings.clipboardClearSeconds;
    this.#copier = new TokenCopier({ clipboard: deps.clipboard, clearAfterSeconds, timers, now, emit: (event) => hub.emit(event), log });
    accountTokens.scheduleAll();
  }

  subscribe = (listener: Parameters<EventHub['subscribe']>[0]): (() => void) => this.#hub.subscribe(listener);
  trayModel = (): TrayModel => buildTrayModel(this.#views.views());
  copyDefaultToken = (accountId: AccountId): Promise<CopyResult> => this.copyToken({ accountId, format: 'raw' });
  storageStatus = () => this.#persistence.status();
  getStorageStatus = async () => this.#persistence.status();
  getSettings = async () => this.#settings;
  listProfiles = async () => this.#profileService.list();
  listPresets = async () => this.#profileService.presets();
  validateProfile = async (draft: ProfileDraft) => this.#profileService.validate(draft);
  cancelSignIn = async () => this.#signIn.cancel();

  async copyDeviceCode(part: DeviceCodePart): Promise<void> {
    this.#assertLive();
    await this.#copier.copy(this.#signIn.deviceCodePart(part));
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#signIn.cancel();
    await this.#accountTokens.dispose();
    this.#persistence.persist();
    await this.#copier.dispose();
    this.#hub.clear();
  }

  async getAppInfo(): Promise<AppInfo> {
    const { version, platform, mode, demoProfile } = this.#deps;
    return { version, platform: platform ?? process.platform, mode, demoProviderAvailable: demoProfile !== undefined };
  }

  async saveProfile(draft: ProfileDraft): Promise<ProviderProfile> {
    this.#assertLive();
    return this.#profileService.save(draft);
  }

  async deleteProfile(profileId: ProfileId): Promise<void> {
    this.#assertLive();
    this.#profileService.delete(profileId);
  }

  #addAppIdentity(profile: ProviderProfile) {
    const { now = Date.now } = this.#deps;
    return addAppIdentity({ tokens: this.#tokens, accounts: this.#accounts, persistence: this.#persistence, hub: this.#hub, now, log: this.#log, onSignedIn: this.#onSignedIn }, profile);
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    this.#assertLive();
    const previous = this.#settings;
    const next = applySettingsPatch(previous, patch);
    // Saved first: a refused write (full or read-only disk) leaves the settings as they were.
    this.#deps.settingsStore.set(SETTINGS_KEY, next);
    this.#settings = next;
    this.#copier.setClearAfterSeconds(next.clipboardClearSeconds);
    if (next.allowWeakEncryption !== previous.allowWeakEncryption) {
      this.#persistence.setAllowWeakEncryption(next.allowWeakEncryption);
      this.#hub.emit({ type: 'storage-status', status: this.#persistence.status() });
      this.#views.emitAccounts();
    }
    if (next.autoRefreshLeadMinutes !== previous.autoRefreshLeadMinutes) this.#accountTokens.scheduleAll();
    return next;
  }

  async listAccounts(): Promise<readonly AccountView[]> {
    const views = this.#views.views();
    this.#persistence.persist(); // a status read may have purged expired access tokens
    return views;
  }

  async addAccount(request: AddAccountRequest): Promise<AccountView> {
    this.#assertLive();
    const profile = this.#profiles.get(request.profileId);
    if (isAppProfile(profile)) return this.#views.view(await this.#addAppIdentity(profile));
    const record = await this.#signIn.addAccount(profile, request.method, request.loginHint);
    return this.#views.view(record);
  }

  async reauthenticate(accountId: AccountId): Promise<AccountView> {
    this.#assertLive();
    const record = this.#accounts.get(accountId);
    const appProfile = this.#profiles.find(record.profileId);
    if (appProfile && isAppProfile(appProfile)) return this.#views.view(await this.#addAppIdentity(appProfile));
    return this.#views.view(await this.#signIn.reauthenticate(this.#accountTokens.profileOf(record), record));
  }

  async signInForScopes(accountId: AccountId, scopes: readonly string[]): Promise<AccountView> {
    this.#assertLive();
    const record = this.#accounts.get(accountId);
    const profile = this.#accountTokens.profileOf(record);
    // An OIDC refresh token covers only the scopes of its sign-in, so the default scopes are asked
    // for too or the next default copy would fail. Entra's refresh token covers every consented
    // scope, and it refuses a request naming scopes of two resources: only the new scopes there.
    const asked = profile.kind === 'entra' ? normaliseScopes(scopes) : normaliseScopes([...profile.defaultScopes, ...scopes]);
    return this.#views.view(await this.#signIn.reauthenticate(profile, record, asked));
  }

  async getIdToken(request: IdTokenRequest): Promise<IdTokenDetails> {
    this.#assertLive();
    const record = this.#accounts.get(request.accountId);
    const token = this.#tokens.idTokenOf(this.#accountTokens.profileOf(record), record);
    if (!token) throw new AppError('not_found', 'No ID token is saved for this account. Sign in again to get one.');
    return idTokenDetails(token, request.raw === true);
  }

  async removeAccount(accountId: AccountId): Promise<void> {
    this.#assertLive();
    const record = this.#accounts.get(accountId);
    await this.#accountTokens.remove(record);
    // Removing an app identity forgets its credential too: the identity is the client id and its secret.
    const profile = this.#profiles.find(record.profileId);
    if (profile && isAppProfile(profile)) this.#profileService.forgetCredential(profile.id);
    await this.#signIn.forgetSession(record.id);
    this.#views.emitAccounts();
  }

  async refreshAccount(accountId: AccountId): Promise<AccountView> {
    this.#assertLive();
    const acquired = await this.#accountTokens.acquire(accountId, { forceRefresh: true });
    const record = this.#accounts.get(accountId);
    if (record.pinned) this.#accountTokens.scheduleAfterRefresh(record.id, acquired.expiresOn);
    return this.#views.view(record);
  }

  async setPinned(accountId: AccountId, pinned: boolean): Promise<AccountView> {
    this.#assertLive();
    const view = this.#views.view(this.#accountTokens.setPinned(accountId, pinned));
    this.#hub.emit({ type: 'account-updated', account: view });
    return view;
  }

  async copyToken(request: CopyTokenRequest): Promise<CopyResult> {
    this.#assertLive();
    const { token, expiresOn } = await this.#accountTokens.acquire(request.accountId, { scopes: request.scopes });
    const text = request.format === 'bearer' ? `Authorization: Bearer ${token.access_token}` : token.access_token;
    return { format: request.format, clearsAt: await this.#copier.copy(text), expiresOn };
  }

  async revealToken(request: TokenRequest): Promise<RevealedToken> {
    this.#assertLive();
    const { token, expiresOn, scopes } = await this.#accountTokens.acquire(request.accountId, { scopes: request.scopes });
    return { accessToken: token.access_token, tokenType: token.token_type || 'Bearer', expiresOn, scopes, source: token.token_source };
  }

  async acquireAccessToken(accountId: AccountId, options: AccessTokenOptions = {}): Promise<AccessTokenGrant> {
    this.#assertLive();
    const { token, expiresOn, scopes, idToken } = await this.#accountTokens.acquire(accountId, options);
    return { accessToken: token.access_token, tokenType: token.token_type || 'Bearer', expiresOn, scopes, ...(idToken ? { idToken } : {}) };
  }

  #assertLive(): void {
    if (this.#disposed) throw new AppError('disposed', 'The app is shutting down.');
  }
}
