/**
 * The one typed contract between the main process (or the browser-mode host) and the renderer.
 *
 * Types, channel names and the `as const` data the UI shares with main (limits, option lists,
 * error codes): no imports, so the preload and the renderer can import it. `main` implements `ApiMethods`; the preload (Electron) and the browser-mode client
 * expose them to the renderer as `window.api`, each call returning a `Result`.
 *
 * The renderer never receives a refresh token, and receives an access token only from
 * `revealToken` (the user asked to see it). Copying happens in main.
 */

/** A provider profile's id. */
export type ProfileId = string;
/** An account's id: stable across restarts, unique across providers. */
export type AccountId = string;

/** The sign-in methods, in the order the UI offers them. */
export const SIGN_IN_METHODS = ['embedded', 'system-browser', 'device-code'] as const;
/**
 * How a person signs in: an embedded window (default), the system browser with a loopback
 * redirect, or a device code (RFC 8628) entered on any device (SSH, headless, Conditional Access).
 */
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/** The provider kinds. */
export const PROVIDER_KINDS = ['entra', 'oidc'] as const;
/** Entra ID (tenant authority, instance discovery) or any OpenID Connect issuer. */
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** The preset ids. */
export const PRESET_IDS = ['entra', 'google', 'okta', 'auth0', 'keycloak', 'demo', 'custom-oidc'] as const;
/** The presets offered when adding a profile. `demo` exists only in a source checkout. */
export type PresetId = (typeof PRESET_IDS)[number];

/**
 * Authorize parameters Tessera sets on every sign-in; a profile may not replace them: they bind the
 * answer to its request (state, nonce, PKCE) or define the flow. The form and the services both check it.
 */
export const RESERVED_AUTHORIZE_PARAMETERS = [
  'client_id',
  'response_type',
  'response_mode',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
] as const;

/**
 * Limits on what crosses the boundary, the one source for the argument schema in main and for the
 * UI's form fields (`maxLength`, `min`/`max`).
 */
export const LIMITS = {
  /** Profile and account ids. */
  idLength: 256,
  /** Profile names. */
  nameLength: 100,
  clientIdLength: 256,
  urlLength: 2048,
  loginHintLength: 320,
  scopeLength: 512,
  scopeCount: 50,
  extraParameterCount: 20,
  extraParameterKeyLength: 64,
  extraParameterValueLength: 1024,
  /** 0 turns clearing off. */
  clipboardClearSeconds: { min: 0, max: 3600 },
  autoRefreshLeadMinutes: { min: 1, max: 60 },
} as const;

/**
 * Who gets the tokens of a profile's accounts: a person who signs in (`user`, authorization code),
 * or the app registration itself (`app`, the client-credentials grant of RFC 6749 §4.4 — the Azure
 * CLI's `login --service-principal`). An `app` profile has exactly one account, its app identity.
 */
export const PROFILE_GRANTS = ['user', 'app'] as const;
/** See {@link PROFILE_GRANTS}. */
export type ProfileGrant = (typeof PROFILE_GRANTS)[number];

/** How a confidential client proves itself: a client secret, or a certificate (PEM private key + SHA-1 thumbprint). */
export const CLIENT_CREDENTIAL_KINDS = ['secret', 'certificate'] as const;
/** See {@link CLIENT_CREDENTIAL_KINDS}. */
export type ClientCredentialKind = (typeof CLIENT_CREDENTIAL_KINDS)[number];

/**
 * A profile's client credential, as settings and the renderer see it: never the secret or the
 * private key (those live in the encrypted token cache's store, see `main/services/cache-persistence.ts`).
 */
export interface ClientCredentialInfo {
  readonly kind: ClientCredentialKind;
  /** Certificate only: the certificate's SHA-1 thumbprint, 40 hex digits (public). */
  readonly thumbprint?: string;
  /** Set in profiles listed by main: whether the secret or key is saved (absent in drafts and on disk). */
  readonly saved?: boolean;
}

/** Limits of the app-identity and custom-CA fields (kept apart from {@link LIMITS} for easy merges). */
export const CREDENTIAL_LIMITS = {
  clientSecretLength: 1024,
  /** A PEM private key (RSA 4096 in PKCS#8 is about 3.3 KB). */
  privateKeyLength: 16384,
  filePathLength: 4096,
} as const;

/** A provider profile: where and how accounts of one app registration sign in. */
export interface ProviderProfile {
  readonly id: ProfileId;
  readonly name: string;
  readonly kind: ProviderKind;
  readonly preset: PresetId;
  readonly clientId: string;
  /** Entra: `https://login.microsoftonline.com/<tenant>`; OIDC: the issuer URL. */
  readonly authority: string;
  /** Scopes asked for by "Copy token" (without openid/profile/offline_access, which are always added). */
  readonly defaultScopes: readonly string[];
  /** Embedded sign-in only: the registered redirect URI. The system browser uses a loopback URI. */
  readonly redirectUri?: string;
  readonly signInMethod: SignInMethod;
  /** Extra authorize parameters for provider quirks (e.g. Google's `access_type=offline`). */
  readonly extraAuthorizeParameters?: Readonly<Record<string, string>>;
  /** Built-in profiles (the demo provider) cannot be edited or deleted. */
  readonly builtIn?: boolean;
  /** `user` (default) or `app`: an app identity (client credentials). See {@link PROFILE_GRANTS}. */
  readonly grant?: ProfileGrant;
  /** An app identity's credential, or an optional client secret of a user profile (Google desktop clients). */
  readonly clientAuth?: ClientCredentialInfo;
  /** A PEM file of the CA certificate(s) that issued the provider's TLS certificate (corporate and lab providers). */
  readonly caFile?: string;
  /** Set by main: the profile points at the local demo provider, whose address is updated at every start. */
  readonly demoProvider?: boolean;
}

/**
 * A profile being created or edited.
 *
 * `clientSecret` and `privateKey` are write-only: main stores them encrypted and never sends them
 * back. Left out when editing, the saved one is kept (as long as `clientAuth.kind` stays the same).
 */
export type ProfileDraft = Omit<ProviderProfile, 'id' | 'builtIn'> & {
  readonly id?: ProfileId;
  readonly clientSecret?: string;
  /** PEM private key of a certificate credential. */
  readonly privateKey?: string;
};

/** A preset's defaults and guidance for the "add profile" form. */
export interface ProviderPreset {
  readonly id: PresetId;
  readonly label: string;
  readonly kind: ProviderKind;
  /** e.g. `https://login.microsoftonline.com/{tenant}` or `https://{domain}/oauth2/default`. */
  readonly authorityTemplate: string;
  readonly defaultScopes: readonly string[];
  readonly signInMethod: SignInMethod;
  readonly extraAuthorizeParameters?: Readonly<Record<string, string>>;
  /** A short hint shown under the form, e.g. "Google blocks embedded windows: use the system browser". */
  readonly note?: string;
  /** Filled-in values for presets that need nothing from the user (the demo provider). */
  readonly ready?: Omit<ProfileDraft, 'preset'>;
}

/** The fields of the app-identity, client-secret and custom-CA part of the profile form. */
export type ProfileCredentialField = 'clientSecret' | 'privateKey' | 'thumbprint' | 'caFile';

/** Field-level problems found by `validateProfile`, keyed by field name. */
export interface ProfileValidation {
  readonly valid: boolean;
  readonly fieldErrors: Readonly<Partial<Record<'name' | 'clientId' | 'authority' | 'defaultScopes' | 'redirectUri' | ProfileCredentialField, string>>>;
  /** Discovery succeeded: the issuer as the provider reports it. */
  readonly issuer?: string;
}

/** What the account list shows about the token for an account's default scopes. */
export type AccountStatus =
  | { readonly kind: 'valid'; readonly expiresOn: number }
  | { readonly kind: 'refreshing' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'needs-sign-in'; readonly reason: string }
  | { readonly kind: 'unknown' };

/** An account as the renderer sees it: no secrets. */
export interface AccountView {
  readonly id: AccountId;
  readonly profileId: ProfileId;
  readonly profileName: string;
  readonly providerKind: ProviderKind;
  readonly username: string;
  readonly displayName?: string;
  /** Entra tenant id, or the OIDC issuer's host. */
  readonly tenant?: string;
  readonly status: AccountStatus;
  readonly pinned: boolean;
  /** Where this account's tokens live. `memory-only` when the OS keyring is unavailable. */
  readonly storage: 'encrypted' | 'memory-only';
  readonly lastError?: ErrorInfo;
  /** An app identity (client credentials, no person): `username` is the client id. */
  readonly appIdentity?: boolean;
}

/** A token the user asked to see (the only way an access token reaches the renderer). */
export interface RevealedToken {
  readonly accessToken: string;
  readonly tokenType: string;
  /** Epoch seconds. */
  readonly expiresOn: number;
  readonly scopes: readonly string[];
  readonly source: 'cache' | 'identity_provider';
}

/** What "Copy token" reports. */
export interface CopyResult {
  readonly format: TokenFormat;
  /** Epoch milliseconds when the clipboard will be cleared, or null when clearing is off. */
  readonly clearsAt: number | null;
  /** Epoch seconds when the copied token expires. */
  readonly expiresOn: number;
}

/** The token formats "Copy token" offers. */
export const TOKEN_FORMATS = ['raw', 'bearer'] as const;
/** Raw token, or a ready `Authorization: Bearer …` header line. */
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

/** The Linux password stores Chromium knows (`--password-store`), `auto` first. */
export const LINUX_PASSWORD_STORES = ['auto', 'gnome-libsecret', 'kwallet5', 'kwallet6', 'basic'] as const;
/** Which password store Chromium should use on Linux (`--password-store`). */
export type LinuxPasswordStore = (typeof LINUX_PASSWORD_STORES)[number];

/** Non-secret user settings. */
export interface Settings {
  /** 0 disables clearing. Default 60. */
  readonly clipboardClearSeconds: number;
  readonly defaultSignInMethod: SignInMethod;
  readonly linuxPasswordStore: LinuxPasswordStore;
  /** Persist tokens even when only obfuscation (`basic_text`) is available. Default false. */
  readonly allowWeakEncryption: boolean;
  /** Minutes before expiry at which pinned accounts are refreshed. Default 5. */
  readonly autoRefreshLeadMinutes: number;
}

/** Where the token cache lives and why. */
export interface StorageStatus {
  readonly mode: 'encrypted' | 'memory-only';
  /** e.g. `gnome_libsecret`, `dpapi`, `keychain`, `basic_text`, `aes-gcm-keyfile`. */
  readonly backend: string;
  /** Why tokens are memory-only, and how to fix it. */
  readonly reason?: string;
  /** A settings file that could not be read was moved here. */
  readonly quarantinedFile?: string;
  /** The cache could not be decrypted (new keyring?); a backup of it was kept here. */
  readonly undecryptableBackup?: string;
}

/** Facts about the running app. */
export interface AppInfo {
  readonly version: string;
  readonly platform: string;
  readonly mode: 'electron' | 'browser';
  readonly demoProviderAvailable: boolean;
}

/**
 * The OAuth `error` values the app reports as their own code (RFC 6749 §4.1.2.1 and §5.2, OpenID
 * Connect Core §3.1.2.6); a provider's other values become `provider_error`.
 */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'invalid_scope',
  'access_denied',
  'server_error',
  'temporarily_unavailable',
  'interaction_required',
  'login_required',
  'consent_required',
  'account_selection_required',
] as const;

/**
 * Every error code the app reports, closed: callers (the renderer, the CLI) switch on these.
 *
 * Grouped by where they arise; a new code is added here, with the error that throws it, in one commit.
 */
export const ERROR_CODES = [
  // Arguments and the boundary.
  'invalid_argument',
  'unknown_method',
  'forbidden_sender',
  'unauthorized',
  'host_unreachable',
  // App services.
  'not_found',
  'invalid_profile',
  'profile_in_use',
  'builtin_profile',
  'needs_sign_in',
  'embedded_unavailable',
  'sign_in_failed',
  'clipboard_unavailable',
  'disposed',
  'internal_error',
  // The provider answered with an OAuth error (see OAUTH_ERROR_CODES); `provider_error` for any other.
  ...OAUTH_ERROR_CODES,
  'provider_error',
  // The auth core (protocol checks, transport, interaction).
  'reserved_scope',
  'state_missing',
  'state_mismatch',
  'scope_mismatch',
  'invalid_auth_response',
  'nonce_mismatch',
  'max_age_violation',
  'id_token_invalid',
  'id_token_expired',
  'id_token_audience',
  'id_token_issuer',
  'id_token_signature',
  'invalid_authority',
  'authority_discovery_failed',
  'untrusted_authority',
  'http_error',
  'network_error',
  'timeout',
  'malformed_response',
  'user_cancelled',
  'interaction_timeout',
  'device_code_expired',
  'broker_error',
  'cache_corrupt',
  'unsupported',
  'issuer_mismatch',
  'issuer_missing',
  'id_token_missing',
  'subject_mismatch',
  'response_too_large',
  // Storage.
  'undecryptable',
  'invalid_key_file',
  'encryption_unavailable',
  'encryption_failed',
  'disk_full',
  'read_only',
  'permission_denied',
  'unreadable_file',
  'backup_failed',
  'strong_data_kept',
  'io_error',
  // A second instance.
  'data_folder_in_use',
  // The token bridge (main/bridge): the local channel and consent.
  'malformed_request',
  'request_too_large',
  'request_timeout',
  'busy',
  'consent_denied',
  'no_standing_rule',
  'consent_timeout',
  'account_ambiguous',
  'no_default_account',
  'unsafe_endpoint',
  'endpoint_in_use',
  'bridge_unavailable',
  // "Install command-line tool" found a `tessera` that is not ours.
  'path_in_use',
] as const;

/** A stable error code (see {@link ERROR_CODES}). */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What the provider said when it refused: the OAuth fields, never a token. */
export interface ProviderErrorInfo {
  /** The OAuth `error` value as sent (e.g. `invalid_grant`). */
  readonly error: string;
  /** Entra's `suberror` (e.g. `consent_required`, `bad_token`). */
  readonly suberror?: string;
  /** Entra's AADSTS number (e.g. 50126), from `error_codes` or the description. */
  readonly aadsts?: number;
  /** A plain explanation of that AADSTS number, or the provider's own first line of text. */
  readonly aadstsText?: string;
}

/** An error as it crosses the boundary: a stable code and a message that tells the user what to do. */
export interface ErrorInfo {
  readonly code: ErrorCode;
  readonly message: string;
  /** Present when a provider refused with an OAuth error. */
  readonly provider?: ProviderErrorInfo;
}

/** Every call's answer. Electron would pass only `message` of a thrown error; this keeps the code. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorInfo };

// ---------------------------------------------------------------------------------------------
// The token bridge as the UI sees it: consent prompts, standing rules, the activity log.
// None of these ever holds a token.

/** Which integration a token hand-out went through (`tessera token`, `exec`, kubectl, git, the Azure SDKs). */
/** Version of the token bridge's line protocol (docs/bridge-protocols.md); a request with another version is refused. */
export const BRIDGE_PROTOCOL_VERSION = 1;

export const BRIDGE_INTEGRATIONS = ['cli', 'exec', 'kubectl', 'git', 'azure-identity'] as const;
/** An integration's name. */
export type BridgeIntegration = (typeof BRIDGE_INTEGRATIONS)[number];

/**
 * What a caller of the `tessera` command reported about itself. Reported by the caller: a process
 * of the same user can lie, so the UI shows it as such and never treats it as proof.
 */
export interface CallerReport {
  /** The program that ran the command (e.g. `bash`, `make`), or the name given with `--program`. */
  readonly program: string;
  /** Its command line, shortened. */
  readonly command?: string;
  readonly pid?: number;
  /** The program's own parent (e.g. `sshd`, `tmux`, `code`). */
  readonly parentProgram?: string;
  /** The controlling terminal (`/dev/pts/3`); absent for CI jobs, editors and services. */
  readonly tty?: string;
  /** The terminal session (session leader's process id); with `tty` it names one terminal session. */
  readonly terminalSession?: string;
  readonly cwd?: string;
  readonly integration: BridgeIntegration;
}

/** A person's answer to a consent prompt. */
export const CONSENT_CHOICES = ['once', 'session', 'always', 'deny'] as const;
/** A person's answer to a consent prompt. */
export type ConsentChoice = (typeof CONSENT_CHOICES)[number];

/** A token request waiting for a person's answer. */
export interface ConsentPrompt {
  readonly id: string;
  /** What the caller reported about itself (shown as "reported by the caller"). */
  readonly caller: CallerReport;
  readonly accountId: AccountId;
  readonly username: string;
  readonly profileName: string;
  readonly scopes: readonly string[];
  readonly integration: BridgeIntegration;
  /** Epoch milliseconds. */
  readonly requestedAt: number;
  /** Whether "allow this terminal session" can be offered (the caller reported a terminal). */
  readonly hasTerminal: boolean;
}

/** "Always allow this program for this account and these scopes": listed and revocable in Settings. */
export interface StandingRule {
  readonly id: string;
  /** The program name the caller reported. */
  readonly program: string;
  readonly accountId: AccountId;
  /** For display; the account id is what matches. */
  readonly username: string;
  /** The scopes allowed; a request matches when it asks for a subset of them. */
  readonly scopes: readonly string[];
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly lastUsedAt?: number;
}

/** How a hand-out was allowed. */
export type GrantBasis = 'standing-rule' | 'terminal-session' | 'once';

/** One line of the activity log: a hand-out or a refusal. Never the token. */
export interface ActivityEntry {
  readonly id: string;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly outcome: 'handed-out' | 'denied';
  readonly caller: Pick<CallerReport, 'program' | 'parentProgram' | 'tty' | 'cwd' | 'pid'>;
  readonly accountId: AccountId;
  readonly username: string;
  readonly scopes: readonly string[];
  readonly integration: BridgeIntegration;
  /** For hand-outs: what allowed it. */
  readonly basis?: GrantBasis;
  /** For hand-outs: epoch seconds when the token expires. */
  readonly expiresOn?: number;
  /** For refusals: the error code. */
  readonly code?: ErrorCode;
}

/** The command-line tool as installed (or not) on this machine. */
export interface CommandLineTool {
  /** Where "Install command-line tool" puts (or put) the `tessera` command. */
  readonly installPath: string;
  readonly installed: boolean;
  /** Whether the folder of `installPath` is on the PATH the app was started with. */
  readonly onPath: boolean;
}

/** The token bridge's state, for Settings and the Activity view. */
export interface BridgeStatus {
  /** Whether the local channel is serving (`tessera` can reach the app). */
  readonly running: boolean;
  /** The socket (or named pipe) path, when running. */
  readonly endpoint?: string;
  /** Why it is not running, in plain words. */
  readonly reason?: string;
  /** The account `tessera token` uses when none is named (an explicit choice; null when none). */
  readonly defaultAccountId: AccountId | null;
  readonly commandLineTool: CommandLineTool;
}

/** The shown outcome of a consent prompt. */
export type ConsentOutcome = ConsentChoice | 'cancelled' | 'timed-out';

/** The progress of an interactive sign-in, pushed while it runs. */
export type SignInProgress =
  | { readonly kind: 'waiting-for-user'; readonly profileId: ProfileId; readonly method: SignInMethod; readonly host: string }
  | { readonly kind: 'redeeming'; readonly profileId: ProfileId }
  | DeviceCodeProgress
  | { readonly kind: 'done'; readonly profileId: ProfileId; readonly accountId: AccountId }
  | { readonly kind: 'failed'; readonly profileId: ProfileId; readonly error: ErrorInfo };

/**
 * A device code sign-in waiting for the user (RFC 8628 §3.2-3.3): the code to enter at the
 * verification address. The code is short-lived and useless without the user's own sign-in.
 */
export interface DeviceCodeProgress {
  readonly kind: 'device-code';
  readonly profileId: ProfileId;
  readonly host: string;
  readonly userCode: string;
  readonly verificationUri: string;
  /** The address with the code filled in, when the provider gives one. */
  readonly verificationUriComplete?: string;
  /** Epoch milliseconds when the code stops working. */
  readonly expiresAt: number;
}

/** What "Copy" next to a device code copies: the code, or the address to enter it at. */
export const DEVICE_CODE_PARTS = ['user-code', 'verification-uri'] as const;
/** A part of the device code sign-in in progress. */
export type DeviceCodePart = (typeof DEVICE_CODE_PARTS)[number];

/** What `getIdToken` asks for: the decoded claims, and the raw token only with `raw: true`. */
export interface IdTokenRequest {
  readonly accountId: AccountId;
  readonly raw?: boolean;
}

/** An account's ID token as the details panel shows it (decoded in main; verified at sign-in). */
export interface IdTokenDetails {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
  /** Epoch seconds (`exp`). */
  readonly expiresOn?: number;
  /** The token itself, present only when the request said `raw: true`. */
  readonly idToken?: string;
}

/** Pushes from main to the renderer. */
export type AppEvent =
  | { readonly type: 'accounts-changed'; readonly accounts: readonly AccountView[] }
  | { readonly type: 'account-updated'; readonly account: AccountView }
  | { readonly type: 'token-refreshed'; readonly accountId: AccountId; readonly expiresOn: number }
  | { readonly type: 'needs-sign-in'; readonly accountId: AccountId; readonly reason: string }
  | { readonly type: 'sign-in-progress'; readonly progress: SignInProgress }
  | { readonly type: 'storage-status'; readonly status: StorageStatus }
  | { readonly type: 'clipboard-cleared' }
  // The token bridge: a caller waits for an answer; a prompt was answered, withdrawn or timed out.
  | { readonly type: 'consent-requested'; readonly prompt: ConsentPrompt }
  | { readonly type: 'consent-resolved'; readonly promptId: string; readonly outcome: ConsentOutcome }
  | { readonly type: 'standing-rules-changed'; readonly rules: readonly StandingRule[] }
  | { readonly type: 'activity-added'; readonly entry: ActivityEntry };

/** Arguments of the operations that take an object. */
export interface AddAccountRequest {
  readonly profileId: ProfileId;
  readonly method?: SignInMethod;
  readonly loginHint?: string;
}
export interface TokenRequest {
  readonly accountId: AccountId;
  /** Defaults to the profile's default scopes. */
  readonly scopes?: readonly string[];
}
export interface CopyTokenRequest extends TokenRequest {
  readonly format: TokenFormat;
}

/**
 * The operations main implements. Each may reject with an error carrying `code` and `message`;
 * the IPC layer turns that into `{ ok: false, error }`.
 */
export interface ApiMethods {
  getAppInfo(): Promise<AppInfo>;
  listPresets(): Promise<readonly ProviderPreset[]>;
  listProfiles(): Promise<readonly ProviderProfile[]>;
  validateProfile(draft: ProfileDraft): Promise<ProfileValidation>;
  saveProfile(draft: ProfileDraft): Promise<ProviderProfile>;
  deleteProfile(profileId: ProfileId): Promise<void>;
  listAccounts(): Promise<readonly AccountView[]>;
  addAccount(request: AddAccountRequest): Promise<AccountView>;
  cancelSignIn(): Promise<void>;
  /** Copies the code (or its address) of the device code sign-in in progress; main writes the clipboard. */
  copyDeviceCode(part: DeviceCodePart): Promise<void>;
  reauthenticate(accountId: AccountId): Promise<AccountView>;
  /** Signs the account in again for `scopes` (incremental consent), keeping its `login_hint`. */
  signInForScopes(accountId: AccountId, scopes: readonly string[]): Promise<AccountView>;
  removeAccount(accountId: AccountId): Promise<void>;
  refreshAccount(accountId: AccountId): Promise<AccountView>;
  setPinned(accountId: AccountId, pinned: boolean): Promise<AccountView>;
  copyToken(request: CopyTokenRequest): Promise<CopyResult>;
  revealToken(request: TokenRequest): Promise<RevealedToken>;
  /** The account's cached ID token, decoded; the raw token only when asked for. */
  getIdToken(request: IdTokenRequest): Promise<IdTokenDetails>;
  getSettings(): Promise<Settings>;
  updateSettings(patch: Partial<Settings>): Promise<Settings>;
  getStorageStatus(): Promise<StorageStatus>;
  // The token bridge (the `tessera` command). `bridge_unavailable` when the app could not start it.
  getBridgeStatus(): Promise<BridgeStatus>;
  listConsentPrompts(): Promise<readonly ConsentPrompt[]>;
  answerConsent(promptId: string, choice: ConsentChoice): Promise<void>;
  listStandingRules(): Promise<readonly StandingRule[]>;
  revokeStandingRule(ruleId: string): Promise<void>;
  /** Newest first. */
  listActivity(): Promise<readonly ActivityEntry[]>;
  /** Chooses the account `tessera token` uses when none is named; null clears the choice. */
  setDefaultAccount(accountId: AccountId | null): Promise<void>;
  /** Puts the `tessera` command on the user's PATH (a link in a per-user bin folder). */
  installCommandLineTool(): Promise<CommandLineTool>;
}

/** The name of an operation. */
export type ApiMethodName = keyof ApiMethods;

/** The operations the token bridge serves (main/bridge); the app core serves the others. */
export const BRIDGE_METHODS = [
  'getBridgeStatus',
  'listConsentPrompts',
  'answerConsent',
  'listStandingRules',
  'revokeStandingRule',
  'listActivity',
  'setDefaultAccount',
  'installCommandLineTool',
] as const satisfies readonly ApiMethodName[];
/** The name of a token-bridge operation. */
export type BridgeMethodName = (typeof BRIDGE_METHODS)[number];
/** The token bridge's operations. */
export type BridgeMethods = Pick<ApiMethods, BridgeMethodName>;
/** The app core's operations (everything but the token bridge's). */
export type CoreMethods = Omit<ApiMethods, BridgeMethodName>;

/** `window.api` as the renderer sees it: every operation returns a `Result`, plus event subscription. */
export type RendererApi = {
  readonly [K in ApiMethodName]: (...args: Parameters<ApiMethods[K]>) => Promise<Result<Awaited<ReturnType<ApiMethods[K]>>>>;
} & {
  /** Subscribe to pushes from main; returns an unsubscribe function. */
  readonly onEvent: (listener: (event: AppEvent) => void) => () => void;
};

/** The operations, in one list (the preload and the browser client build `window.api` from it). */
export const API_METHODS = [
  'getAppInfo',
  'listPresets',
  'listProfiles',
  'validateProfile',
  'saveProfile',
  'deleteProfile',
  'listAccounts',
  'addAccount',
  'cancelSignIn',
  'copyDeviceCode',
  'reauthenticate',
  'signInForScopes',
  'removeAccount',
  'refreshAccount',
  'setPinned',
  'copyToken',
  'revealToken',
  'getIdToken',
  'getSettings',
  'updateSettings',
  'getStorageStatus',
  ...BRIDGE_METHODS,
] as const satisfies readonly ApiMethodName[];

/** IPC channel of an operation. */
export function invokeChannel(method: ApiMethodName): string {
  return `tessera:${method}`;
}

/** IPC channel of the main-to-renderer pushes. */
export const EVENT_CHANNEL = 'tessera:event';
