/**
 * An in-memory {@link RendererApi} for component tests: canned data, recorded calls, manual pushes.
 */
import type {
  AccountView,
  ApiMethodName,
  AppEvent,
  ErrorInfo,
  IdTokenDetails,
  ProfileDraft,
  ProfileValidation,
  ProviderPreset,
  ProviderProfile,
  RendererApi,
  Result,
  RevealedToken,
  Settings,
  StorageStatus,
} from '../../../preload/contract';

/** One recorded call. */
export interface RecordedCall {
  readonly method: ApiMethodName;
  readonly args: readonly unknown[];
}

/** The fake's mutable state and knobs. */
export interface FakeApi {
  readonly api: RendererApi;
  readonly calls: RecordedCall[];
  accounts: AccountView[];
  profiles: ProviderProfile[];
  presets: ProviderPreset[];
  settings: Settings;
  /** What `revealToken` answers. */
  token: RevealedToken;
  /** What `getIdToken` answers (the raw token is added only when asked for). */
  idToken: IdTokenDetails;
  /** What `validateProfile` answers. */
  validation: ProfileValidation;
  /** What `getAppInfo` reports: browser mode (default) or the desktop app. */
  mode: 'browser' | 'electron';
  /** What `getStorageStatus` reports. */
  storage: StorageStatus;
  /** Makes the next call of a method fail with this error. */
  failNext(method: ApiMethodName, error: ErrorInfo): void;
  /** Holds `addAccount` until `finishSignIn` is called. */
  holdSignIn: boolean;
  finishSignIn(result: Result<AccountView>): void;
  emit(event: AppEvent): void;
  callsOf(method: ApiMethodName): readonly RecordedCall[];
}

/** An account for tests. */
export function makeAccount(overrides: Partial<AccountView> & { readonly id: string }): AccountView {
  return {
    profileId: 'demo',
    profileName: 'Demo provider',
    providerKind: 'oidc',
    username: `${overrides.id}@contoso.com`,
    status: { kind: 'valid', expiresOn: Math.floor(Date.now() / 1000) + 42 * 60 + 30 },
    pinned: false,
    storage: 'encrypted',
    ...overrides,
  };
}

const DEFAULT_SETTINGS: Settings = {
  clipboardClearSeconds: 60,
  defaultSignInMethod: 'system-browser',
  linuxPasswordStore: 'auto',
  allowWeakEncryption: false,
  autoRefreshLeadMinutes: 5,
};

/** Creates a fake with one demo profile and the given accounts. */
export function createFakeApi(accounts: AccountView[] = []): FakeApi {
  const listeners = new Set<(event: AppEvent) => void>();
  const failures = new Map<ApiMethodName, ErrorInfo>();
  let pendingSignIn: ((result: Result<AccountView>) => void) | undefined;

  const fake: FakeApi = {
    api: undefined as unknown as RendererApi,
    calls: [],
    accounts,
    profiles: [
      {
        id: 'demo',
        name: 'Demo provider',
        kind: 'oidc',
        preset: 'demo',
        clientId: 'tessera-public',
        authority: 'https://localhost:8443/oidc',
        defaultScopes: ['api://tessera-demo/read', 'api://tessera-demo/write'],
        signInMethod: 'system-browser',
        builtIn: true,
      },
    ],
    presets: [
      { id: 'entra', label: 'Microsoft Entra ID', kind: 'entra', authorityTemplate: 'https://login.microsoftonline.com/{tenant}', defaultScopes: ['User.Read'], signInMethod: 'embedded' },
      { id: 'custom-oidc', label: 'Other OpenID Connect provider', kind: 'oidc', authorityTemplate: '', defaultScopes: [], signInMethod: 'system-browser' },
    ],
    settings: DEFAULT_SETTINGS,
    token: { accessToken: 'opaque-token-value', tokenType: 'Bearer', expiresOn: Math.floor(Date.now() / 1000) + 3600, scopes: ['api://tessera-demo/read'], source: 'cache' },
    idToken: { header: { alg: 'RS256', typ: 'JWT' }, claims: { sub: 'alice-sub', preferred_username: 'alice@contoso.com', exp: Math.floor(Date.now() / 1000) + 3600 }, expiresOn: Math.floor(Date.now() / 1000) + 3600 },
    validation: { valid: true, fieldErrors: {} },
    mode: 'browser',
    storage: { mode: 'encrypted', backend: 'aes-gcm-keyfile' },
    holdSignIn: false,
    failNext(method, error) {
      failures.set(method, error);
    },
    finishSignIn(result) {
      pendingSignIn?.(result);
      pendingSignIn = undefined;
    },
    emit(event) {
      for (const listener of listeners) listener(event);
    },
    callsOf(method) {
      return fake.calls.filter((call) => call.method === method);
    },
  };

  const answer = async <T>(method: ApiMethodName, args: readonly unknown[], value: () => T | Promise<T>): Promise<Result<T>> => {
    fake.calls.push({ method, args });
    const error = failures.get(method);
    if (error) {
      failures.delete(method);
      return { ok: false, error };
    }
    return { ok: true, value: await value() };
  };
  const find = (id: string): AccountView => {
    const account = fake.accounts.find((candidate) => candidate.id === id);
    if (!account) throw new Error(`no account ${id}`);
    return account;
  };

  const api: RendererApi = {
    getAppInfo: () => answer('getAppInfo', [], () => ({ version: '0.1.0', platform: 'linux', mode: fake.mode, demoProviderAvailable: true })),
    listPresets: () => answer('listPresets', [], () => fake.presets),
    listProfiles: () => answer('listProfiles', [], () => fake.profiles),
    validateProfile: (draft: ProfileDraft) => answer('validateProfile', [draft], () => fake.validation),
    saveProfile: (draft: ProfileDraft) =>
      answer('saveProfile', [draft], () => {
        const profile: ProviderProfile = { ...draft, id: `p${fake.profiles.length + 1}` };
        fake.profiles.push(profile);
        return profile;
      }),
    deleteProfile: (profileId) => answer('deleteProfile', [profileId], () => undefined),
    listAccounts: () => answer('listAccounts', [], () => fake.accounts),
    addAccount: (request) => {
      fake.calls.push({ method: 'addAccount', args: [request] });
      const error = failures.get('addAccount');
      if (error) {
        failures.delete('addAccount');
        return Promise.resolve({ ok: false, error });
      }
      if (fake.holdSignIn) return new Promise((resolve) => (pendingSignIn = resolve));
      const account = makeAccount({ id: `new${fake.accounts.length}`, profileId: request.profileId });
      fake.accounts.push(account);
      return Promise.resolve({ ok: true, value: account });
    },
    cancelSignIn: () => answer('cancelSignIn', [], () => fake.finishSignIn({ ok: false, error: { code: 'user_cancelled', message: 'The sign-in was cancelled.' } })),
    reauthenticate: (accountId) => answer('reauthenticate', [accountId], () => ({ ...find(accountId), status: { kind: 'valid', expiresOn: Math.floor(Date.now() / 1000) + 3600 } }) as AccountView),
    copyDeviceCode: (part) => answer('copyDeviceCode', [part], () => undefined),
    signInForScopes: (accountId, scopes) => answer('signInForScopes', [accountId, scopes], () => ({ ...find(accountId), status: { kind: 'valid', expiresOn: Math.floor(Date.now() / 1000) + 3600 } }) as AccountView),
    removeAccount: (accountId) =>
      answer('removeAccount', [accountId], () => {
        fake.accounts = fake.accounts.filter((account) => account.id !== accountId);
      }),
    refreshAccount: (accountId) => answer('refreshAccount', [accountId], () => ({ ...find(accountId), status: { kind: 'valid', expiresOn: Math.floor(Date.now() / 1000) + 3600 } }) as AccountView),
    setPinned: (accountId, pinned) => answer('setPinned', [accountId, pinned], () => ({ ...find(accountId), pinned })),
    copyToken: (request) => answer('copyToken', [request], () => ({ format: request.format, clearsAt: fake.settings.clipboardClearSeconds === 0 ? null : Date.now() + fake.settings.clipboardClearSeconds * 1000, expiresOn: fake.token.expiresOn })),
    revealToken: (request) => answer('revealToken', [request], () => fake.token),
    getIdToken: (request) => answer('getIdToken', [request], () => ({ ...fake.idToken, ...(request.raw ? { idToken: 'raw-id-token' } : {}) })),
    getSettings: () => answer('getSettings', [], () => fake.settings),
    updateSettings: (patch) => answer('updateSettings', [patch], () => (fake.settings = { ...fake.settings, ...patch })),
    getStorageStatus: () => answer('getStorageStatus', [], () => fake.storage),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  (fake as { api: RendererApi }).api = api;
  return fake;
}

/** Every method name, for exhaustiveness checks. */
export type { ApiMethodName };
