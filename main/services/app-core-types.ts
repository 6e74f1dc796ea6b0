/**
 * The app core's surface (`AppCore`) and what it needs from its host (`AppCoreDeps`).
 */
import type { AccountId, AppEvent, CoreMethods, CopyResult, StorageStatus } from '../../preload/contract';
import type { ClipboardAdapter } from '../clipboard/clipboard';
import type { Timers } from '../clipboard/clipboard-service';
import type { KeyValueStore } from '../persistence/settings-store';
import type { CacheStorage } from './cache-persistence';
import type { DemoProfileFields } from './profiles';
import type { SignInBrokers } from './sign-in';
import type { ClientOptionsHooks } from './tokens';
import type { TrayModel } from './tray-model';

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
  readonly brokers: SignInBrokers;
  /** Clears the embedded sign-in session partition of a removed account. */
  readonly clearSignInSession?: (accountKey: string) => Promise<void> | void;
  /** The local demo provider's profile; present only from a source checkout. */
  readonly demoProfile?: DemoProfileFields;
  readonly timers?: Timers;
  /** Epoch milliseconds. */
  readonly now?: () => number;
  /** Time limit of an interactive sign-in; default 5 minutes. */
  readonly signInTimeoutMs?: number;
  /** Diagnostics sink (codes and ids only; lines pass the redactor anyway). Default: none. */
  readonly log?: (line: string) => void;
}

/** Options of {@link AppCore.acquireAccessToken}. */
export interface AccessTokenOptions {
  /** Defaults to the profile's default scopes. */
  readonly scopes?: readonly string[];
  /** A cached token expiring within this many seconds is refreshed first. */
  readonly minValidSeconds?: number;
  /** Skip the cached access token. */
  readonly forceRefresh?: boolean;
  /** Also return the account's ID token. */
  readonly withIdToken?: boolean;
}

/** An access token handed to a trusted in-process caller (the command-line bridge). */
export interface AccessTokenGrant {
  readonly accessToken: string;
  readonly tokenType: string;
  /** Epoch seconds. */
  readonly expiresOn: number;
  readonly scopes: readonly string[];
  readonly idToken?: string;
}

/** The services behind `CoreMethods`, plus what the hosts (tray, IPC, browser mode, bridge) need. */
export interface AppCore extends CoreMethods {
  /** Pushes for the renderer and the tray; returns an unsubscribe function. */
  subscribe(listener: (event: AppEvent) => void): () => void;
  /** The tray menu for the current accounts. */
  trayModel(): TrayModel;
  /** The tray's "copy access token": the account's default scopes, raw. */
  copyDefaultToken(accountId: AccountId): Promise<CopyResult>;
  /**
   * A token for a trusted in-process caller (not an IPC method): typed input, validated by the
   * caller's boundary. Same bookkeeping as the UI's calls (lock, needs-sign-in, events).
   */
  acquireAccessToken(accountId: AccountId, options?: AccessTokenOptions): Promise<AccessTokenGrant>;
  /** Where the token cache lives and why (synchronous, for start-up decisions). */
  storageStatus(): StorageStatus;
  /** Stops timers and pending sign-ins, clears our clipboard contents, saves the cache. */
  dispose(): Promise<void>;
}
