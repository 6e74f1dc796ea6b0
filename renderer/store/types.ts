/**
 * The shape of the renderer's one zustand store, assembled from the slices in this folder.
 */
import type {
  AccountId,
  AccountView,
  ActivityEntry,
  AppEvent,
  AppInfo,
  BridgeStatus,
  CommandLineTool,
  ConsentChoice,
  ConsentOutcome,
  ConsentPrompt,
  DeviceCodePart,
  DeviceCodeProgress,
  ErrorInfo,
  IdTokenDetails,
  ProfileDraft,
  ProfileValidation,
  ProviderPreset,
  ProviderProfile,
  RendererApi,
  RevealedToken,
  Settings,
  SignInMethod,
  SignInProgress,
  StandingRule,
  StorageStatus,
  TokenFormat,
} from '../../preload/contract';

/** Accounts as main reports them, plus which ones have an action in flight. */
export interface AccountsSlice {
  readonly accounts: readonly AccountView[];
  readonly accountsLoaded: boolean;
  /** Accounts with a "refresh now" or re-sign-in running, so the UI can show "refreshing…". */
  readonly busyAccounts: ReadonlySet<AccountId>;
  loadAccounts(): Promise<void>;
  refreshAccount(accountId: AccountId): Promise<void>;
  reauthenticate(accountId: AccountId): Promise<void>;
  removeAccount(accountId: AccountId): Promise<boolean>;
  setPinned(accountId: AccountId, pinned: boolean): Promise<void>;
}

/** Profiles and presets for the "add account" flow. */
export interface ProfilesSlice {
  readonly profiles: readonly ProviderProfile[];
  readonly presets: readonly ProviderPreset[];
  loadProfiles(): Promise<void>;
  /** Validates then saves; returns the saved profile, or the validation with field errors. */
  saveProfile(draft: ProfileDraft): Promise<{ readonly saved?: ProviderProfile; readonly validation?: ProfileValidation; readonly error?: ErrorInfo }>;
  deleteProfile(profileId: string): Promise<void>;
}

/** The interactive sign-in, as a discriminated union. */
export type SignInState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'starting'; readonly profileId: string }
  | { readonly kind: 'waiting-for-user'; readonly profileId: string; readonly method: SignInMethod; readonly host: string }
  | { readonly kind: 'redeeming'; readonly profileId: string }
  | DeviceCodeProgress
  | { readonly kind: 'done'; readonly profileId: string; readonly accountId: AccountId }
  | { readonly kind: 'failed'; readonly profileId: string; readonly error: ErrorInfo };

/** Sign-in progress and its actions. */
export interface SignInSlice {
  readonly signIn: SignInState;
  /**
   * A device code sign-in that did not start in "Add account" ("Sign in again", "Sign in for these
   * scopes" of an account added with a code): shown in its own dialog until it ends.
   */
  readonly accountDeviceCode: DeviceCodeProgress | null;
  addAccount(profileId: string, method: SignInMethod): Promise<AccountView | undefined>;
  cancelSignIn(): Promise<void>;
  /** Has main copy the device code (or its address); resolves with the error, or null once copied. */
  copyDeviceCode(part: DeviceCodePart): Promise<ErrorInfo | null>;
  resetSignIn(): void;
  applySignInProgress(progress: SignInProgress): void;
}

/** Copying a token and the user's preferred format. */
export interface CopySlice {
  readonly copyFormat: TokenFormat;
  setCopyFormat(format: TokenFormat): void;
  /** Copies in main; announces the result with a toast. */
  copyToken(accountId: AccountId, options?: { readonly scopes?: readonly string[]; readonly format?: TokenFormat; readonly onError?: (error: ErrorInfo) => void }): Promise<boolean>;
  /**
   * Signs the account in for `scopes` (incremental consent, its login_hint kept); a failure goes
   * to `onError`. Resolves true once signed in.
   */
  signInForScopes(accountId: AccountId, scopes: readonly string[], onError: (error: ErrorInfo) => void): Promise<boolean>;
}

/** The token details panel. The revealed token lives here only while the panel shows it. */
export interface DetailsSlice {
  readonly detailsFor: AccountId | null;
  readonly revealed: RevealedToken | null;
  readonly revealError: ErrorInfo | null;
  openDetails(accountId: AccountId): void;
  /** Closing drops the revealed token from state. */
  closeDetails(): void;
  revealToken(scopes?: readonly string[]): Promise<void>;
  hideToken(): void;
  /** The account's ID token, decoded in main; `raw` only while the user asked to see it. */
  readonly idToken: IdTokenDetails | null;
  readonly idTokenError: ErrorInfo | null;
  /** Asks main for the ID token's claims, and for the raw token only when `raw`. */
  showIdToken(raw: boolean): Promise<void>;
  hideIdToken(): void;
}

/** Settings, storage status and facts about the running app. */
export interface SettingsSlice {
  readonly settings: Settings | null;
  readonly storage: StorageStatus | null;
  readonly appInfo: AppInfo | null;
  loadSettings(): Promise<void>;
  updateSettings(patch: Partial<Settings>): Promise<boolean>;
}

/** A short message shown at the bottom of the window. */
export interface Toast {
  readonly id: number;
  readonly kind: 'success' | 'error' | 'info';
  readonly message: string;
  /** Epoch ms when the clipboard will be cleared, if this toast is about a copy. */
  readonly clearsAt?: number | null;
}

/** Toasts. */
export interface ToastSlice {
  readonly toasts: readonly Toast[];
  showToast(toast: Omit<Toast, 'id'>): number;
  dismissToast(id: number): void;
}

/** Which panel or dialog is open. */
export type Panel = { readonly kind: 'none' } | { readonly kind: 'add-account' } | { readonly kind: 'settings' } | { readonly kind: 'activity' } | { readonly kind: 'confirm-remove'; readonly accountId: AccountId } | { readonly kind: 'copy-options'; readonly accountId: AccountId };

/** Navigation between panels. */
export interface UiSlice {
  readonly panel: Panel;
  openPanel(panel: Panel): void;
  closePanel(): void;
}

/**
 * The token bridge (the `tessera` command) as the UI sees it: prompts waiting for an answer, the
 * standing rules, the activity log and the bridge's status. None of it ever holds a token.
 */
export interface BridgeSlice {
  readonly bridgeStatus: BridgeStatus | null;
  /** Prompts waiting for an answer, oldest first; the consent dialog shows the first. */
  readonly consentPrompts: readonly ConsentPrompt[];
  /** The prompt whose answer is on its way to main, so its buttons wait. */
  readonly answeringPrompt: string | null;
  readonly standingRules: readonly StandingRule[];
  /** Newest first. */
  readonly activity: readonly ActivityEntry[];
  loadBridge(): Promise<void>;
  /** Reloads the bridge's status (Settings opens with a fresh one). */
  loadBridgeStatus(): Promise<void>;
  /** Answers a prompt; false when the answer failed (a prompt already settled is not a failure). */
  answerConsent(promptId: string, choice: ConsentChoice): Promise<boolean>;
  revokeStandingRule(ruleId: string): Promise<boolean>;
  setDefaultAccount(accountId: AccountId | null): Promise<boolean>;
  installCommandLineTool(): Promise<{ readonly tool?: CommandLineTool; readonly error?: ErrorInfo }>;
  applyConsentRequested(prompt: ConsentPrompt): void;
  applyConsentResolved(promptId: string, outcome: ConsentOutcome): void;
  applyStandingRules(rules: readonly StandingRule[]): void;
  applyActivity(entry: ActivityEntry): void;
}

/** Pushes from main. */
export interface EventsSlice {
  applyEvent(event: AppEvent): void;
  /** Loads everything the first screen needs. */
  loadAll(): Promise<void>;
}

/** The whole store. */
export type AppState = AccountsSlice & ProfilesSlice & SignInSlice & CopySlice & DetailsSlice & SettingsSlice & ToastSlice & UiSlice & BridgeSlice & EventsSlice;

/** What every slice creator receives besides zustand's set/get. */
export interface SliceDeps {
  readonly api: RendererApi;
}
