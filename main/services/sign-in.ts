/**
 * Interactive sign-in: one at a time, through the embedded window, the system browser or a device
 * code (RFC 8628), with cancellation and a time limit; on success the account is remembered.
 */
import type { DeviceCodePart, ProviderProfile, SignInMethod, SignInProgress } from '../../preload/contract';
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
  /** Sent when adding an account (see {@link addAccountPrompt}); absent when signing one in again. */
  readonly prompt?: 'login' | 'select_account';
  /** Scopes to sign in for (incremental consent); default the profile's default scopes. */
  readonly scopes?: readonly string[];
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
  // The device code sign-in waiting for the user: what "Copy" next to its code may copy.
  #deviceCode: { readonly controller: AbortController; readonly 'user-code': string; readonly 'verification-uri': string } | undefined;

  constructor(deps: SignInFlowDeps) {
    this.#deps = deps;
  }

  /**
   * Signs in a new account with `profile`, asking the provider to let the user choose or log in
   * (else the provider's session would sign the same user in again).
   */
  addAccount(profile: ProviderProfile, method: SignInMethod | undefined, loginHint: string | undefined): Promise<AccountRecord> {
    return this.run(profile, this.#methodFor(profile, method), { prompt: addAccountPrompt(profile), ...(loginHint ? { loginHint } : {}) });
  }

  /**
   * Signs an account in again: same user (`login_hint`), its session partition and provider
   * session (no `prompt`), any pending claims challenge, and `scopes` when given (incremental consent).
   */
  reauthenticate(profile: ProviderProfile, record: AccountRecord, scopes?: readonly string[], method?: SignInMethod): Promise<AccountRecord> {
    const request: SignInRequest = {
      loginHint: record.username,
      accountKey: record.id,
      ...(record.claimsChallenge ? { claimsChallenge: record.claimsChallenge } : {}),
      ...(scopes && scopes.length > 0 ? { scopes } : {}),
    };
    // An account added with a device code signs in again with one: its user has no browser here.
    const again = method ?? (record.signedInWith === 'device-code' ? 'device-code' : undefined);
    return this.run(profile, this.#methodFor(profile, again), request);
  }

  // Google never gets an embedded window: it answers `disallowed_useragent`.
  #methodFor(profile: ProviderProfile, requested: SignInMethod | undefined): SignInMethod {
    if (profile.preset === 'google' && requested !== 'device-code') return 'system-browser';
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

  /** The code (or its address) of the device code sign-in waiting for the user; `not_found` when none is. */
  deviceCodePart(part: DeviceCodePart): string {
    const current = this.#deviceCode;
    if (!current || current.controller !== this.#current) throw new AppError('not_found', 'No device code sign-in is waiting: start the sign-in again to get a code.');
    return current[part];
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
    const { hub, accounts, persistence } = this.#deps;
    const progress = (p: SignInProgress): void => hub.emit({ type: 'sign-in-progress', progress: p });
    try {
      const { result, identity } =
        method === 'device-code' ? await this.#signInWithDeviceCode(profile, request, controller, progress) : await this.#interactive(profile, method, request, controller.signal, progress);
      if (!result.error) secrets.add(result.access_token, result.refresh_token, result.id_token);
      persistence.persist();
      if (result.error) throw deviceCodeError(method, result.error, profile, controller.signal) ?? new OAuthServerError(result, 'interactive');
      if (!identity) throw new AppError('sign_in_failed', 'The provider did not identify the account. Try again.');
      if (this.#deps.isDisposed()) throw new AppError('disposed', 'The app is shutting down.');
      const id = accountIdFor(profile.id, identity.homeAccountId, identity.environment);
      const signedIn: AccountRecord = { id, profileId: profile.id, ...identity, signedInWith: method, pinned: false, addedAt: this.#deps.now() };
      if (request.accountKey !== undefined && id !== request.accountKey) await this.#refuseOtherUser(profile, request.accountKey, signedIn);
      const record = accounts.upsert(signedIn);
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
      if (this.#deviceCode?.controller === controller) this.#deviceCode = undefined;
    }
  }

  /**
   * Signing an account in again ended with another user: the provider answered for the session it
   * holds (one browser, one session at the provider) or the user logged in as someone else. That
   * user's tokens are kept only when they are an account here already; the account asked for is
   * left as it was, and the error says who signed in instead.
   */
  async #refuseOtherUser(profile: ProviderProfile, expectedId: string, signedIn: AccountRecord): Promise<never> {
    const { accounts, tokens, persistence } = this.#deps;
    const expected = accounts.find(expectedId)?.username ?? 'the account';
    if (accounts.find(signedIn.id)) accounts.upsert(signedIn);
    else await tokens.remove(profile, signedIn);
    persistence.persist();
    throw new AppError(
      'subject_mismatch',
      `The provider signed in ${signedIn.username}, not ${expected}, so ${expected} was not signed in again. At ${authorityHost(profile)}, sign in as ${expected} (sign out there first if it picks ${signedIn.username} by itself), then try again.`,
    );
  }

  #interactive(profile: ProviderProfile, method: SignInMethod, request: SignInRequest, signal: AbortSignal, progress: (p: SignInProgress) => void) {
    const { broker, redirectUri } = this.#brokerFor(profile, method, request.accountKey);
    return this.#deps.tokens.signIn(profile, broker, {
      redirectUri,
      loginHint: request.loginHint,
      ...(request.prompt ? { prompt: request.prompt } : {}),
      ...(request.scopes ? { scopes: request.scopes } : {}),
      claimsChallenge: request.claimsChallenge,
      signal,
      timeoutMs: this.#deps.timeoutMs,
      onWaitingForUser: () => progress({ kind: 'waiting-for-user', profileId: profile.id, method, host: authorityHost(profile) }),
      onRedirect: (redirected) => {
        // The code is a secret from now on: a provider that echoes it gets it redacted.
        secrets.add(...codesIn(redirected));
        progress({ kind: 'redeeming', profileId: profile.id });
      },
    });
  }

  // RFC 8628 has no login_hint or prompt: the user picks the account on the device they sign in on.
  // The code's own lifetime bounds the wait (typically 15 minutes), not the browser sign-in's limit.
  async #signInWithDeviceCode(profile: ProviderProfile, request: SignInRequest, controller: AbortController, progress: (p: SignInProgress) => void) {
    try {
      return await this.#deviceCodeFlow(profile, request, controller, progress);
    } catch (error) {
      const appError = toAppError(error);
      // The auth core's words name a discovery field; the user needs to know what to use instead.
      if (appError.code !== 'unsupported') throw appError;
      throw new AppError('unsupported', `${authorityHost(profile)} does not offer sign-in with a device code. Sign in with the system browser or the app window instead.`, { cause: error });
    }
  }

  #deviceCodeFlow(profile: ProviderProfile, request: SignInRequest, controller: AbortController, progress: (p: SignInProgress) => void) {
    return this.#deps.tokens.signInWithDeviceCode(profile, {
      ...(request.scopes ? { scopes: request.scopes } : {}),
      ...(request.claimsChallenge ? { claimsChallenge: request.claimsChallenge } : {}),
      signal: controller.signal,
      onCode: (flow) => {
        // The device code itself (what polls for the tokens) never leaves main; the user code is
        // what the user types at the provider, useless without their own sign-in there.
        secrets.add(flow.device_code);
        const complete = typeof flow.verification_uri_complete === 'string' && flow.verification_uri_complete !== '' ? flow.verification_uri_complete : undefined;
        this.#deviceCode = { controller, 'user-code': flow.user_code, 'verification-uri': complete ?? flow.verification_uri };
        progress({
          kind: 'device-code',
          profileId: profile.id,
          host: authorityHost(profile),
          userCode: flow.user_code,
          verificationUri: flow.verification_uri,
          ...(complete ? { verificationUriComplete: complete } : {}),
          expiresAt: Math.round(flow.expires_at * 1000),
        });
      },
    });
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

/**
 * The device flow's final answers as typed errors in plain words (RFC 8628 §3.5): the code
 * expired, the user declined, or the wait was cancelled here. `undefined` for anything else.
 */
function deviceCodeError(method: SignInMethod, error: string, profile: ProviderProfile, signal: AbortSignal): AppError | undefined {
  if (method !== 'device-code') return undefined;
  const host = authorityHost(profile);
  if (signal.aborted) return new AppError('user_cancelled', 'The device code sign-in was cancelled. Nothing was saved.');
  if (error === 'expired_token' || error === 'authorization_pending' || error === 'slow_down') {
    return new AppError('device_code_expired', `The code expired before the sign-in was finished at ${host}. Start again to get a new code.`);
  }
  if (error === 'access_denied') return new AppError('access_denied', `The sign-in was declined on the code page at ${host}. Start again if that was a mistake.`);
  return undefined;
}

/**
 * The `prompt` of "Add account": Entra's account picker (`select_account`, which also offers "use
 * another account"); generic OIDC has no picker everywhere, so `login` (OpenID Connect Core
 * §3.1.2.1: the provider must ask the user to log in even with a session).
 */
export function addAccountPrompt(profile: ProviderProfile): 'login' | 'select_account' {
  return profile.kind === 'entra' ? 'select_account' : 'login';
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
