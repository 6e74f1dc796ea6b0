/**
 * `ClientApplication`: a TypeScript port of MSAL Python's class of the same name.
 *
 * Same methods, options and wire behaviour as MSAL Python 1.31 (its application.py), with two
 * deliberate differences: ID tokens are verified (signature, issuer, audience, expiry), and the
 * API is Promise-based. Server-side OAuth errors are returned as values; client-side data errors
 * throw typed errors from `./errors`.
 *
 * Longer than 500 lines on purpose: it is one class, MSAL's public surface (about twenty methods
 * whose silent, refresh and redemption paths share private state). The checks of what comes back
 * live in ./token-answer.ts, the cache in ./token-cache.ts, discovery in ./authority.ts.
 */
import { randomUUID } from 'node:crypto';
import { Authority, canonicalize, detectRegion, regionalAuthorityHost } from './authority';
import { mergeClaimsChallengeAndCapabilities } from './claims';
import { ClientAuthenticator } from './client-credential';
import { createDefaultHttpClient } from './default-http-client';
import { AuthError, AuthResponseError, IdTokenError, InvalidArgumentError, TransportError } from './errors';
import type { HttpClient } from './http-types';
import { signingKeys, verifyIdToken } from './id-token';
import type { IdTokenClaims } from './id-token';
import { parseClientInfo } from './encoding';
import { HitMemo } from './hit-memo';
import { generatePkce, hashNonce, randomLetters } from './pkce';
import { isOAuthError, requestSecrets, toErrorValue } from './oauth-error';
import { assertSameSubject, checkIssuerParameter, checkTokenAnswer, toInt } from './token-answer';
import { parseJsonResponse } from './response';
import { assertScopeList, decorateScopes, scopeParam, sortScopes, validateExcludeScopes } from './scopes';
import { ApiId, TelemetryBuffer, TelemetryContext } from './telemetry';
import type { RefreshReason } from './telemetry';
import { ThrottledHttpClient } from './throttled-http-client';
import { TokenCache } from './token-cache';
import type { RefreshTokenEntry, TokenEvent } from './cache-types';
import type {
  Account,
  AcquireTokenSilentOptions,
  AuthCodeFlow,
  ClientApplicationOptions,
  InitiateAuthCodeFlowOptions,
  TokenResult,
  TokenSuccess,
} from './types';

/** The library's identity in `x-client-*` headers. */
export const LIBRARY_SKU = 'Tessera.Auth';
/** The library version sent in `x-client-ver`. */
export const LIBRARY_VERSION = '0.1.0';

const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com/common/';
/** An access token this close to expiry is treated as expired (MSAL's 5-minute skew). */
export const EXPIRY_SKEW_SECONDS = 300;
/** Grants that sign a person in: their answers must name the account (an ID token for openid). */
const ACCOUNT_GRANTS: ReadonlySet<string> = new Set(['authorization_code', 'password', 'urn:ietf:params:oauth:grant-type:device_code']);
const REFRESH_REASON = { nonSilent: 0, forceRefresh: 1, atAbsent: 2, atExpired: 3, atAging: 4 } as const;
const SUBERROR_CLASSIFICATION: Readonly<Record<string, string>> = {
  bad_token: '',
  token_expired: '',
  protection_policy_required: '',
  client_mismatch: '',
  device_authentication_failed: '',
};

/** Where a token request came from, for the cache event and the telemetry headers. */
export interface TokenRequest {
  readonly authority: Authority;
  readonly grantType: string;
  readonly data: Readonly<Record<string, string | undefined>>;
  readonly apiId: string;
  readonly correlationId?: string;
  readonly refreshReason?: RefreshReason;
  /** The scopes as requested (decorated); the cache prefers the response's `scope`. */
  readonly scopes?: readonly string[];
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** Expected `nonce` claim (already hashed where MSAL hashes it). */
  readonly nonce?: string;
  readonly maxAge?: number;
  readonly skipAccountCreation?: boolean;
  readonly username?: string;
  /** Silent refresh: the RT that was used; a rotated RT replaces its secret in place. */
  readonly usedRefreshToken?: RefreshTokenEntry;
  /** Post here instead of the authority's token endpoint (a regional endpoint). */
  readonly tokenEndpoint?: string;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}


/**
 * The base of both client kinds, with the methods every MSAL application has.
 *
 * Authority discovery happens on first use (MSAL Python does it in the constructor; a constructor
 * cannot await), and a failed discovery is retried on the next call.
 */
export class ClientApplication {
  // MSAL's API ids, as its telemetry headers carry them (one source: ./telemetry).
  static readonly ACQUIRE_TOKEN_SILENT_ID = ApiId.ACQUIRE_TOKEN_SILENT;
  static readonly ACQUIRE_TOKEN_BY_REFRESH_TOKEN = ApiId.ACQUIRE_TOKEN_BY_REFRESH_TOKEN;
  static readonly ACQUIRE_TOKEN_BY_USERNAME_PASSWORD_ID = ApiId.ACQUIRE_TOKEN_BY_USERNAME_PASSWORD;
  static readonly ACQUIRE_TOKEN_ON_BEHALF_OF_ID = ApiId.ACQUIRE_TOKEN_ON_BEHALF_OF;
  static readonly ACQUIRE_TOKEN_BY_DEVICE_FLOW_ID = ApiId.ACQUIRE_TOKEN_BY_DEVICE_FLOW;
  static readonly ACQUIRE_TOKEN_FOR_CLIENT_ID = ApiId.ACQUIRE_TOKEN_FOR_CLIENT;
  static readonly ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID = ApiId.ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE;
  static readonly ACQUIRE_TOKEN_INTERACTIVE = ApiId.ACQUIRE_TOKEN_INTERACTIVE;
  static readonly GET_ACCOUNTS_ID = ApiId.GET_ACCOUNTS;
  static readonly REMOVE_ACCOUNT_ID = ApiId.REMOVE_ACCOUNT;
  /** Pass as `azureRegion` to detect the region from the environment or the instance metadata service. */
  static readonly ATTEMPT_REGION_DISCOVERY = true;

  readonly clientId: string;
  readonly tokenCache: TokenCache;
  /** The configured authority URL (or OIDC issuer). */
  readonly authorityUrl: string;
  protected readonly options: ClientApplicationOptions;
  /** Every request goes through this: the caller's or the default client, wrapped in throttling. */
  protected readonly http: HttpClient;
  /** The same transport without the HTTP cache, for refetching signing keys after a rotation. */
  protected readonly freshHttp: HttpClient;
  protected readonly excludeScopes: readonly string[];
  protected readonly clientAuthenticator: ClientAuthenticator | undefined;
  private readonly telemetryBuffer = new TelemetryBuffer();
  private authorityPromise: Promise<Authority> | undefined;
  /** The configured authority once discovered: the silent fast path needs it without awaiting. */
  private resolvedAuthority: Authority | undefined;
  /** Repeated cache hits for the configured authority (./hit-memo.ts says when one holds). */
  private readonly hitMemo = new HitMemo();
  private regionalAuthorityPromise: Promise<Authority | undefined> | undefined;

  constructor(clientId: string, options: ClientApplicationOptions = {}) {
    if (typeof clientId !== 'string' || clientId.trim() === '') {
      throw new InvalidArgumentError('clientId must be a non-empty string.');
    }
    if (options.authority && options.oidcAuthority) {
      throw new InvalidArgumentError('Use either authority or oidcAuthority, not both.');
    }
    this.clientId = clientId;
    this.options = options;
    this.authorityUrl = options.oidcAuthority ?? options.authority ?? DEFAULT_AUTHORITY;
    if (!options.oidcAuthority) canonicalize(this.authorityUrl); // fail fast on a malformed URL
    else if (!/^https:\/\//i.test(options.oidcAuthority)) {
      throw new InvalidArgumentError('oidcAuthority must be an https URL.', 'invalid_argument');
    }
    this.excludeScopes = validateExcludeScopes(options.excludeScopes);
    if (options.clientCapabilities !== undefined && !Array.isArray(options.clientCapabilities)) {
      throw new InvalidArgumentError('clientCapabilities must be a list of strings such as ["CP1"].');
    }
    this.tokenCache = options.tokenCache ?? new TokenCache();
    const inner = options.httpClient ?? createDefaultHttpClient({ verify: options.verify, proxies: options.proxies, timeout: options.timeout });
    this.freshHttp = inner;
    this.http = new ThrottledHttpClient(inner, {
      httpCache: options.httpCache,
      // MSAL throttles public clients longer: a person retrying by hand, not a service.
      defaultThrottleTime: options.clientCredential ? 5 : 60,
    });
    this.clientAuthenticator = options.clientCredential
      ? new ClientAuthenticator(clientId, options.clientCredential, options.clientClaims)
      : undefined;
  }

  /** True for a generic OpenID Connect issuer (`oidcAuthority`). */
  protected get isOidc(): boolean {
    return this.options.oidcAuthority !== undefined;
  }

  /**
   * The discovered authority. Resolves once; a failure is not remembered.
   */
  authority(): Promise<Authority> {
    if (!this.authorityPromise) {
      this.authorityPromise = this.buildAuthority(this.authorityUrl).then(
        (authority) => (this.resolvedAuthority = authority),
        (error: unknown) => {
          this.authorityPromise = undefined;
          throw error;
        },
      );
    }
    return this.authorityPromise;
  }

  protected buildAuthority(url: string): Promise<Authority> {
    return Authority.create(url, this.http, {
      validateAuthority: this.options.validateAuthority ?? true,
      instanceDiscovery: this.options.instanceDiscovery,
      isOidc: this.isOidc,
    });
  }

  /** The authority `acquireTokenForClient` posts to: regional when a region is configured or detected. */
  protected regionalAuthority(): Promise<Authority | undefined> {
    if (!this.clientAuthenticator) return Promise.resolve(undefined);
    if (!this.regionalAuthorityPromise) {
      this.regionalAuthorityPromise = (async () => {
        const central = await this.authority();
        if (central.isOidc || central.isAdfs || central.isB2c) return undefined;
        const region = await detectRegion({
          azureRegion: this.options.azureRegion,
          http: this.freshHttp,
          imdsUrl: this.options.imdsUrl,
        });
        if (!region) return undefined;
        const host = regionalAuthorityHost(central.instance, region);
        return Authority.create(`https://${host}/${central.tenant}`, this.http, { instanceDiscovery: false });
      })().catch((error: unknown) => {
        this.regionalAuthorityPromise = undefined;
        throw error;
      });
    }
    return this.regionalAuthorityPromise;
  }

  protected decorate(scopes: readonly string[]): string[] {
    return decorateScopes(scopes, this.excludeScopes);
  }

  protected claims(claimsChallenge: string | undefined): string | undefined {
    return mergeClaimsChallengeAndCapabilities(this.options.clientCapabilities, claimsChallenge);
  }

  // ---------------------------------------------------------------------------------------------
  // Authorization code flow

  /**
   * Start an authorization code flow with PKCE, state and nonce.
   *
   * Open `flow.auth_uri` in a browser, then pass the flow and the redirect's query parameters to
   * `acquireTokenByAuthCodeFlow`.
   */
  async initiateAuthCodeFlow(scopes: readonly string[], options: InitiateAuthCodeFlowOptions = {}): Promise<AuthCodeFlow> {
    const authority = await this.authority();
    const decorated = this.decorate(scopes);
    const pkce = generatePkce();
    const state = options.state ?? randomLetters(16);
    const nonce = randomLetters(16);
    const claims = this.claims(options.claimsChallenge);
    const params: Record<string, string | undefined> = {
      client_id: this.clientId,
      response_type: 'code',
      redirect_uri: options.redirectUri,
      scope: scopeParam(decorated),
      state,
      code_challenge: pkce.codeChallenge,
      code_challenge_method: pkce.codeChallengeMethod,
      nonce: hashNonce(nonce),
      client_info: this.isOidc ? undefined : '1',
      login_hint: options.loginHint,
      'X-AnchorMailbox': options.loginHint && !this.isOidc ? `UPN:${options.loginHint}` : undefined,
      prompt: options.prompt,
      domain_hint: options.domainHint,
      claims,
      max_age: options.maxAge !== undefined ? String(options.maxAge) : undefined,
      response_mode: options.responseMode,
      ...options.extraParameters,
    };
    const flow: AuthCodeFlow = {
      state,
      redirect_uri: options.redirectUri,
      scope: decorated,
      code_verifier: pkce.codeVerifier,
      nonce,
      ...(options.maxAge !== undefined ? { max_age: options.maxAge } : {}),
      auth_uri: buildUrl(authority.authorizationEndpoint, params),
      claims_challenge: options.claimsChallenge,
    };
    return flow;
  }

  /**
   * Build an authorization URL without PKCE (MSAL's deprecated API, kept for parity).
   *
   * The nonce, when given, is sent as is.
   */
  async getAuthorizationRequestUrl(
    scopes: readonly string[],
    options: {
      loginHint?: string;
      state?: string;
      redirectUri?: string;
      responseType?: string;
      prompt?: string;
      nonce?: string;
      domainHint?: string;
      claimsChallenge?: string;
      extraParameters?: Readonly<Record<string, string>>;
    } = {},
  ): Promise<string> {
    const authority = await this.authority();
    return buildUrl(authority.authorizationEndpoint, {
      client_id: this.clientId,
      response_type: options.responseType ?? 'code',
      redirect_uri: options.redirectUri,
      scope: scopeParam(this.decorate(scopes)),
      state: options.state,
      nonce: options.nonce,
      login_hint: options.loginHint,
      prompt: options.prompt,
      domain_hint: options.domainHint,
      claims: this.claims(options.claimsChallenge),
      ...options.extraParameters,
    });
  }

  /**
   * Redeem the redirect of a flow from `initiateAuthCodeFlow`.
   *
   * Checks state, scope, then the ID token's nonce and `auth_time`. An `error` in the redirect is
   * returned as a value with only OAuth's error fields.
   */
  async acquireTokenByAuthCodeFlow(
    authCodeFlow: AuthCodeFlow,
    authResponse: Readonly<Record<string, string | undefined>>,
    scopes?: readonly string[],
    options: { claimsChallenge?: string; apiId?: string } = {},
  ): Promise<TokenResult> {
    if (!authCodeFlow || typeof authCodeFlow !== 'object' || !authCodeFlow.state) {
      throw new AuthResponseError('state_missing', 'The auth code flow has no state; start the sign-in again with initiateAuthCodeFlow.');
    }
    if (!authResponse || typeof authResponse !== 'object') {
      throw new AuthResponseError('invalid_auth_response', 'The auth response must be the redirect\'s query parameters as an object.');
    }
    if (authCodeFlow.state !== authResponse['state']) {
      // Never echo the values: a state may be guessable input from an attacker page.
      throw new AuthResponseError('state_mismatch', 'The sign-in response does not belong to this sign-in (state mismatch). Start the sign-in again.');
    }
    let requested = authCodeFlow.scope;
    if (scopes) {
      const decorated = this.decorate(scopes);
      const granted = new Set(authCodeFlow.scope);
      if (!decorated.every((s) => granted.has(s))) {
        throw new AuthResponseError('scope_mismatch', `scopes must be omitted or a subset of the flow's scopes (${sortScopes(granted).join(' ')}).`);
      }
      requested = decorated;
    }
    const authority = await this.authority();
    checkIssuerParameter(authority, authResponse['iss']);
    const code = authResponse['code'];
    if (authResponse['error']) {
      // An error wins over a code sent alongside it: a response that says it failed is never
      // redeemed (RFC 6749 §4.1.2.1 defines the two as alternatives).
      return toErrorValue(authResponse, code ? [code] : []);
    }
    if (code) {
      return this.requestToken({
        authority,
        grantType: 'authorization_code',
        apiId: options.apiId ?? ClientApplication.ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID,
        data: {
          code,
          code_verifier: authCodeFlow.code_verifier,
          redirect_uri: authCodeFlow.redirect_uri,
          scope: scopeParam(requested),
          claims: this.claims(options.claimsChallenge ?? authCodeFlow.claims_challenge),
        },
        headers: this.anchorFromClientInfo(authResponse['client_info']),
        scopes: requested,
        nonce: hashNonce(authCodeFlow.nonce),
        maxAge: authCodeFlow.max_age,
      });
    }
    throw new AuthResponseError('invalid_auth_response', 'The sign-in response has neither a "code" nor an "error".');
  }

  /**
   * Redeem an authorization code directly (MSAL's deprecated API, kept for parity).
   *
   * The nonce, when given, is compared raw with the ID token's.
   */
  async acquireTokenByAuthorizationCode(
    code: string,
    scopes: readonly string[],
    options: { redirectUri?: string; nonce?: string; claimsChallenge?: string; codeVerifier?: string } = {},
  ): Promise<TokenResult> {
    if (typeof code !== 'string' || code === '') throw new InvalidArgumentError('code must be a non-empty string.');
    assertScopeList(scopes);
    const authority = await this.authority();
    const decorated = this.decorate(scopes);
    return this.requestToken({
      authority,
      grantType: 'authorization_code',
      apiId: ClientApplication.ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID,
      data: {
        code,
        redirect_uri: options.redirectUri,
        code_verifier: options.codeVerifier,
        scope: scopeParam(decorated),
        claims: this.claims(options.claimsChallenge),
      },
      scopes: decorated,
      nonce: options.nonce,
    });
  }

  /**
   * Migrate a refresh token from elsewhere into the cache and get tokens with it.
   *
   * The RT is added as a new cache entry (MSAL's `acquire_token_by_refresh_token`).
   */
  async acquireTokenByRefreshToken(refreshToken: string, scopes: readonly string[]): Promise<TokenResult> {
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      throw new InvalidArgumentError('refreshToken must be a non-empty string.');
    }
    const decorated = this.decorate(scopes);
    const authority = await this.authority();
    return this.requestToken({
      authority,
      grantType: 'refresh_token',
      apiId: ClientApplication.ACQUIRE_TOKEN_BY_REFRESH_TOKEN,
      refreshReason: REFRESH_REASON.nonSilent,
      data: { refresh_token: refreshToken, scope: scopeParam(decorated) },
      scopes: decorated,
    });
  }

  /**
   * Resource owner password credentials (not recommended, but MSAL has it and testers use it).
   *
   * Federated Entra accounts need WS-Trust, which this library does not implement.
   */
  async acquireTokenByUsernamePassword(
    username: string,
    password: string,
    scopes: readonly string[],
    options: { claimsChallenge?: string } = {},
  ): Promise<TokenResult> {
    if (typeof username !== 'string' || username === '') throw new InvalidArgumentError('username must be a non-empty string.');
    if (typeof password !== 'string') throw new InvalidArgumentError('password must be a string.');
    const decorated = this.decorate(scopes);
    const authority = await this.authority();
    const correlationId = randomUUID();
    if (!authority.isAdfs && !authority.isOidc && !authority.isB2c) {
      const realm = await this.http.get(authority.userRealmDiscoveryUrl(username), {
        headers: { Accept: 'application/json', 'client-request-id': correlationId },
      });
      if (realm.status === 200) {
        const body = parseJsonResponse(realm, 'user realm discovery');
        if (body['account_type'] === 'Federated') {
          throw new AuthError('unsupported', 'This account is federated; password sign-in needs WS-Trust, which is not supported. Sign in interactively instead.');
        }
      }
    }
    return this.requestToken({
      authority,
      grantType: 'password',
      apiId: ClientApplication.ACQUIRE_TOKEN_BY_USERNAME_PASSWORD_ID,
      correlationId,
      data: { username, password, scope: scopeParam(decorated), claims: this.claims(options.claimsChallenge) },
      headers: authority.isOidc ? {} : { 'X-AnchorMailbox': `upn:${username}` },
      scopes: decorated,
      username,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Accounts

  /**
   * The accounts in the cache for this authority's environment (or its aliases).
   *
   * `username` filters case-insensitively. Accounts are listed whether or not an RT exists.
   */
  async getAccounts(username?: string): Promise<Account[]> {
    const authority = await this.authority();
    let found = this.accountsIn(authority.instance);
    if (found.length === 0) {
      for (const alias of await aliasesOf(authority)) {
        found = this.accountsIn(alias);
        if (found.length > 0) break;
      }
    }
    const byHome = new Map<string, Account>();
    for (const entry of found) {
      const account: Record<string, unknown> = {
        home_account_id: entry.home_account_id,
        environment: entry.environment,
        username: entry.username,
        account_source: entry.account_source,
        authority_type: entry.authority_type,
        local_account_id: entry.local_account_id,
        realm: entry.realm,
      };
      byHome.set(String(entry.home_account_id), account as Account);
    }
    let accounts = [...byHome.values()];
    if (username !== undefined) {
      const wanted = username.toLowerCase();
      accounts = accounts.filter((a) => String(a.username ?? '').toLowerCase() === wanted);
    }
    return accounts;
  }

  private accountsIn(environment: string): Account[] {
    return this.tokenCache
      .search('Account', { query: { environment } })
      .filter((a) => a.authority_type === 'ADFS' || a.authority_type === 'MSSTS') as unknown as Account[];
  }

  /**
   * Sign an account out of this app: its RTs (own and family), ATs, ID tokens and account entries.
   *
   * RTs of other, non-family apps and the app metadata are kept, as MSAL does.
   */
  async removeAccount(account: Account): Promise<void> {
    if (!account || typeof account !== 'object' || typeof account.home_account_id !== 'string') {
      throw new InvalidArgumentError('removeAccount needs an account from getAccounts().');
    }
    const owner = { environment: account.environment, home_account_id: account.home_account_id };
    const appMetadata = this.tokenCache.search('AppMetadata', { query: { environment: account.environment, client_id: this.clientId } })[0];
    const familyId = appMetadata?.family_id;
    for (const rt of this.tokenCache.search('RefreshToken', { query: owner })) {
      if (rt.client_id === this.clientId || (familyId && rt.family_id === familyId)) this.tokenCache.removeRt(rt);
    }
    for (const at of this.tokenCache.search('AccessToken', { query: owner })) this.tokenCache.removeAt(at);
    for (const idt of this.tokenCache.search('IdToken', { query: owner })) this.tokenCache.removeIdt(idt);
    for (const entry of this.tokenCache.search('Account', { query: owner })) this.tokenCache.removeAccount(entry);
  }

  // ---------------------------------------------------------------------------------------------
  // Silent acquisition

  /**
   * A token from the cache, refreshed if needed; `null` when there is none and no usable RT, or
   * on any error.
   */
  async acquireTokenSilent(scopes: readonly string[], account: Account | null | undefined, options: AcquireTokenSilentOptions = {}): Promise<TokenSuccess | null> {
    if (!account) return null;
    const memoized = this.memoizedHit(scopes, account, options);
    if (memoized) return memoized;
    const result = await this.acquireTokenSilentWithError(scopes, account, options);
    return result && !result.error ? (result as TokenSuccess) : null;
  }

  /**
   * Like `acquireTokenSilent`, but an error from the refresh is returned as a value.
   *
   * `null` means "nothing in the cache to work with": sign in interactively.
   */
  async acquireTokenSilentWithError(
    scopes: readonly string[],
    account: Account | null | undefined,
    options: AcquireTokenSilentOptions = {},
  ): Promise<TokenResult | null> {
    if (account) {
      const memoized = this.memoizedHit(scopes, account, options);
      if (memoized) return memoized;
    }
    assertScopeList(scopes);
    if (!account) return null;
    const correlationId = randomUUID();
    const authority = options.authority ? await this.buildAuthority(options.authority) : (this.resolvedAuthority ?? (await this.authority()));
    let result = await this.silentAttempt(scopes, account, authority, options, correlationId);
    if (result && !result.error) return result;
    let final = result;
    // Aliases cost a request, so only look when this account has RTs somewhere else.
    if (this.tokenCache.search('RefreshToken', { query: { home_account_id: account.home_account_id } }).some((rt) => rt.environment !== authority.instance)) {
      for (const alias of await aliasesOf(authority)) {
        if (alias === authority.instance) continue;
        if (this.tokenCache.search('RefreshToken', { query: { environment: alias, home_account_id: account.home_account_id } }).length === 0) continue;
        result = await this.silentAttempt(scopes, account, await authority.withInstance(alias), options, correlationId);
        if (result) {
          if (!result.error) return result;
          final = result;
        }
      }
    }
    if (final && final.error && typeof final.suberror === 'string') {
      final = { ...final, classification: SUBERROR_CLASSIFICATION[final.suberror] ?? final.suberror };
    }
    return final ?? null;
  }

  /**
   * One authority's worth of MSAL's silent algorithm: the AT cache (with 5-minute skew and
   * `refresh_on`), then the RTs, falling back to an aging AT when the refresh fails.
   */
  private async silentAttempt(
    scopes: readonly string[],
    account: Account,
    authority: Authority,
    options: AcquireTokenSilentOptions,
    correlationId: string,
  ): Promise<TokenResult | null> {
    const lookup = this.lookupAccessToken(scopes, authority, account.home_account_id, !!(options.forceRefresh || options.claimsChallenge), correlationId, ClientApplication.ACQUIRE_TOKEN_SILENT_ID);
    if (lookup.hit) return lookup.hit;
    try {
      const result = await this.refreshWithRtOrFamily(authority, this.decorate(scopes), account, lookup.reason, options.claimsChallenge, correlationId);
      if ((result && !result.error) || !lookup.fallback) return result;
    } catch (error) {
      // An aging AT is still valid: a network failure while refreshing early must not lose it.
      if (!lookup.fallback || !(error instanceof TransportError)) throw error;
    }
    return lookup.fallback;
  }

  /**
   * The silent algorithm's answer without searching, when an earlier identical call found a hit
   * that still holds (./hit-memo.ts): the configured authority, no force refresh, no claims
   * challenge, the same scope list, the same cache revision, inside the memo's time window. The
   * answer is what the full path would build (fields in the same order) and counts as a cache hit
   * for telemetry; anything else returns undefined and takes the full path.
   */
  private memoizedHit(scopes: readonly string[], account: Account, options: AcquireTokenSilentOptions): TokenSuccess | undefined {
    if (options.authority || options.forceRefresh || options.claimsChallenge || !this.resolvedAuthority || !Array.isArray(scopes)) return undefined;
    const now = nowSeconds();
    const hit = this.hitMemo.get(account.home_account_id, scopes, this.tokenCache.revision, now);
    if (!hit) return undefined;
    this.telemetryBuffer.recordHit();
    const token: Record<string, unknown> = {
      access_token: hit.accessToken,
      token_type: hit.tokenType,
      expires_in: hit.expiresOn - now,
      token_source: 'cache',
    };
    if (hit.refreshOn !== undefined) token['refresh_on'] = hit.refreshOn;
    return token as TokenSuccess;
  }

  /** The AT search of the silent algorithm. Makes no HTTP request. */
  protected lookupAccessToken(
    scopes: readonly string[],
    authority: Authority,
    homeAccountId: string | null,
    skip: boolean,
    correlationId: string,
    apiId: string,
  ): { hit?: TokenSuccess; fallback?: TokenSuccess; reason: RefreshReason } {
    if (skip) return { reason: REFRESH_REASON.forceRefresh };
    const now = nowSeconds();
    let reason: RefreshReason = REFRESH_REASON.atAbsent;
    const revision = this.tokenCache.revision;
    const matches = this.tokenCache.search('AccessToken', {
      target: scopes,
      query: { client_id: this.clientId, environment: authority.instance, realm: authority.tenant, home_account_id: homeAccountId },
      now,
    });
    for (const at of matches) {
      const expiresIn = (toInt(at.expires_on) ?? 0) - now;
      if (expiresIn < EXPIRY_SKEW_SECONDS) {
        reason = REFRESH_REASON.atExpired;
        continue;
      }
      const tokenType = at.token_type || 'Bearer';
      const token: Record<string, unknown> = {
        access_token: at.secret,
        token_type: tokenType,
        expires_in: expiresIn,
        token_source: 'cache',
      };
      const refreshOn = toInt(at.refresh_on);
      if (refreshOn !== undefined) {
        token['refresh_on'] = refreshOn;
        if (refreshOn < now) return { fallback: token as TokenSuccess, reason: REFRESH_REASON.atAging };
      }
      new TelemetryContext(this.telemetryBuffer, apiId, correlationId).hit();
      // Only a search that changed nothing (no purge) and only for the configured authority: the
      // memo is read before the authority is chosen.
      if (authority === this.resolvedAuthority && revision === this.tokenCache.revision && Array.isArray(scopes)) {
        this.hitMemo.set(homeAccountId, scopes, revision, {
          accessToken: at.secret,
          tokenType,
          expiresOn: expiresIn + now,
          refreshOn,
          from: now,
          until: Math.min(now + expiresIn - EXPIRY_SKEW_SECONDS, refreshOn ?? Number.POSITIVE_INFINITY, this.tokenCache.accessTokenPurgeHorizon()),
        });
      }
      return { hit: token as TokenSuccess, reason };
    }
    return { reason };
  }

  /** MSAL's FOCI-aware RT selection: family RTs first when the app is new to the cache. */
  private async refreshWithRtOrFamily(
    authority: Authority,
    decoratedScopes: readonly string[],
    account: Account,
    reason: RefreshReason,
    claimsChallenge: string | undefined,
    correlationId: string,
  ): Promise<TokenResult | null> {
    const owner = { environment: authority.instance, home_account_id: account.home_account_id };
    const appMetadata = this.tokenCache.search('AppMetadata', { query: { environment: authority.instance, client_id: this.clientId } })[0];
    const attempt = (query: Record<string, string>, breakIf?: (r: TokenResult) => boolean) =>
      this.tryRefreshTokens(authority, decoratedScopes, account, { ...owner, ...query }, reason, claimsChallenge, correlationId, breakIf);
    if (!appMetadata) {
      const viaFamily = await attempt({ family_id: '1' }, (r) => Array.isArray(r['error_additional_info']) && (r['error_additional_info'] as unknown[]).includes('client_mismatch'));
      if (viaFamily && !viaFamily.error) return viaFamily;
    }
    let last: TokenResult | null = null;
    if (appMetadata?.family_id) {
      last = await attempt({ family_id: String(appMetadata.family_id) });
      if (last && !last.error) return last;
    }
    return (await attempt({ client_id: this.clientId })) ?? last;
  }

  private async tryRefreshTokens(
    authority: Authority,
    decoratedScopes: readonly string[],
    account: Account,
    query: Record<string, string>,
    reason: RefreshReason,
    claimsChallenge: string | undefined,
    correlationId: string,
    breakIf?: (r: TokenResult) => boolean,
  ): Promise<TokenResult | null> {
    const matches = this.tokenCache
      .search('RefreshToken', { query })
      .sort((a, b) => (toInt(b.last_modification_time) ?? 0) - (toInt(a.last_modification_time) ?? 0));
    let response: TokenResult | null = null;
    for (const rt of matches) {
      response = await this.requestToken({
        authority,
        grantType: 'refresh_token',
        apiId: ClientApplication.ACQUIRE_TOKEN_SILENT_ID,
        correlationId,
        refreshReason: reason,
        data: { refresh_token: rt.secret, scope: scopeParam(decoratedScopes), claims: this.claims(claimsChallenge) },
        headers: authority.isOidc ? {} : { 'X-AnchorMailbox': `Oid:${account.home_account_id.replace('.', '@')}` },
        scopes: decoratedScopes,
        skipAccountCreation: true,
        usedRefreshToken: rt,
      });
      // An RT is never deleted on invalid_grant: another app in the family may still use it.
      if (!response.error) return response;
      if (breakIf?.(response)) break;
    }
    return response;
  }

  // ---------------------------------------------------------------------------------------------
  // The token endpoint

  /**
   * POST to the token endpoint, verify what comes back, and add it to the cache.
   *
   * Nothing is written to the cache unless the whole response is valid.
   */
  protected async requestToken(request: TokenRequest): Promise<TokenResult> {
    const { authority } = request;
    const correlationId = request.correlationId ?? randomUUID();
    const telemetry = new TelemetryContext(this.telemetryBuffer, request.apiId, correlationId, request.refreshReason ?? REFRESH_REASON.nonSilent);
    const now = nowSeconds();
    const tokenEndpoint = request.tokenEndpoint ?? authority.tokenEndpoint;
    const body: Record<string, string | undefined> = {
      client_id: this.clientId,
      grant_type: request.grantType,
      ...(this.clientAuthenticator ? await this.clientAuthenticator.bodyFields(tokenEndpoint, now) : {}),
      client_info: authority.isOidc ? undefined : '1',
      ...request.data,
    };
    const headers: Record<string, string | undefined> = {
      Accept: 'application/json',
      'x-client-sku': LIBRARY_SKU,
      'x-client-ver': LIBRARY_VERSION,
      'x-client-os': process.platform,
      'x-ms-lib-capability': 'retry-after, h429',
      'client-request-id': correlationId,
      ...(authority.isOidc
        ? {}
        : { 'x-app-name': this.options.appName, 'x-app-ver': this.options.appVersion, ...telemetry.headers() }),
      ...request.headers,
    };
    const response = await this.http.post(tokenEndpoint, { data: dropEmpty(body), headers: dropEmpty(headers) });
    const json = parseJsonResponse(response, 'token endpoint');
    if (isOAuthError(json)) {
      telemetry.updateTelemetry(json);
      return toErrorValue(json, requestSecrets(body));
    }
    checkTokenAnswer(json, response.status);
    let claims: IdTokenClaims | undefined;
    if (typeof json['id_token'] === 'string' && json['id_token'] !== '') {
      claims = await this.verifyIdToken(json['id_token'], authority, request.nonce, request.maxAge, now);
    } else if (!request.skipAccountCreation && ACCOUNT_GRANTS.has(request.grantType) && request.scopes?.includes('openid')) {
      // OIDC Core §3.1.3.3: an answer to an openid request carries an ID token. Without one there
      // is no account to file the tokens under, so nothing is kept (issue: orphaned tokens).
      throw new IdTokenError('id_token_missing', 'The provider answered the sign-in without an ID token, so it could not be completed. Check that the app is allowed the "openid" scope, then sign in again.');
    }
    if (request.usedRefreshToken) {
      assertSameSubject({ cache: this.tokenCache, clientId: this.clientId, authority, usedRefreshToken: request.usedRefreshToken, answer: json, claims });
    }
    const rotatedRt = request.usedRefreshToken && typeof json['refresh_token'] === 'string' ? json['refresh_token'] : undefined;
    const cached: Record<string, unknown> = { ...json };
    if (request.usedRefreshToken) delete cached['refresh_token']; // updated in place below, as MSAL does
    const event: TokenEvent = {
      client_id: this.clientId,
      scope: request.scopes,
      token_endpoint: tokenEndpoint,
      grant_type: request.grantType,
      response: cached,
      environment: authority.instance,
      data: { ...request.data, refresh_token: undefined, password: undefined, code: undefined, code_verifier: undefined },
      id_token_claims: claims,
      skip_account_creation: request.skipAccountCreation,
      username: request.username,
    };
    this.tokenCache.add(event, now);
    if (request.usedRefreshToken && rotatedRt) this.tokenCache.updateRt(request.usedRefreshToken, rotatedRt);
    telemetry.updateTelemetry(json);
    const result: Record<string, unknown> = { ...json, token_source: 'identity_provider' };
    if (claims) result['id_token_claims'] = claims;
    if (request.usedRefreshToken) delete result['refresh_token'];
    const refreshIn = toInt(json['refresh_in']);
    if (refreshIn !== undefined) {
      delete result['refresh_in'];
      result['refresh_on'] = now + refreshIn;
    }
    return result as TokenSuccess;
  }

  protected async verifyIdToken(idToken: string, authority: Authority, nonce: string | undefined, maxAge: number | undefined, now: number): Promise<IdTokenClaims> {
    return verifyIdToken(idToken, signingKeys(authority.jwksUri, this.http, this.freshHttp), {
      clientId: this.clientId,
      issuer: authority.issuer,
      nonce,
      maxAge,
      now,
    });
  }

  /** `X-AnchorMailbox: Oid:<uid>@<utid>` from the redirect's `client_info`, for Entra's routing. */
  private anchorFromClientInfo(clientInfo: string | undefined): Record<string, string> {
    if (this.isOidc) return {};
    // A malformed client_info only loses the routing hint.
    const info = parseClientInfo(clientInfo);
    return info ? { 'X-AnchorMailbox': `Oid:${info.uid}@${info.utid}` } : {};
  }
}

/**
 * An authority's alias hosts, or none when the lookup fails.
 *
 * Aliases only widen a cache search; a failed instance-metadata request must not turn a
 * "no account" answer into an error.
 */
async function aliasesOf(authority: Authority): Promise<string[]> {
  try {
    return await authority.getAliases();
  } catch {
    return [];
  }
}

/** Build a URL with query parameters, dropping undefined ones (MSAL drops `None`). */
export function buildUrl(base: string, params: Readonly<Record<string, string | undefined>>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') url.searchParams.set(key, value);
  }
  return url.toString();
}

function dropEmpty(record: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) if (value) out[key] = value;
  return out;
}

