/**
 * An in-memory {@link RendererApi} for component tests: canned data, recorded calls, manual pushes.
 */
import type {
  AccountView,
  ActivityEntry,
  ApiMethodName,
  AppEvent,
  BridgeStatus,
  CommandLineTool,
  ConsentChoice,
  ConsentOutcome,
  ConsentPrompt,
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
  StandingRule,
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
  /**
   * The token bridge, in memory: answers settle prompts, log activity and make rules the way
   * main/bridge/consent.ts does, with the same pushes.
   */
  bridge: FakeBridge;
  /** A caller asks for a token: queues a prompt and pushes `consent-requested`. */
  requestConsent(overrides?: Partial<ConsentPrompt>): ConsentPrompt;
  /** A prompt goes away without an answer here (withdrawn, timed out, answered in another window). */
  settleElsewhere(promptId: string, outcome: ConsentOutcome): void;
  /** A hand-out by a standing rule or a session: logs it and pushes `activity-added`. */
  logActivity(entry: Omit<ActivityEntry, 'id'>): ActivityEntry;
}

/** The fake token bridge's state. */
export interface FakeBridge {
  running: boolean;
  endpoint: string;
  reason: string;
  defaultAccountId: string | null;
  tool: CommandLineTool;
  /** What `installCommandLineTool` does: the tool it reports, or an error. */
  installResult: { readonly tool: CommandLineTool } | { readonly error: ErrorInfo };
  prompts: ConsentPrompt[];
  rules: StandingRule[];
  /** Newest first. */
  activity: ActivityEntry[];
}

/** A consent prompt for tests: `sh` in a terminal asking for alice's read scope. */
export function makePrompt(overrides: Partial<ConsentPrompt> & { readonly id: string }): ConsentPrompt {
  return {
    caller: { program: 'sh', command: 'sh -c tessera token', pid: 4242, parentProgram: 'bash', tty: '/dev/pts/3', terminalSession: '4100', cwd: '/home/alice/project', integration: 'cli' },
    accountId: 'a',
    username: 'a@contoso.com',
    profileName: 'Demo provider',
    scopes: ['api://tessera-demo/read'],
    integration: 'cli',
    requestedAt: Date.now(),
    hasTerminal: true,
    ...overrides,
  };
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
  let serial = 0;
  const nextId = (prefix: string): string => `${prefix}${++serial}`;
  const notFound = (message: string): ErrorInfo => ({ code: 'not_found', message });

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
    bridge: {
      running: true,
      endpoint: '/run/user/1000/tessera/bridge.sock',
      reason: '',
      defaultAccountId: null,
      tool: { installPath: '/home/alice/.local/bin/tessera', installed: false, onPath: false },
      installResult: { tool: { installPath: '/home/alice/.local/bin/tessera', installed: true, onPath: true } },
      prompts: [],
      rules: [],
      activity: [],
    },
    requestConsent(overrides = {}) {
      const prompt = makePrompt({ id: nextId('prompt-'), ...overrides });
      fake.bridge.prompts.push(prompt);
      fake.emit({ type: 'consent-requested', prompt });
      return prompt;
    },
    settleElsewhere(promptId, outcome) {
      fake.bridge.prompts = fake.bridge.prompts.filter((prompt) => prompt.id !== promptId);
      fake.emit({ type: 'consent-resolved', promptId, outcome });
    },
    logActivity(entry) {
      const full: ActivityEntry = { id: nextId('activity-'), ...entry };
      fake.bridge.activity.unshift(full);
      fake.emit({ type: 'activity-added', entry: full });
      return full;
    },
  };

  const unavailable = (): ErrorInfo | undefined =>
    fake.bridge.running ? undefined : { code: 'bridge_unavailable', message: `The token bridge is not running, so the tessera command cannot reach Tessera. ${fake.bridge.reason}` };
  const bridgeStatus = (): BridgeStatus =>
    fake.bridge.running
      ? { running: true, endpoint: fake.bridge.endpoint, defaultAccountId: fake.bridge.defaultAccountId, commandLineTool: fake.bridge.tool }
      : { running: false, reason: fake.bridge.reason, defaultAccountId: null, commandLineTool: fake.bridge.tool };
  // As main/bridge/consent.ts answers: settle, push, then log the hand-out or refusal.
  const answerPrompt = (promptId: string, choice: ConsentChoice): Result<void> => {
    const down = unavailable();
    if (down) return { ok: false, error: down };
    const prompt = fake.bridge.prompts.find((candidate) => candidate.id === promptId);
    if (!prompt) return { ok: false, error: notFound('This request is no longer waiting (it was answered, withdrawn or timed out).') };
    if (choice === 'session' && !prompt.hasTerminal) return { ok: false, error: { code: 'invalid_argument', message: 'This caller has no terminal session to allow; choose once, always or deny.' } };
    fake.settleElsewhere(promptId, choice);
    if (choice === 'always') {
      fake.bridge.rules.push({ id: nextId('rule-'), program: prompt.caller.program, accountId: prompt.accountId, username: prompt.username, scopes: prompt.scopes, createdAt: Date.now() });
      fake.emit({ type: 'standing-rules-changed', rules: [...fake.bridge.rules] });
    }
    const { program, parentProgram, tty, cwd, pid } = prompt.caller;
    const caller = { program, ...(parentProgram ? { parentProgram } : {}), ...(tty ? { tty } : {}), ...(cwd ? { cwd } : {}), ...(pid ? { pid } : {}) };
    const common = { at: Date.now(), caller, accountId: prompt.accountId, username: prompt.username, scopes: prompt.scopes, integration: prompt.integration };
    if (choice === 'deny') fake.logActivity({ ...common, outcome: 'denied', code: 'consent_denied' });
    else fake.logActivity({ ...common, outcome: 'handed-out', basis: choice === 'always' ? 'standing-rule' : choice === 'session' ? 'terminal-session' : 'once', expiresOn: Math.floor(Date.now() / 1000) + 3600 });
    return { ok: true, value: undefined };
  };
  const record = <T>(method: ApiMethodName, args: readonly unknown[], run: () => Result<T>): Promise<Result<T>> => {
    fake.calls.push({ method, args });
    const error = failures.get(method);
    if (error) {
      failures.delete(method);
      return Promise.resolve({ ok: false, error });
    }
    return Promise.resolve(run());
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
    getBridgeStatus: () => answer('getBridgeStatus', [], bridgeStatus),
    listConsentPrompts: () => answer('listConsentPrompts', [], () => [...fake.bridge.prompts]),
    answerConsent: (promptId, choice) => record('answerConsent', [promptId, choice], () => answerPrompt(promptId, choice)),
    listStandingRules: () => record('listStandingRules', [], () => unavailable() ? { ok: false, error: unavailable() as ErrorInfo } : { ok: true, value: [...fake.bridge.rules] }),
    revokeStandingRule: (ruleId) =>
      record('revokeStandingRule', [ruleId], () => {
        const down = unavailable();
        if (down) return { ok: false, error: down };
        if (!fake.bridge.rules.some((rule) => rule.id === ruleId)) return { ok: false, error: notFound('This standing rule no longer exists.') };
        fake.bridge.rules = fake.bridge.rules.filter((rule) => rule.id !== ruleId);
        fake.emit({ type: 'standing-rules-changed', rules: [...fake.bridge.rules] });
        return { ok: true, value: undefined };
      }),
    listActivity: () => answer('listActivity', [], () => [...fake.bridge.activity]),
    setDefaultAccount: (accountId) =>
      record('setDefaultAccount', [accountId], () => {
        const down = unavailable();
        if (down) return { ok: false, error: down };
        if (accountId !== null && !fake.accounts.some((account) => account.id === accountId)) return { ok: false, error: notFound('This account no longer exists.') };
        fake.bridge.defaultAccountId = accountId;
        return { ok: true, value: undefined };
      }),
    installCommandLineTool: () =>
      record('installCommandLineTool', [], () => {
        const outcome = fake.bridge.installResult;
        if ('error' in outcome) return { ok: false, error: outcome.error };
        fake.bridge.tool = outcome.tool;
        return { ok: true, value: outcome.tool };
      }),
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
