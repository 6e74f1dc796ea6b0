/**
 * Public types of the auth core: options, results, flows and accounts.
 *
 * Results keep OAuth's wire names (snake_case) as MSAL does; options are camelCase.
 */
import type { ClientCredential } from './client-credential';
import type { HttpCacheStore, HttpClient } from './http-types';
import type { IdTokenClaims } from './id-token';
import type { TokenCache } from './token-cache';

/** Constructor options of every client application (MSAL Python's parameters in camelCase). */
export interface ClientApplicationOptions {
  readonly clientCredential?: ClientCredential;
  /** Default `https://login.microsoftonline.com/common`. Not together with `oidcAuthority`. */
  readonly authority?: string;
  readonly validateAuthority?: boolean;
  readonly tokenCache?: TokenCache;
  readonly httpClient?: HttpClient;
  /** `true`, `false`, or the path of a PEM CA bundle. Ignored when `httpClient` is given. */
  readonly verify?: boolean | string;
  readonly proxies?: { readonly http?: string; readonly https?: string };
  /** Milliseconds. */
  readonly timeout?: number;
  readonly clientClaims?: Readonly<Record<string, unknown>>;
  readonly appName?: string;
  readonly appVersion?: string;
  readonly clientCapabilities?: readonly string[];
  /** A region name, `true` (= `ClientApplication.ATTEMPT_REGION_DISCOVERY`), `false`, or unset. */
  readonly azureRegion?: string | boolean | null;
  readonly excludeScopes?: readonly string[];
  readonly httpCache?: HttpCacheStore;
  /** `false` disables instance discovery and alias lookups; a string is a custom discovery endpoint. */
  readonly instanceDiscovery?: boolean | string;
  /** Any OpenID Connect issuer; discovery at `{oidcAuthority}/.well-known/openid-configuration`. */
  readonly oidcAuthority?: string;
  /** Where region detection asks the instance metadata service. Tests point it at loopback. */
  readonly imdsUrl?: string;
}

/** A cached account, as the token cache stores it. */
export interface Account {
  readonly home_account_id: string;
  readonly environment: string;
  readonly realm: string;
  readonly local_account_id: string;
  readonly username: string;
  readonly authority_type: string;
  readonly account_source?: string;
  readonly [field: string]: unknown;
}

/** A successful token response: the token endpoint's JSON plus what the library adds. */
export interface TokenSuccess {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in?: number;
  readonly ext_expires_in?: number;
  readonly refresh_on?: number;
  readonly scope?: string;
  readonly id_token?: string;
  readonly id_token_claims?: IdTokenClaims;
  readonly refresh_token?: string;
  readonly client_info?: string;
  readonly token_source: 'identity_provider' | 'cache';
  readonly error?: undefined;
  readonly [field: string]: unknown;
}

/** An OAuth error the server returned, as a value. It never carries a token. */
export interface TokenError {
  readonly error: string;
  readonly error_description?: string;
  readonly error_codes?: readonly number[];
  readonly error_uri?: string;
  readonly suberror?: string;
  readonly classification?: string;
  readonly correlation_id?: string;
  readonly claims?: string;
  readonly [field: string]: unknown;
}

/** What token methods resolve to. Check `'error' in result` (or `result.error`). */
export type TokenResult = TokenSuccess | TokenError;

/** True when a result carries a token. */
export function isTokenSuccess(result: TokenResult | null | undefined): result is TokenSuccess {
  return !!result && !result.error && typeof (result as TokenSuccess).access_token === 'string';
}

/** The state of an authorization code flow between `initiateAuthCodeFlow` and its redemption. */
export interface AuthCodeFlow {
  readonly state: string;
  readonly redirect_uri?: string;
  readonly scope: readonly string[];
  readonly code_verifier: string;
  readonly nonce: string;
  readonly max_age?: number;
  readonly auth_uri: string;
  readonly claims_challenge?: string;
}

/** Options of `initiateAuthCodeFlow`. */
export interface InitiateAuthCodeFlowOptions {
  readonly redirectUri?: string;
  readonly state?: string;
  readonly prompt?: string;
  readonly loginHint?: string;
  readonly domainHint?: string;
  readonly claimsChallenge?: string;
  readonly maxAge?: number;
  readonly responseMode?: 'query' | 'form_post';
  /** Extra authorize-URL parameters (for provider quirks, e.g. Google's `access_type`). */
  readonly extraParameters?: Readonly<Record<string, string>>;
}

/** Options of the silent methods. */
export interface AcquireTokenSilentOptions {
  readonly authority?: string;
  readonly forceRefresh?: boolean;
  readonly claimsChallenge?: string;
}

/** A device authorization flow (RFC 8628) as the provider returned it, plus timing. */
export interface DeviceFlow {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete?: string;
  readonly message?: string;
  readonly interval: number;
  readonly expires_in: number;
  readonly expires_at: number;
  readonly scope?: readonly string[];
  readonly _correlation_id?: string;
  readonly [field: string]: unknown;
}

/** Options of {@link AuthorizationBroker.open}. */
export interface BrokerOpenOptions {
  /** Aborting cancels the flow with `InteractionError('user_cancelled')`. */
  readonly signal?: AbortSignal;
  /** Overall time limit; exceeding it rejects with `InteractionError('interaction_timeout')`. */
  readonly timeoutMs?: number;
}

/**
 * How a loopback redirect URI is spelled: `entra` is `http://localhost:{port}` (what Microsoft
 * Entra's portal registers for desktop apps, and what MSAL sends); `rfc8252` is
 * `http://127.0.0.1:{port}/{path}` (RFC 8252 §7.3). See docs/auth-protocol.md.
 */
export type LoopbackRedirectStyle = 'entra' | 'rfc8252';

/** What the auth core tells a broker when it reserves a redirect URI. */
export interface BrokerPrepareOptions {
  /** The authority's loopback spelling; the auth core picks it from the authority kind. */
  readonly loopbackStyle?: LoopbackRedirectStyle;
}

/**
 * The sign-in seam: shows an authorization URL somewhere a person can sign in, and resolves with
 * the URL the provider redirected to.
 *
 * The Electron window (`main/brokers`) and the system browser with a loopback listener
 * ({@link LoopbackBroker}) implement it; tests drive Chromium or the test provider over HTTP.
 * Brokers verify nothing about `state`, `code` or errors beyond refusing forged loopback requests:
 * the auth core does. They return the full redirect URL, including `error=` responses, and reject
 * only with `InteractionError` (`user_cancelled`, `interaction_timeout`, `broker_error`).
 */
export interface AuthorizationBroker {
  /** `embedded`: an app window; `system-browser`: the default browser with a loopback redirect. */
  readonly kind?: 'embedded' | 'system-browser';
  /** Reserve the redirect URI (a loopback broker binds its port here). */
  prepare?(options?: BrokerPrepareOptions): Promise<{ readonly redirectUri: string }>;
  /** Opens url; resolves with the full redirect URL once the provider redirects to redirectUri. */
  open(url: string, redirectUri: string, options?: BrokerOpenOptions): Promise<string>;
  /** Release what `prepare` reserved when the flow ends without `open` finishing. */
  close?(): void | Promise<void>;
}

/** Options of `acquireTokenInteractive`. */
export interface AcquireTokenInteractiveOptions {
  /** How to show the sign-in page. Either this or `openBrowser`. */
  readonly broker?: AuthorizationBroker;
  /** Open the URL in a browser; the library then listens on a loopback port for the redirect. */
  readonly openBrowser?: (url: string) => void | Promise<void>;
  readonly redirectUri?: string;
  readonly prompt?: string;
  readonly loginHint?: string;
  readonly domainHint?: string;
  readonly claimsChallenge?: string;
  /** Milliseconds to wait for the user. */
  readonly timeout?: number;
  /** Loopback port for `openBrowser` (0 = ephemeral). */
  readonly port?: number;
  readonly extraScopesToConsent?: readonly string[];
  readonly maxAge?: number;
  readonly signal?: AbortSignal;
  readonly extraParameters?: Readonly<Record<string, string>>;
  readonly onBeforeLaunchingUi?: (info: { readonly ui: 'browser' }) => void;
  /**
   * Told the URL the provider redirected to, before its code is redeemed (the app registers the
   * code with its redactor and shows "redeeming"). Brokers stay plain {@link AuthorizationBroker}s.
   */
  readonly onRedirect?: (redirectUrl: string) => void;
}
