/**
 * Authorities: where an app signs users in, and the endpoints discovered for it (MSAL Python 1.31, authority.py).
 *
 * Microsoft Entra authorities go through instance discovery (unless trusted by configuration) and
 * tenant discovery; generic OpenID Connect issuers through their own discovery document. Every URL
 * built here keeps the authority's port, while `instance` is the bare host name, as MSAL's
 * `environment` is.
 *
 * Over 500 lines because Entra (instance and tenant discovery, aliases, regions, B2C, CIAM, ADFS)
 * and generic issuers share one immutable `Authority` and its URL rules; splitting by kind would
 * split those rules.
 */
import { AuthorityError, TransportError } from './errors';
import type { HttpClient, HttpResponse } from './http-types';
import { parseJsonResponse } from './response';
import { ThrottledHttpClient } from './throttled-http-client';

/** Hosts Microsoft runs, which skip instance discovery. */
export const WELL_KNOWN_AUTHORITY_HOSTS: readonly string[] = Object.freeze([
  'login.microsoftonline.com',
  'login.chinacloudapi.cn',
  'login-us.microsoftonline.com',
  'login.microsoftonline.us',
]);

/** Host suffixes of Azure AD B2C and Entra External ID (CIAM). */
export const WELL_KNOWN_B2C_HOSTS: readonly string[] = Object.freeze([
  'b2clogin.com',
  'b2clogin.cn',
  'b2clogin.us',
  'b2clogin.de',
  'ciamlogin.com',
]);

/** MSAL's instance discovery endpoint, used when `instanceDiscovery` is not a string. */
export const DEFAULT_INSTANCE_DISCOVERY_ENDPOINT = 'https://login.microsoftonline.com/common/discovery/instance';

/** Azure's instance metadata service location URL (MSAL's). */
export const DEFAULT_IMDS_URL =
  'http://169.254.169.254/metadata/instance/compute/location?format=text&api-version=2021-01-01';

// The authorize URL MSAL asks the alias (instance metadata) query about.
const ALIAS_QUERY_AUTHORIZE_URL = 'https://login.microsoftonline.com/common/oauth2/authorize';

// Hosts whose regional endpoint is "{region}.login.microsoft.com" (MSAL's list).
const CENTRAL_HOSTS_WITH_SHARED_REGIONAL_HOST = new Set([
  'login.microsoftonline.com',
  'login.microsoft.com',
  'login.windows.net',
  'sts.windows.net',
]);

const DISCOVERY_MEMO_MS = 24 * 3600 * 1000;

/** How an authority is validated. */
export interface AuthorityOptions {
  /** `false` trusts the host: no instance discovery and no alias lookups. Default `true`. */
  validateAuthority?: boolean;
  /** `false` disables instance discovery and alias lookups; a string is a custom discovery endpoint URL. */
  instanceDiscovery?: boolean | string;
  /** The URL is a generic OpenID Connect issuer (MSAL's `oidc_authority`). */
  isOidc?: boolean;
}

/**
 * Split an Entra/ADFS/B2C authority URL into its canonical form, host and tenant.
 *
 * MSAL's rules: https only, at least one path segment (the tenant). A path-less CIAM URL
 * (`https://contoso.ciamlogin.com`) gets the tenant `contoso.onmicrosoft.com`. The returned URL
 * has no query, fragment or trailing slash; `instance` is the lower-case host without port.
 *
 * @throws AuthorityError `invalid_authority` for anything else.
 */
export function canonicalize(url: string): { url: URL; instance: string; tenant: string } {
  const invalid = (): AuthorityError =>
    new AuthorityError(
      'invalid_authority',
      `The authority "${url}" should be an https URL with at least one path segment, for example ` +
        'https://login.microsoftonline.com/<tenant> or https://<tenant>.b2clogin.com/<tenant>.onmicrosoft.com/<policy>.',
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid();
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password) throw invalid();
  const instance = parsed.hostname.toLowerCase();
  const path = parsed.pathname.replace(/\/+$/, '');
  let segments = path.split('/').slice(1);
  if (segments.length === 0 || !segments[0]) {
    if (instance.endsWith('.ciamlogin.com') && instance.split('.')[0]) {
      segments = [`${instance.split('.')[0]}.onmicrosoft.com`];
    } else {
      throw invalid();
    }
  }
  const canonical = new URL(`https://${parsed.host.toLowerCase()}/${segments.join('/')}`);
  return { url: canonical, instance, tenant: segments[0] ?? '' };
}

/**
 * The host of the regional endpoint for `region` (MSAL Python 1.31, application.py).
 *
 * Microsoft's central hosts share `{region}.login.microsoft.com`; any other host gets the region
 * as a prefix.
 */
export function regionalAuthorityHost(centralHost: string, region: string): string {
  const host = centralHost.toLowerCase();
  return CENTRAL_HOSTS_WITH_SHARED_REGIONAL_HOST.has(host) ? `${region}.login.microsoft.com` : `${region}.${host}`;
}

/**
 * Find the Azure region to use, as MSAL's `azure_region` does.
 *
 * A string is used as given; `false` means none; `null`/`undefined` means the `MSAL_FORCE_REGION`
 * environment variable, if set; `true` means `REGION_NAME` (spaces removed, lower-cased), else the
 * instance metadata service (`Metadata: true`), which answers only on an Azure VM. A failure or an
 * answer that is not a plain region name gives `undefined`. Pass `imdsUrl` in tests so that nothing
 * leaves loopback.
 */
export async function detectRegion(options: {
  azureRegion?: string | boolean | null;
  http: HttpClient;
  imdsUrl?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const { azureRegion } = options;
  if (typeof azureRegion === 'string') return azureRegion || undefined;
  if (azureRegion === false) return undefined;
  if (azureRegion === null || azureRegion === undefined) return env.MSAL_FORCE_REGION || undefined;
  const fromEnv = (env.REGION_NAME ?? '').replace(/\s/g, '').toLowerCase();
  if (fromEnv) return fromEnv;
  const imdsUrl = options.imdsUrl ?? DEFAULT_IMDS_URL;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), options.timeoutMs ?? 2000);
    });
    const response = await Promise.race([options.http.get(imdsUrl, { headers: { Metadata: 'true' } }), timeout]);
    if (!response || response.status < 200 || response.status >= 300) return undefined;
    const region = response.text.trim().toLowerCase();
    // The region becomes part of a host name, so accept nothing but a plain label.
    return /^[a-z0-9-]{1,63}$/.test(region) ? region : undefined;
  } catch {
    return undefined;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

// Process-wide memo of successful discovery GETs, per HTTP client and URL, so two apps on the same
// authority do not fetch it twice.
const discoveryMemo = new WeakMap<HttpClient, Map<string, { at: number; response: Promise<HttpResponse> }>>();

function memoGet(http: HttpClient, url: string, params?: Record<string, string>): Promise<HttpResponse> {
  const key = params ? `${url}?${new URLSearchParams(params).toString()}` : url;
  const identity = memoIdentity(http);
  let perClient = discoveryMemo.get(identity);
  if (!perClient) {
    perClient = new Map();
    discoveryMemo.set(identity, perClient);
  }
  const hit = perClient.get(key);
  if (hit && Date.now() - hit.at < DISCOVERY_MEMO_MS) return hit.response;
  const response = http.get(url, {
    headers: { Accept: 'application/json' },
    ...(params ? { params } : {}),
  });
  const entry = { at: Date.now(), response };
  perClient.set(key, entry);
  // Only successes are remembered: a failure is retried by the next caller.
  const forget = (): void => {
    if (perClient.get(key) === entry) perClient.delete(key);
  };
  response.then((r) => {
    if (r.status < 200 || r.status >= 300 || !isJsonObject(r.text)) forget();
  }, forget);
  return response;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

// Each app wraps the client it is given in its own ThrottledHttpClient; apps that share the
// underlying client share the memo.
function memoIdentity(http: HttpClient): HttpClient {
  return http instanceof ThrottledHttpClient ? http.inner : http;
}

/**
 * Forget the memoized discovery responses of `http` (and of the client it wraps).
 *
 * The memo is process-wide and lasts 24 h; tests that reuse a client for a changed server call this.
 */
export function clearDiscoveryMemo(http: HttpClient): void {
  discoveryMemo.delete(memoIdentity(http));
}

interface AuthorityInit {
  canonicalUrl: string;
  host: string;
  instance: string;
  tenant: string;
  isAdfs: boolean;
  isB2c: boolean;
  isCiam: boolean;
  isOidc: boolean;
  isKnownToDeveloper: boolean;
  instanceDiscovery: boolean | string;
  metadata: Record<string, unknown>;
  http: HttpClient;
}

/**
 * A validated authority and its discovered endpoints.
 *
 * Build one with {@link Authority.create}; it is immutable afterwards.
 */
export class Authority {
  /** The authority URL as used: https, lower-case host with port, no trailing slash. */
  readonly canonicalUrl: string;
  /** Lower-case host name without port (MSAL's `environment`). */
  readonly instance: string;
  /** First path segment of the token endpoint (usually the tenant id). */
  readonly tenant: string;
  /** An ADFS authority (tenant `adfs`). */
  readonly isAdfs: boolean;
  /** An Azure AD B2C or CIAM authority. */
  readonly isB2c: boolean;
  /** An Entra External ID (`*.ciamlogin.com`) authority. */
  readonly isCiam: boolean;
  /** A generic OpenID Connect issuer. */
  readonly isOidc: boolean;
  /** Trusted by configuration (ADFS, B2C, OIDC or `validateAuthority: false`): no alias lookups. */
  readonly isKnownToDeveloper: boolean;
  /** The authorization endpoint from discovery. */
  readonly authorizationEndpoint: string;
  /** The token endpoint from discovery. */
  readonly tokenEndpoint: string;
  /** The device authorization endpoint, when the server has one. */
  readonly deviceAuthorizationEndpoint?: string;
  /** The `issuer` of the discovery document ('' if it has none); Entra's may contain `{tenantid}`. */
  readonly issuer: string;
  /** The `jwks_uri` of the discovery document ('' if it has none). */
  readonly jwksUri: string;
  /** The end-session (logout) endpoint, when present. */
  readonly endSessionEndpoint?: string;
  /** The token introspection endpoint, when present. */
  readonly introspectionEndpoint?: string;
  /** The whole discovery document. */
  readonly metadata: Readonly<Record<string, unknown>>;

  readonly #host: string;
  readonly #http: HttpClient;
  readonly #instanceDiscovery: boolean | string;
  #aliases: Promise<string[]> | undefined;

  private constructor(init: AuthorityInit) {
    const m = init.metadata;
    this.canonicalUrl = init.canonicalUrl;
    this.instance = init.instance;
    this.tenant = init.tenant;
    this.isAdfs = init.isAdfs;
    this.isB2c = init.isB2c;
    this.isCiam = init.isCiam;
    this.isOidc = init.isOidc;
    this.isKnownToDeveloper = init.isKnownToDeveloper;
    this.authorizationEndpoint = m.authorization_endpoint as string;
    this.tokenEndpoint = m.token_endpoint as string;
    this.issuer = typeof m.issuer === 'string' ? m.issuer : '';
    this.jwksUri = typeof m.jwks_uri === 'string' ? m.jwks_uri : '';
    if (typeof m.device_authorization_endpoint === 'string') {
      this.deviceAuthorizationEndpoint = m.device_authorization_endpoint;
    }
    if (typeof m.end_session_endpoint === 'string') this.endSessionEndpoint = m.end_session_endpoint;
    if (typeof m.introspection_endpoint === 'string') this.introspectionEndpoint = m.introspection_endpoint;
    this.metadata = Object.freeze({ ...m });
    this.#host = init.host;
    this.#http = init.http;
    this.#instanceDiscovery = init.instanceDiscovery;
  }

  /**
   * Validate `url` and discover its endpoints through `http`.
   *
   * @throws AuthorityError `invalid_authority` (bad URL), `untrusted_authority` (instance discovery
   *   said `invalid_instance`), `authority_discovery_failed` (4xx, missing endpoints, issuer mismatch).
   * @throws TransportError for network failures, 5xx, HTML or malformed JSON.
   */
  static async create(url: string, http: HttpClient, options: AuthorityOptions = {}): Promise<Authority> {
    return new Authority(options.isOidc ? await createOidc(url, http) : await createEntra(url, http, options));
  }

  /**
   * Other host names of this authority's cloud (instance metadata aliases), excluding this one.
   *
   * `[]` when alias lookups are off (`instanceDiscovery: false`, or known to the developer). The
   * answer is cached on this object; a failure is not.
   *
   * @throws TransportError when the metadata cannot be fetched.
   */
  getAliases(): Promise<string[]> {
    if (this.#instanceDiscovery === false || this.isKnownToDeveloper) return Promise.resolve([]);
    if (!this.#aliases) {
      const pending = this.#fetchAliases();
      this.#aliases = pending;
      pending.catch(() => {
        if (this.#aliases === pending) this.#aliases = undefined;
      });
    }
    return this.#aliases.then((aliases) => [...aliases]);
  }

  /**
   * The same tenant at another host (an alias), with instance discovery off.
   *
   * The alias keeps this authority's port unless it names its own.
   */
  withInstance(alias: string): Promise<Authority> {
    let host: string;
    try {
      const parsed = new URL(`https://${alias}`);
      const port = parsed.port || new URL(`https://${this.#host}`).port;
      host = port ? `${parsed.hostname}:${port}` : parsed.hostname;
    } catch {
      return Promise.reject(new AuthorityError('invalid_authority', `"${alias}" is not a valid host name.`));
    }
    return Authority.create(`https://${host}/${this.tenant}`, this.#http, {
      instanceDiscovery: false,
      validateAuthority: false,
    });
  }

  /** The user realm discovery URL for `username` (host and port of this authority). */
  userRealmDiscoveryUrl(username: string): string {
    return `https://${this.#host}/common/userrealm/${encodeURIComponent(username)}?api-version=1.0`;
  }

  async #fetchAliases(): Promise<string[]> {
    const endpoint =
      typeof this.#instanceDiscovery === 'string' ? this.#instanceDiscovery : DEFAULT_INSTANCE_DISCOVERY_ENDPOINT;
    const response = await memoGet(this.#http, endpoint, {
      'api-version': '1.1',
      authorization_endpoint: ALIAS_QUERY_AUTHORIZE_URL,
    });
    if (response.status < 200 || response.status >= 300) {
      throw new TransportError('http_error', `The instance metadata request failed with HTTP ${response.status}.`, {
        status: response.status,
      });
    }
    const payload = parseJsonResponse(response, 'instance metadata endpoint');
    const groups = Array.isArray(payload.metadata) ? payload.metadata : [];
    for (const group of groups) {
      const aliases = (group as { aliases?: unknown })?.aliases;
      if (!Array.isArray(aliases)) continue;
      const names = aliases.filter((a): a is string => typeof a === 'string').map((a) => a.toLowerCase());
      if (names.includes(this.instance)) return [...new Set(names.filter((a) => a !== this.instance))];
    }
    return [];
  }
}

async function createEntra(url: string, http: HttpClient, options: AuthorityOptions): Promise<AuthorityInit> {
  const { url: canonical, instance, tenant } = canonicalize(url);
  const isCiam = instance.endsWith('.ciamlogin.com');
  const isAdfs = tenant.toLowerCase() === 'adfs' && !isCiam;
  const segments = canonical.pathname.split('/').slice(1);
  const isB2c =
    WELL_KNOWN_B2C_HOSTS.some((suffix) => instance.endsWith(`.${suffix}`)) ||
    (segments.length === 2 && (segments[1] ?? '').toLowerCase().startsWith('b2c_'));
  const isKnownToDeveloper = isAdfs || isB2c || options.validateAuthority === false;
  const instanceDiscovery = options.instanceDiscovery ?? true;
  const canonicalUrl = canonical.href.replace(/\/+$/, '');
  const host = canonical.host;

  let tenantDiscoveryUrl = `${canonicalUrl}${isAdfs ? '' : '/v2.0'}/.well-known/openid-configuration`;
  const needsInstanceDiscovery =
    instanceDiscovery !== false && !WELL_KNOWN_AUTHORITY_HOSTS.includes(instance) && !isKnownToDeveloper;
  if (needsInstanceDiscovery) {
    const endpoint = typeof instanceDiscovery === 'string' ? instanceDiscovery : DEFAULT_INSTANCE_DISCOVERY_ENDPOINT;
    requireHttps(endpoint, 'The instance discovery endpoint');
    const response = await memoGet(http, endpoint, {
      authorization_endpoint: `${canonicalUrl}/oauth2/v2.0/authorize`,
      'api-version': '1.0',
    });
    const payload = parseJsonResponse(response, 'instance discovery endpoint');
    if (payload.error === 'invalid_instance') {
      throw new AuthorityError(
        'untrusted_authority',
        `The authority ${canonicalUrl} is not a known Microsoft Entra host. If it is your own ` +
          'custom domain, turn off authority validation for it.',
      );
    }
    if (typeof payload.tenant_discovery_endpoint !== 'string') {
      throw new AuthorityError(
        'authority_discovery_failed',
        `Instance discovery for ${canonicalUrl} gave no tenant discovery endpoint (HTTP ${response.status}).`,
      );
    }
    tenantDiscoveryUrl = payload.tenant_discovery_endpoint;
    requireHttps(tenantDiscoveryUrl, 'The tenant discovery endpoint');
  }

  const metadata = await discover(http, tenantDiscoveryUrl, () =>
    new AuthorityError(
      'authority_discovery_failed',
      `Unable to get the configuration of the authority ${canonicalUrl}. An authority usually looks like ` +
        'https://login.microsoftonline.com/<tenant>; check that the tenant name or id is correct.',
    ),
  );
  return {
    canonicalUrl,
    host,
    instance,
    tenant: firstPathSegment(metadata.token_endpoint as string),
    isAdfs,
    isB2c,
    isCiam,
    isOidc: false,
    isKnownToDeveloper,
    instanceDiscovery,
    metadata,
    http,
  };
}

async function createOidc(url: string, http: HttpClient): Promise<AuthorityInit> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw new AuthorityError(
      'invalid_authority',
      `The OpenID Connect issuer "${url}" should be an https URL without query or fragment.`,
    );
  }
  const issuer = parsed.href.replace(/\/+$/, '');
  const metadata = await discover(http, `${issuer}/.well-known/openid-configuration`, () =>
    new AuthorityError(
      'authority_discovery_failed',
      `Unable to get the OpenID configuration of ${issuer}. Check the issuer URL.`,
    ),
  );
  const discovered = typeof metadata.issuer === 'string' ? normaliseIssuer(metadata.issuer) : undefined;
  if (discovered !== issuer) {
    // OpenID Connect Discovery 1.0 §4.3: the issuer in the document must be the one we asked.
    throw new AuthorityError(
      'authority_discovery_failed',
      `The discovery document of ${issuer} names a different issuer (${discovered ?? 'none'}). Check the issuer URL.`,
    );
  }
  const firstSegment = parsed.pathname.split('/')[1] ?? '';
  return {
    canonicalUrl: issuer,
    host: parsed.host.toLowerCase(),
    instance: parsed.hostname.toLowerCase(),
    tenant: firstPathSegment(metadata.token_endpoint as string),
    isAdfs: firstSegment.toLowerCase() === 'adfs',
    isB2c: false,
    isCiam: false,
    isOidc: true,
    isKnownToDeveloper: true,
    instanceDiscovery: false,
    metadata,
    http,
  };
}

// Fetch and check an OpenID configuration document. A 4xx is the caller's "check the tenant" error.
async function discover(
  http: HttpClient,
  url: string,
  rejected: () => AuthorityError,
): Promise<Record<string, unknown>> {
  const response = await memoGet(http, url);
  if (response.status >= 400 && response.status < 500) throw rejected();
  if (response.status !== 200) {
    if (response.status >= 500) parseJsonResponse(response, 'OpenID discovery endpoint');
    throw new TransportError('http_error', `The OpenID discovery endpoint answered HTTP ${response.status}.`, {
      status: response.status,
    });
  }
  const metadata = parseJsonResponse(response, 'OpenID discovery endpoint');
  for (const name of ['authorization_endpoint', 'token_endpoint'] as const) {
    if (typeof metadata[name] !== 'string') {
      throw new AuthorityError(
        'authority_discovery_failed',
        `The OpenID configuration at ${new URL(url).host} has no ${name}.`,
      );
    }
    requireHttps(metadata[name] as string, `The ${name}`);
  }
  // ID tokens are verified against these keys, so the keys must come over TLS too; checked here,
  // before anyone is sent to sign in, not when the first ID token arrives.
  if (typeof metadata['jwks_uri'] !== 'string') {
    throw new AuthorityError('authority_discovery_failed', `The OpenID configuration at ${new URL(url).host} has no jwks_uri.`);
  }
  requireHttps(metadata['jwks_uri'], 'The jwks_uri');
  if (metadata['device_authorization_endpoint'] !== undefined) {
    if (typeof metadata['device_authorization_endpoint'] !== 'string') {
      throw new AuthorityError('authority_discovery_failed', `The OpenID configuration at ${new URL(url).host} has a device_authorization_endpoint that is not a URL.`);
    }
    requireHttps(metadata['device_authorization_endpoint'], 'The device_authorization_endpoint');
  }
  return metadata;
}

// Trailing slashes and host case do not make a different issuer; anything else does.
function normaliseIssuer(issuer: string): string {
  try {
    return new URL(issuer).href.replace(/\/+$/, '');
  } catch {
    return issuer;
  }
}

function requireHttps(url: string, what: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'https:') {
    // Never echo the value: a hostile document could put anything there.
    throw new AuthorityError('authority_discovery_failed', `${what} of the provider's configuration is not an https URL, so Tessera will not use it. Check the authority URL, or ask the provider's administrator.`);
  }
}

function firstPathSegment(url: string): string {
  return new URL(url).pathname.split('/')[1] ?? '';
}
