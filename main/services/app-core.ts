/**
 * The app core: the composition root of the services behind `ApiMethods`, shared by the Electron
 * main process, the browser-mode host and the command-line bridge.
 *
 * Plain Node. It wires collaborators with one job each — cache persistence, sign-in, account
 * tokens, account views, the event hub — and keeps settings and profiles. Inputs are typed: the
 * boundary (`main/boundary/schema.ts`) validated them. Tokens leave only through `revealToken`,
 * `acquireAccessToken` and the clipboard, and never appear in a log line, event or error message.
 */
import type { AccountId, AccountView, AddAccountRequest, AppInfo, CopyResult, CopyTokenRequest, DeviceCodePart, IdTokenDetails, IdTokenRequest, ProfileDraft, ProfileId, ProviderProfile, RevealedToken, Settings, StorageStatus, TokenRequest } from '../../preload/contract';
import { decodeBase64Json, decodeJwtPayload } from '../auth';
import { AppError, redact } from '../errors';
import { AccountRegistry, type AccountRecord } from './accounts';
import { AccountTokens } from './account-tokens';
import { AccountViews } from './account-views';
import { addAppIdentity } from './app-identities';
import type { AccessTokenGrant, AccessTokenOptions, AppCore, AppCoreDeps } from './app-core-types';
import { CachePersistence, registerMaterial } from './cache-persistence';
import { EventHub } from './event-hub';
import { checkCaFile, checkSecretFields, DEMO_PROFILE_ID, listPresets, normaliseScopes, ProfileRegistry, validateProfile } from './profiles';
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
  #settings: Settings;
  #disposed = false;

  constructor(deps: AppCoreDeps) {
    this.#deps = deps;
    const now = deps.now ?? Date.now;
    const log = (line: string): void => deps.log?.(redact(line));
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
    const onSignedIn = (record: AccountRecord): void => {
      if (record.pinned) accountTokens.schedule(record);
      views.emitAccounts();
    };
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
  listProfiles = async () => this.#profiles.list().map((profile) => this.#profileView(profile));
  listPresets = async () => listPresets(this.#profiles.find(DEMO_PROFILE_ID));
  validateProfile = async (draft: ProfileDraft) => {
    registerDraftSecrets(draft);
    return validateProfile(draft, (profile) => this.#tokens.discover(profile), this.#savedCredentialKind(draft.id));
  };
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

  async saveProfile(draft: ProfileDraft) {
    this.#assertLive();
    registerDraftSecrets(draft);
    // The secret and CA checks the registry cannot make: it knows neither secrets nor files.
    const problem = Object.values(checkSecretFields(draft, this.#savedCredentialKind(draft.id)))[0] ?? (draft.caFile?.trim() ? checkCaFile(draft.caFile) : undefined);
    if (problem) throw new AppError('invalid_profile', problem);
    const existing = draft.id ? this.#profiles.find(draft.id) : undefined;
    if (existing && (existing.grant === 'app') !== (draft.grant === 'app') && this.#accounts.list().some((r) => r.profileId === existing.id)) {
      throw new AppError('profile_in_use', 'Remove the accounts of this profile before switching it between user sign-in and app identity.');
    }
    const profile = this.#profiles.save(draft);
    // Secrets go to the encrypted store only after the profile (without them) was saved.
    if (!profile.clientAuth) this.#persistence.deleteSecret(profile.id);
    else if (draft.clientSecret !== undefined && profile.clientAuth.kind === 'secret') this.#persistence.setSecret(profile.id, { clientSecret: draft.clientSecret });
    else if (draft.privateKey !== undefined && profile.clientAuth.kind === 'certificate') this.#persistence.setSecret(profile.id, { privateKey: draft.privateKey.trim() });
    this.#tokens.forget(profile.id); // a client built with the old secret must not be reused
    this.#views.emitAccounts(); // profile names and statuses (new default scopes) may have changed
    return this.#profileView(profile);
  }

  async deleteProfile(profileId: ProfileId): Promise<void> {
    this.#assertLive();
    const inUse = this.#accounts.list().filter((r) => r.profileId === profileId).length;
    if (inUse > 0) throw new AppError('profile_in_use', `Remove the ${inUse} account${inUse === 1 ? '' : 's'} of this profile first.`);
    this.#profiles.delete(profileId);
    this.#persistence.deleteSecret(profileId);
    this.#tokens.forget(profileId);
  }

  // What the renderer sees: whether the secret is saved, never the secret.
  #profileView(profile: ProviderProfile): ProviderProfile {
    if (!profile.clientAuth) return profile;
    return { ...profile, clientAuth: { ...profile.clientAuth, saved: this.#tokens.hasCredential(profile) } };
  }

  #savedCredentialKind(profileId: ProfileId | undefined): 'secret' | 'certificate' | undefined {
    const material = profileId ? this.#persistence.secretOf(profileId) : undefined;
    return material ? ('clientSecret' in material ? 'secret' : 'certificate') : undefined;
  }

  #addAppIdentity(profile: ProviderProfile) {
    const onSignedIn = (record: AccountRecord): void => {
      if (record.pinned) this.#accountTokens.schedule(record);
      this.#views.emitAccounts();
    };
    const { now = Date.now } = this.#deps;
    const log = (line: string): void => this.#deps.log?.(redact(line));
    return addAppIdentity({ tokens: this.#tokens, accounts: this.#accounts, persistence: this.#persistence, hub: this.#hub, now, log, onSignedIn }, profile);
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
    let header: unknown;
    let claims: Record<string, unknown>;
    try {
      header = decodeBase64Json(token.split('.')[0] ?? '');
      claims = decodeJwtPayload(token);
    } catch {
      throw new AppError('malformed_response', 'The saved ID token of this account cannot be read. Sign in again to get a new one.');
    }
    const exp = claims['exp'];
    return {
      header: typeof header === 'object' && header !== null ? (header as Record<string, unknown>) : {},
      claims,
      ...(typeof exp === 'number' ? { expiresOn: exp } : {}),
      // The raw token only when the user asked to see it.
      ...(request.raw === true ? { idToken: token } : {}),
    };
  }

  async removeAccount(accountId: AccountId): Promise<void> {
    this.#assertLive();
    const record = this.#accounts.get(accountId);
    await this.#accountTokens.remove(record);
    // Removing an app identity forgets its credential too: the identity is the client id and its secret.
    const profile = this.#profiles.find(record.profileId);
    if (profile && isAppProfile(profile)) {
      this.#persistence.deleteSecret(profile.id);
      this.#tokens.forget(profile.id);
    }
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

// A secret is registered with the redactor the moment it enters, before any message could quote it.
function registerDraftSecrets(draft: ProfileDraft): void {
  if (draft.clientSecret) registerMaterial({ clientSecret: draft.clientSecret });
  if (draft.privateKey) registerMaterial({ privateKey: draft.privateKey });
}
