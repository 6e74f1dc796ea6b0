/**
 * The token operations on top of the auth core: one client application per profile, all
 * sharing one `SerializableTokenCache`. A profile with a client credential (an app identity, or a
 * Google desktop client's secret) gets a `ConfidentialClientApplication` built with the secret or
 * key kept by the cache persistence; every other profile a `PublicClientApplication`.
 *
 * This module knows the auth core; it knows nothing of events, settings or the clipboard.
 */
import type { AccountStatus, ProviderProfile } from '../../preload/contract';
import {
  ClientAuthenticator,
  ConfidentialClientApplication,
  EXPIRY_SKEW_SECONDS,
  isUntrustedCertificate,
  PublicClientApplication,
  acquireTokenInteractiveWith,
  type AccessTokenEntry,
  type ClientApplication,
  type ClientCredential,
  SerializableTokenCache,
  type AuthorizationBroker,
  type ClientApplicationOptions,
  type DeviceFlow,
  type HttpClient,
  type TokenError,
  type TokenResult,
  type TokenSuccess,
} from '../auth';
import { AppError } from '../errors';
import type { AccountRecord, SignedInIdentity } from './accounts';
import { toAuthAccount } from './accounts';
import type { SecretMaterial } from './cache-persistence';
import { authorityHost, checkCaFile, untrustedCertificateAdvice } from './profiles';

/** The `homeAccountId` of an app identity's record: app tokens belong to no account (MSAL caches them without one). */
export const APP_IDENTITY_HOME_ID = 'app';

/** Whether the profile's accounts are app identities (client credentials). */
export function isAppProfile(profile: ProviderProfile): boolean {
  return profile.grant === 'app';
}

/** Why an app identity or a confidential profile cannot get tokens: its secret is not saved. */
export function missingSecretReason(profile: ProviderProfile): string {
  const what = profile.clientAuth?.kind === 'certificate' ? 'private key' : 'client secret';
  return `The ${what} of the profile "${profile.name}" is not saved here (it was kept in memory only, or could not be read). Edit the profile and enter it again.`;
}

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
  /** OIDC Core §3.1.2.1 `prompt`: `select_account`/`login` when adding an account, none when signing one in again. */
  readonly prompt?: 'login' | 'select_account';
  /** Scopes to sign in for; default the profile's default scopes. */
  readonly scopes?: readonly string[];
  readonly claimsChallenge?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly onWaitingForUser?: () => void;
  /** Told the redirect URL before its code is redeemed. */
  readonly onRedirect?: (redirectUrl: string) => void;
}

/** Options of {@link TokenService.signInWithDeviceCode}. */
export interface DeviceCodeSignInOptions {
  /** Scopes to sign in for; default the profile's default scopes. */
  readonly scopes?: readonly string[];
  readonly claimsChallenge?: string;
  readonly signal?: AbortSignal;
  /** Told once the provider issued the code: show it to the user. */
  readonly onCode: (flow: DeviceFlow) => void;
}

/**
 * Clients per profile over one shared cache, and what the app asks of them.
 */
export class TokenService {
  readonly cache: SerializableTokenCache;
  readonly #hooks: ClientOptionsHooks;
  readonly #appVersion: string;
  readonly #clients = new Map<string, { readonly key: string; readonly client: ClientApplication }>();
  readonly #secretOf: (profileId: string) => SecretMaterial | undefined;

  constructor(cache: SerializableTokenCache, hooks: ClientOptionsHooks, appVersion: string, secretOf: (profileId: string) => SecretMaterial | undefined = () => undefined) {
    this.cache = cache;
    this.#hooks = hooks;
    this.#appVersion = appVersion;
    this.#secretOf = secretOf;
  }

  /**
   * The client of a profile; rebuilt when the profile changed since it was made (the core calls
   * {@link forget} when a profile's secret changes). Throws `needs_sign_in` when the profile needs
   * a secret that is not saved.
   */
  clientFor(profile: ProviderProfile): ClientApplication {
    const key = JSON.stringify(profile);
    const existing = this.#clients.get(profile.id);
    if (existing && existing.key === key) return existing.client;
    const options = this.#optionsFor(profile, this.cache);
    const credential = this.#credentialOf(profile, () => client);
    const client: ClientApplication = withCaFileCheck(profile, () =>
      credential ? new ConfidentialClientApplication(profile.clientId, { ...options, clientCredential: credential }) : new PublicClientApplication(profile.clientId, options),
    );
    this.#clients.set(profile.id, { key, client });
    return client;
  }

  /** Whether a profile that needs a client credential has it saved (always true for public profiles). */
  hasCredential(profile: ProviderProfile): boolean {
    return !profile.clientAuth || this.#materialFor(profile) !== undefined;
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
    const client = withCaFileCheck(profile, () => new PublicClientApplication(profile.clientId, this.#optionsFor(profile, new SerializableTokenCache())));
    const authority = await withCaAdvice(profile, client.authority());
    return { issuer: authority.issuer };
  }

  /**
   * An app identity's token (client-credentials grant, `acquireTokenForClient`): the cache when
   * a token is valid, else the provider. `forceRefresh` drops the cached one first (the auth core
   * takes no `forceRefresh` here, as MSAL does not).
   */
  async acquireForApp(profile: ProviderProfile, scopes: readonly string[], forceRefresh: boolean, realm?: string): Promise<TokenResult> {
    const client = this.clientFor(profile) as ConfidentialClientApplication;
    if (forceRefresh) {
      const authority = await withCaAdvice(profile, client.authority());
      for (const at of this.#appAccessTokens(profile, authority.instance, realm ?? authority.tenant, scopes)) this.cache.removeAt(at);
    }
    const result = await withCaAdvice(profile, client.acquireTokenForClient(scopes));
    if (result.error === 'invalid_client') {
      // The generic text speaks of public clients; an app identity's secret or key was refused.
      const what = profile.clientAuth?.kind === 'certificate' ? 'certificate' : 'client secret';
      throw new AppError('invalid_client', `The provider refused the ${what} of "${profile.name}" (invalid_client). Check the client id, and enter a current ${what} in the profile: secrets expire.`);
    }
    return result;
  }

  /** Who an app identity is, for its account record: the client id at the authority's host and tenant. */
  async appIdentityOf(profile: ProviderProfile): Promise<SignedInIdentity> {
    const authority = await withCaAdvice(profile, this.clientFor(profile).authority());
    return {
      homeAccountId: APP_IDENTITY_HOME_ID,
      environment: authority.instance,
      realm: authority.tenant,
      localAccountId: profile.clientId,
      username: profile.clientId,
      displayName: profile.name,
      tenant: profile.kind === 'entra' ? authority.tenant : authorityHost(profile),
    };
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
    const extraParameters = withPrompt(profile.extraAuthorizeParameters, options.prompt);
    // Public, or confidential (a desktop client with its secret): the same interactive steps.
    const result = await withCaAdvice(profile, acquireTokenInteractiveWith(client, options.scopes ?? profile.defaultScopes, {
      broker,
      redirectUri: options.redirectUri,
      loginHint: options.loginHint,
      claimsChallenge: options.claimsChallenge,
      // Adding asks the provider to let the user pick or log in (else its session signs the same
      // user in again); signing an account in again keeps its session and login_hint (issue 9).
      prompt: options.prompt,
      timeout: options.timeoutMs,
      signal: options.signal,
      extraParameters,
      onBeforeLaunchingUi: options.onWaitingForUser,
      onRedirect: options.onRedirect,
    }));
    if (result.error) return { result };
    const authority = await client.authority();
    return { result, identity: this.#identityOf(profile, result as TokenSuccess, authority.instance, authority.tenant) };
  }

  /**
   * Device code sign-in (RFC 8628): asks the provider for a code, hands it to `onCode`, then polls
   * until the user finished at the provider, the code expired, or `signal` aborted. Resolves with
   * the last answer (an error value such as `expired_token` or `access_denied` included) and, on
   * success, who signed in.
   */
  async signInWithDeviceCode(profile: ProviderProfile, options: DeviceCodeSignInOptions): Promise<{ readonly result: TokenResult; readonly identity?: SignedInIdentity }> {
    const client = this.clientFor(profile);
    // RFC 8628 §3.1 is for public clients (MSAL offers it on PublicClientApplication only).
    if (!(client instanceof PublicClientApplication)) {
      throw new AppError('unsupported', `"${profile.name}" has a client secret, and sign-in with a code works only without one. Sign in with the browser instead.`);
    }
    const scopes = options.scopes ?? profile.defaultScopes;
    // The profile's extra parameters go to the device authorization request as they go to the
    // authorize URL: Auth0 issues a token for the API named by `audience` only when it is there.
    // A profile never holds a reserved name (RESERVED_AUTHORIZE_PARAMETERS in preload/contract.ts),
    // and no `prompt` is added: the user picks the account on the device they sign in on.
    const flow = await client.initiateDeviceFlow(scopes, {
      ...(options.claimsChallenge ? { claimsChallenge: options.claimsChallenge } : {}),
      ...(profile.extraAuthorizeParameters ? { extraParameters: profile.extraAuthorizeParameters } : {}),
    });
    if (isTokenError(flow)) return { result: flow };
    options.onCode(flow);
    const result = await client.acquireTokenByDeviceFlow(flow, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.claimsChallenge ? { claimsChallenge: options.claimsChallenge } : {}),
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
    if (isAppProfile(profile)) return this.acquireForApp(profile, scopes, forceRefresh, record.realm);
    return withCaAdvice(profile, this.clientFor(profile).acquireTokenSilentWithError(scopes, toAuthAccount(record), { forceRefresh }));
  }

  /** Removes the account's tokens for this profile's client from the shared cache. */
  async remove(profile: ProviderProfile, record: AccountRecord): Promise<void> {
    if (isAppProfile(profile)) {
      for (const at of this.#appAccessTokens(profile, record.environment, record.realm)) this.cache.removeAt(at);
      return;
    }
    if (!this.hasCredential(profile)) {
      // No client can be built without the secret; the cache entries go all the same.
      await new PublicClientApplication(profile.clientId, this.#optionsFor(profile, this.cache)).removeAccount(toAuthAccount(record));
      return;
    }
    await this.clientFor(profile).removeAccount(toAuthAccount(record));
  }

  /**
   * The status of the token for the profile's default scopes, read from the cache only.
   *
   * `valid` while an access token is cached (even within the refresh skew: the UI counts down),
   * `expired` when only a refresh token is left, `needs-sign-in` when nothing usable is cached.
   */
  statusFromCache(profile: ProviderProfile, record: AccountRecord, nowMs: number): AccountStatus {
    if (isAppProfile(profile)) {
      const now = Math.floor(nowMs / 1000);
      const expiries = this.#appAccessTokens(profile, record.environment, record.realm, profile.defaultScopes).map((at) => Number(at.expires_on)).filter((n) => Number.isFinite(n) && n > now);
      if (expiries.length > 0) return { kind: 'valid', expiresOn: Math.max(...expiries) };
      // An app identity gets a new token whenever asked, as long as its secret is there.
      return this.hasCredential(profile) ? { kind: 'expired' } : { kind: 'needs-sign-in', reason: missingSecretReason(profile) };
    }
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
    if (isAppProfile(profile)) return this.#appAccessTokens(profile, record.environment, record.realm, scopes).some((at) => Number(at.expires_on) - now >= margin);
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

  // An app identity's cached access tokens: MSAL keeps them without an account (home_account_id null).
  #appAccessTokens(profile: ProviderProfile, environment: string, realm: string, scopes?: readonly string[]): AccessTokenEntry[] {
    return this.cache
      .search('AccessToken', { ...(scopes ? { target: scopes } : {}), query: { environment, client_id: profile.clientId } })
      .filter((at) => !at.home_account_id && (at.realm ?? '') === realm);
  }

  #materialFor(profile: ProviderProfile): SecretMaterial | undefined {
    const material = this.#secretOf(profile.id);
    if (!material || !profile.clientAuth) return undefined;
    // A secret saved for the other kind (the kind was changed) does not count.
    return (profile.clientAuth.kind === 'secret') === 'clientSecret' in material ? material : undefined;
  }

  #credentialOf(profile: ProviderProfile, client: () => ClientApplication): ClientCredential | undefined {
    if (!profile.clientAuth) return undefined;
    const material = this.#materialFor(profile);
    if (!material) throw new AppError('needs_sign_in', missingSecretReason(profile));
    if ('clientSecret' in material) return material.clientSecret;
    const certificate = { privateKey: material.privateKey, thumbprint: profile.clientAuth.thumbprint ?? '' };
    // Checks the key and thumbprint now, with the auth core's own rules.
    new ClientAuthenticator(profile.clientId, certificate);
    // A fresh assertion (new `jti`) for every request: the auth core reuses one for 540 s as MSAL
    // does, which Entra accepts but providers that refuse a replayed `jti` (RFC 7523 §3; the test
    // IdP's oidc-provider, Keycloak) answer with invalid_client. A new authenticator signs anew.
    return {
      clientAssertion: async () => {
        const authority = await client().authority();
        const fields = await new ClientAuthenticator(profile.clientId, certificate).bodyFields(authority.tokenEndpoint, Math.floor(Date.now() / 1000));
        return fields['client_assertion'] ?? '';
      },
    };
  }

  #optionsFor(profile: ProviderProfile, cache: SerializableTokenCache): ClientApplicationOptions {
    const httpClient = this.#hooks.httpClientFor?.(profile);
    // The profile's own CA first (corporate and lab providers), else what the host says (the demo provider's).
    const verify = profile.caFile ?? this.#hooks.verifyFor?.(profile);
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

function isTokenError(value: DeviceFlow | TokenError): value is TokenError {
  return typeof (value as { error?: unknown }).error === 'string';
}

/**
 * A profile's extra authorize parameters with `prompt` added to any prompt they set (Google's preset
 * sends `prompt=consent`): OpenID Connect Core §3.1.2.1 takes a space-separated list, so adding an
 * account there asks `consent select_account`. `none` cannot be combined and is left alone.
 */
export function withPrompt(extra: Readonly<Record<string, string>> | undefined, prompt: string | undefined): Readonly<Record<string, string>> | undefined {
  const own = extra?.['prompt'];
  if (!extra || !prompt || own === undefined) return extra;
  const values = own.split(' ').filter(Boolean);
  if (values.includes('none')) return extra;
  return { ...extra, prompt: [...new Set([...values, prompt])].join(' ') };
}

/**
 * Builds a client; when the profile's CA file cannot be used any more (moved, deleted), says so
 * about the profile's field instead of the auth core's text about its `verify` option.
 */
function withCaFileCheck<T>(profile: ProviderProfile, build: () => T): T {
  try {
    return build();
  } catch (error) {
    const problem = profile.caFile ? checkCaFile(profile.caFile) : undefined;
    if (problem) throw new AppError('invalid_profile', `The "Custom CA certificate" of the profile "${profile.name}" cannot be used: ${problem} Edit the profile.`, { cause: error });
    throw error;
  }
}

/**
 * Rejects an untrusted-certificate failure with advice that points at the profile's "Custom CA
 * certificate" field (the auth core's own message names its `verify` option, which users never see).
 */
async function withCaAdvice<T>(profile: ProviderProfile, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isUntrustedCertificate(error)) throw new AppError('network_error', untrustedCertificateAdvice(profile, profile.caFile), { cause: error });
    throw error;
  }
}
