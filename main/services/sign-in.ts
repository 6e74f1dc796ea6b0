/**
 * Interactive sign-in: one at a time, through the embedded window or the system browser, with
 * cancellation and a time limit; on success the account is remembered.
 */
import type { ProviderProfile, SignInMethod, SignInProgress } from '../../preload/contract';
import type { AuthorizationBroker } from '../auth';
import { AppError, OAuthServerError, secrets, toAppError, toErrorInfo } from '../errors';
import { accountIdFor, type AccountRecord, type AccountRegistry } from './accounts';
import type { CachePersistence } from './cache-persistence';
import type { EventHub } from './event-hub';
import { authorityHost, ENTRA_NATIVE_REDIRECT_URI } from './profiles';
import type { TokenService } from './tokens';

/** What the embedded-window broker factory is told: the profile and, when re-signing in, the account. */
export interface EmbeddedBrokerContext {
  readonly profile: ProviderProfile;
  /** The account being re-authenticated (its session partition is reused); absent for a new account. */
  readonly accountKey?: string;
}

/** The brokers a host offers: each is the auth core's {@link AuthorizationBroker}, used as is. */
export interface SignInBrokers {
  /** The Electron window broker; absent in browser mode. */
  readonly embedded?: (context: EmbeddedBrokerContext) => AuthorizationBroker;
  /** The system browser with a loopback listener (the auth core's `LoopbackBroker`: its port is bound in `prepare`). */
  readonly systemBrowser: () => AuthorizationBroker;
}

/** Options of one sign-in. */
export interface SignInRequest {
  readonly loginHint?: string;
  /** The account being re-authenticated. */
  readonly accountKey?: string;
  readonly claimsChallenge?: string;
}

/** What {@link SignInFlow} works with. */
export interface SignInFlowDeps {
  readonly tokens: TokenService;
  readonly accounts: AccountRegistry;
  readonly persistence: CachePersistence;
  readonly hub: EventHub;
  readonly brokers: SignInBrokers;
  /** Clears the embedded sign-in session partition of a removed account. */
  readonly clearSignInSession?: ((accountKey: string) => Promise<void> | void) | undefined;
  readonly timeoutMs: number;
  readonly defaultMethod: () => SignInMethod;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly isDisposed: () => boolean;
  /** Told once the account is remembered (schedule refresh, push the list). */
  readonly onSignedIn: (record: AccountRecord) => void;
  readonly log: (line: string) => void;
}

/** Runs interactive sign-ins. */
export class SignInFlow {
  readonly #deps: SignInFlowDeps;
  #current: AbortController | undefined;

  constructor(deps: SignInFlowDeps) {
    this.#deps = deps;
  }

  /** Signs in a new account (or an existing one again) with `profile`. */
  addAccount(profile: ProviderProfile, method: SignInMethod | undefined, loginHint: string | undefined): Promise<AccountRecord> {
    return this.run(profile, this.#methodFor(profile, method), loginHint ? { loginHint } : {});
  }

  /** Signs an account in again: same user, its session partition, and any pending claims challenge. */
  reauthenticate(profile: ProviderProfile, record: AccountRecord): Promise<AccountRecord> {
    const request = { loginHint: record.username, accountKey: record.id, claimsChallenge: record.claimsChallenge };
    return this.run(profile, this.#methodFor(profile, undefined), request);
  }

  // Google never gets an embedded window: it answers `disallowed_useragent`.
  #methodFor(profile: ProviderProfile, requested: SignInMethod | undefined): SignInMethod {
    if (profile.preset === 'google') return 'system-browser';
    return requested ?? profile.signInMethod ?? this.#deps.defaultMethod();
  }

  /** Clears a removed account's sign-in session (its cookies at the provider); a failure is only logged. */
  async forgetSession(accountKey: string): Promise<void> {
    try {
      await this.#deps.clearSignInSession?.(accountKey);
    } catch {
      this.#deps.log('clearing the sign-in session failed');
    }
  }

  /** Stops the sign-in in progress, if any (it rejects with `user_cancelled`). */
  cancel(): void {
    this.#current?.abort();
  }

  /**
   * Signs in with `profile` and remembers the account. One sign-in at a time: starting another
   * abandons the one the user walked away from. Progress is pushed as `sign-in-progress` events.
   */
  async run(profile: ProviderProfile, method: SignInMethod, request: SignInRequest): Promise<AccountRecord> {
    this.#current?.abort();
    const controller = new AbortController();
    this.#current = controller;
    const { hub, tokens, accounts, persistence } = this.#deps;
    const progress = (p: SignInProgress): void => hub.emit({ type: 'sign-in-progress', progress: p });
    try {
      const { broker, redirectUri } = this.#brokerFor(profile, method, request.accountKey);
      const { result, identity } = await tokens.signIn(profile, broker, {
        redirectUri,
        loginHint: request.loginHint,
        claimsChallenge: request.claimsChallenge,
        signal: controller.signal,
        timeoutMs: this.#deps.timeoutMs,
        onWaitingForUser: () => progress({ kind: 'waiting-for-user', profileId: profile.id, method, host: authorityHost(profile) }),
        onRedirect: (redirected) => {
          // The code is a secret from now on: a provider that echoes it gets it redacted.
          secrets.add(...codesIn(redirected));
          progress({ kind: 'redeeming', profileId: profile.id });
        },
      });
      if (!result.error) secrets.add(result.access_token, result.refresh_token, result.id_token);
      persistence.persist();
      if (result.error) throw new OAuthServerError(result, 'interactive');
      if (!identity) throw new AppError('sign_in_failed', 'The provider did not identify the account. Try again.');
      if (this.#deps.isDisposed()) throw new AppError('disposed', 'The app is shutting down.');
      const id = accountIdFor(profile.id, identity.homeAccountId, identity.environment);
      const record = accounts.upsert({ id, profileId: profile.id, ...identity, pinned: false, addedAt: this.#deps.now() });
      this.#deps.log(`signed in account ${id} (profile ${profile.id})`);
      progress({ kind: 'done', profileId: profile.id, accountId: id });
      this.#deps.onSignedIn(record);
      return record;
    } catch (error) {
      const appError = toAppError(error);
      this.#deps.log(`sign-in failed: ${appError.code}`);
      progress({ kind: 'failed', profileId: profile.id, error: toErrorInfo(appError) });
      throw appError;
    } finally {
      if (this.#current === controller) this.#current = undefined;
    }
  }

  #brokerFor(profile: ProviderProfile, method: SignInMethod, accountKey: string | undefined): { broker: AuthorizationBroker; redirectUri?: string } {
    if (method === 'embedded') {
      const factory = this.#deps.brokers.embedded;
      if (!factory) {
        throw new AppError('embedded_unavailable', 'The embedded sign-in window is not available here (browser mode). Sign in with the system browser instead.');
      }
      const redirectUri = profile.redirectUri ?? (profile.kind === 'entra' ? ENTRA_NATIVE_REDIRECT_URI : undefined);
      if (!redirectUri) throw new AppError('invalid_profile', 'This profile has no redirect URI for the embedded window. Edit the profile, or use the system browser.');
      return { broker: factory({ profile, ...(accountKey ? { accountKey } : {}) }), redirectUri };
    }
    return { broker: this.#deps.brokers.systemBrowser() };
  }
}

// The `code` of a redirect, in its query or its fragment (RFC 6749 §4.1.2, OAuth response modes).
function codesIn(redirect: string): string[] {
  try {
    const url = new URL(redirect);
    return [url.searchParams.get('code'), new URLSearchParams(url.hash.slice(1)).get('code')].filter((c): c is string => typeof c === 'string');
  } catch {
    return [];
  }
}
