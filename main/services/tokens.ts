/**
 * The token operations on top of the auth core: one `PublicClientApplication` per profile, all
 * sharing one `SerializableTokenCache`.
 *
 * This module knows the auth core; it knows nothing of events, settings or the clipboard.
 */
import type { AccountStatus, ProviderProfile } from '../../preload/contract';
import {
  EXPIRY_SKEW_SECONDS,
  PublicClientApplication,
  SerializableTokenCache,
  type AuthorizationBroker,
  type ClientApplicationOptions,
  type HttpClient,
  type TokenResult,
  type TokenSuccess,
} from '../auth';
import { AppError } from '../errors';
import type { AccountRecord, SignedInIdentity } from './accounts';
import { toAuthAccount } from './accounts';
import { authorityHost } from './profiles';

/** Per-profile transport settings supplied by the host (the demo provider's CA, a test IdP's discovery). */
export interface ClientOptionsHooks {
  readonly httpClientFor?: (profile: ProviderProfile) => HttpClient | undefined;
  /** `true`, `false`, or a CA bundle path (the demo provider's). */
  readonly verifyFor?: (profile: ProviderProfile) => boolean | string | undefined;
  /** Entra instance discovery: `false` or a custom endpoint (a test IdP). Default: Microsoft's. */
  readonly instanceDiscoveryFor?: (profile: ProviderProfile) => boolean | string | undefined;
}


/** Options of {@link TokenService.signIn}. */
export interface SignInOptions {
  readonly redirectUri?: string;
  readonly loginHint?: string;
  readonly claimsChallenge?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly onWaitingForUser?: () => void;
  /** Told the redirect URL before its code is redeemed. */
  readonly onRedirect?: (redirectUrl: string) => void;
}


/**
 * Clients per profile over one shared cache, and what the app asks of them.
 */
export class TokenService {
  readonly cache: SerializableTokenCache;
  readonly #hooks: ClientOptionsHooks;
  readonly #appVersion: string;
  readonly #clients = new Map<string, { readonly key: string; readonly client: PublicClientApplication }>();

  constructor(cache: SerializableTokenCache, hooks: ClientOptionsHooks, appVersion: string) {
    this.cache = cache;
    this.#hooks = hooks;
    this.#appVersion = appVersion;
  }

  /** The client of a profile; rebuilt when the profile changed since it was made. */
  clientFor(profile: ProviderProfile): PublicClientApplication {
    const key = JSON.stringify(profile);
    const existing = this.#clients.get(profile.id);
    if (existing && existing.key === key) return existing.client;
    const client = new PublicClientApplication(profile.clientId, this.#optionsFor(profile, this.cache));
    this.#clients.set(profile.id, { key, client });
    return client;
  }

  /** Drops a profile's client (profile deleted). */
  forget(profileId: string): void {
    this.#clients.delete(profileId);
  }

  /**
   * Runs authority discovery for a profile without touching the shared cache.
   *
   * Used by profile validation: a throwaway client, so a failed draft leaves nothing behind.
   */
  async discover(profile: ProviderProfile): Promise<{ issuer: string }> {
    const client = new PublicClientApplication(profile.clientId, this.#optionsFor(profile, new SerializableTokenCache()));
    const authority = await client.authority();
    return { issuer: authority.issuer };
  }

  /**
   * Interactive sign-in through `broker`; resolves with the token result and, on success, who signed in.
   */
  async signIn(
    profile: ProviderProfile,
    broker: AuthorizationBroker,
    options: SignInOptions,
  ): Promise<{ readonly result: TokenResult; readonly identity?: SignedInIdentity }> {
    const client = this.clientFor(profile);
    const result = await client.acquireTokenInteractive(profile.defaultScopes, {
      broker,
      redirectUri: options.redirectUri,
      loginHint: options.loginHint,
      claimsChallenge: options.claimsChallenge,
      // A fresh login page when re-authenticating, so a stale session cannot answer silently.
      prompt: options.loginHint ? 'login' : undefined,
      timeout: options.timeoutMs,
      signal: options.signal,
      extraParameters: profile.extraAuthorizeParameters,
      onBeforeLaunchingUi: options.onWaitingForUser,
      onRedirect: options.onRedirect,
    });
    if (result.error) return { result };
    const authority = await client.authority();
    return { result, identity: this.#identityOf(profile, result as TokenSuccess, authority.instance, authority.tenant) };
  }

  /** Silent acquisition for an account: cache, then refresh token. `null`: nothing to refresh with. */
  async acquireSilent(
    profile: ProviderProfile,
    record: AccountRecord,
    scopes: readonly string[],
    forceRefresh: boolean,
  ): Promise<TokenResult | null> {
    return this.clientFor(profile).acquireTokenSilentWithError(scopes, toAuthAccount(record), { forceRefresh });
  }

  /** Removes the account's tokens for this profile's client from the shared cache. */
  async remove(profile: ProviderProfile, record: AccountRecord): Promise<void> {
    await this.clientFor(profile).removeAccount(toAuthAccount(record));
  }

  /**
   * The status of the token for the profile's default scopes, read from the cache only.
   *
   * `valid` while an access token is cached (even within the refresh skew: the UI counts down),
   * `expired` when only a refresh token is left, `needs-sign-in` when nothing usable is cached.
   */
  statusFromCache(profile: ProviderProfile, record: AccountRecord, nowMs: number): AccountStatus {
    const owner = { home_account_id: record.homeAccountId, environment: record.environment };
    const nowSeconds = Math.floor(nowMs / 1000);
    const ats = this.cache.search('AccessToken', {
      target: profile.defaultScopes,
      query: { ...owner, client_id: profile.clientId },
      now: nowSeconds,
    });
    const expiries = ats.map((at) => Number(at.expires_on)).filter((n) => Number.isFinite(n) && n > nowSeconds);
    if (expiries.length > 0) return { kind: 'valid', expiresOn: Math.max(...expiries) };
    if (this.hasRefreshToken(profile, record)) return { kind: 'expired' };
    return { kind: 'needs-sign-in', reason: 'No saved sign-in for this account. Sign in again.' };
  }

  /**
   * True when a cached access token for `scopes` will be used without a network call and stays
   * valid at least `minValidSeconds` (never less than the auth core's own refresh skew).
   */
  hasFreshAccessToken(profile: ProviderProfile, record: AccountRecord, scopes: readonly string[], nowMs: number, minValidSeconds = 0): boolean {
    const now = Math.floor(nowMs / 1000);
    const margin = Math.max(EXPIRY_SKEW_SECONDS, minValidSeconds);
    return this.cache
      .search('AccessToken', {
        target: scopes,
        query: { home_account_id: record.homeAccountId, environment: record.environment, client_id: profile.clientId },
        now,
      })
      .some((at) => Number(at.expires_on) - now >= margin);
  }

  /** The account's cached ID token for this profile's client, if any. */
  idTokenOf(profile: ProviderProfile, record: AccountRecord): string | undefined {
    const entries = this.cache.search('IdToken', {
      query: { home_account_id: record.homeAccountId, environment: record.environment, client_id: profile.clientId },
    });
    const secret = entries[0]?.secret;
    return typeof secret === 'string' && secret !== '' ? secret : undefined;
  }

  /** Whether a refresh token of this profile's client (or its family) is cached for the account. */
  hasRefreshToken(profile: ProviderProfile, record: AccountRecord): boolean {
    return this.cache
      .search('RefreshToken', { query: { home_account_id: record.homeAccountId, environment: record.environment } })
      .some((rt) => rt.client_id === profile.clientId || (rt.family_id !== undefined && rt.family_id !== null && rt.family_id !== ''));
  }

  #optionsFor(profile: ProviderProfile, cache: SerializableTokenCache): ClientApplicationOptions {
    const httpClient = this.#hooks.httpClientFor?.(profile);
    const verify = this.#hooks.verifyFor?.(profile);
    const instanceDiscovery = this.#hooks.instanceDiscoveryFor?.(profile);
    return {
      ...(profile.kind === 'entra' ? { authority: profile.authority } : { oidcAuthority: profile.authority }),
      tokenCache: cache,
      ...(httpClient ? { httpClient } : {}),
      ...(verify !== undefined ? { verify } : {}),
      ...(instanceDiscovery !== undefined ? { instanceDiscovery } : {}),
      // Google rejects the offline_access scope; it issues refresh tokens via access_type=offline.
      ...(profile.preset === 'google' ? { excludeScopes: ['offline_access'] } : {}),
      appName: 'Tessera',
      appVersion: this.#appVersion,
    };
  }

  #identityOf(profile: ProviderProfile, result: TokenSuccess, environment: string, tenant: string): SignedInIdentity {
    const claims = (result.id_token_claims ?? {}) as Record<string, unknown>;
    // The cache already derived the home account id (uid.utid from client_info, else sub) when it
    // stored this ID token: read it there instead of decoding client_info a second time.
    const stored = result.id_token ? this.cache.search('IdToken', { query: { environment, client_id: profile.clientId } }).find((e) => e.secret === result.id_token) : undefined;
    const homeAccountId = (typeof stored?.home_account_id === 'string' && stored.home_account_id !== '' ? stored.home_account_id : undefined) ?? (typeof claims['sub'] === 'string' ? claims['sub'] : undefined);
    if (!homeAccountId) {
      // Without an ID token there is no account to remember (a provider that ignored "openid").
      throw new AppError('sign_in_failed', 'The provider did not return an ID token, so the account cannot be identified. Check that the profile is an OpenID Connect provider.');
    }
    const entry = this.cache.search('Account', { query: { home_account_id: homeAccountId, environment } })[0];
    const username =
      (entry?.username || undefined) ??
      [claims['preferred_username'], claims['email'], claims['upn'], claims['name'], claims['sub']].find((v): v is string => typeof v === 'string' && v !== '') ??
      homeAccountId;
    const displayName = typeof claims['name'] === 'string' ? claims['name'] : undefined;
    const tid = typeof claims['tid'] === 'string' ? claims['tid'] : undefined;
    return {
      homeAccountId,
      environment,
      realm: (typeof entry?.realm === 'string' ? entry.realm : undefined) ?? tid ?? tenant,
      localAccountId: (typeof entry?.local_account_id === 'string' ? entry.local_account_id : undefined) ?? homeAccountId,
      username,
      ...(displayName ? { displayName } : {}),
      tenant: profile.kind === 'entra' ? (tid ?? tenant) : authorityHost(profile),
    };
  }
}
