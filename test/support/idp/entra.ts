/**
 * What makes a tenant of the test identity provider look like Microsoft Entra ID on the wire.
 *
 * Discovery documents with the `{tenantid}` issuer template, instance and user-realm discovery,
 * `client_info` on token responses, and AADSTS-style error bodies.
 */
import { randomUUID } from 'node:crypto';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** Tenant segments that are not a real tenant: any account (`common`) or any work account (`organizations`). */
export const MULTI_TENANT_SEGMENTS: readonly string[] = ['common', 'organizations'];

/** An AADSTS error as Entra sends it. */
export interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
  suberror?: string;
}

interface AadsTs {
  readonly code: number;
  readonly text: string;
  readonly suberror?: string;
}

const BAD_PASSWORD: AadsTs = { code: 50126, text: 'Error validating credentials due to invalid username or password.' };

// The AADSTS codes Entra uses for each OAuth error; the texts paraphrase Entra's documented meaning.
const AADSTS: Readonly<Record<string, AadsTs>> = {
  invalid_grant: {
    code: 70008,
    text: 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    suberror: 'bad_token',
  },
  invalid_client: {
    code: 7000215,
    text: 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
  },
  invalid_scope: { code: 70011, text: "The provided value for the input parameter 'scope' is not valid." },
  invalid_target: { code: 500011, text: 'The resource principal was not found in the tenant.' },
  consent_required: {
    code: 65001,
    text: 'The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.',
    suberror: 'consent_required',
  },
  interaction_required: { code: 50076, text: 'The user must complete an interactive sign-in.' },
  login_required: { code: 50058, text: 'A silent sign-in request was sent but no user is signed in.' },
  authorization_pending: { code: 70016, text: 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.' },
  expired_token: { code: 70020, text: 'The provided value for the input parameter device_code is expired.' },
  access_denied: { code: 70000, text: 'The user denied the request.' },
  slow_down: { code: 70016, text: 'OAuth 2.0 device flow error. Polling too fast; slow down.' },
  unsupported_grant_type: { code: 70003, text: 'The app requested an unsupported grant type.' },
  unauthorized_client: { code: 700016, text: 'The application is not allowed to use this grant type.' },
  invalid_request: { code: 900144, text: 'The request body is not valid.' },
};

function entraTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/**
 * Turns an OAuth error body into Entra's shape.
 *
 * The provider's own description is kept after the AADSTS text (it never holds a token); a bad
 * password becomes AADSTS50126 instead of 70008. `correlationId` echoes `client-request-id`.
 */
export function toEntraError(
  body: { error: string; error_description?: string },
  origin: string,
  correlationId?: string,
): EntraErrorBody {
  const isBadPassword = body.error === 'invalid_grant' && /username or password/i.test(body.error_description ?? '');
  const known = isBadPassword ? BAD_PASSWORD : (AADSTS[body.error] ?? { code: 90099, text: 'The request could not be completed.' });
  const traceId = randomUUID();
  const correlation = correlationId ?? randomUUID();
  const timestamp = entraTimestamp(new Date());
  const detail = body.error_description && !isBadPassword ? ` (${body.error_description})` : '';
  const out: EntraErrorBody = {
    error: body.error,
    error_description: `AADSTS${known.code}: ${known.text}${detail} Trace ID: ${traceId} Correlation ID: ${correlation} Timestamp: ${timestamp}`,
    error_codes: [known.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: `${origin}/error?code=${known.code}`,
  };
  if (known.suberror) out.suberror = known.suberror;
  return out;
}

/** `client_info` as Entra sends it: base64url JSON `{uid, utid}`. */
export function clientInfo(oid: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: oid, utid: tenantId })).toString('base64url');
}

/** What the Entra middleware needs to know about its tenant. */
export interface EntraTenantContext {
  readonly origin: string;
  readonly tenantId: string;
  oidOf(accountId: string): string | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

const ENTRA_ROUTES = new Set(['token', 'device_authorization', 'introspection', 'revocation']);

/**
 * Koa middleware for a tenant provider: rewrites its JSON responses the Entra way.
 *
 * Runs after the provider answered: errors get AADSTS bodies, token responses get `client_info`
 * (for user tokens) and `ext_expires_in`, device authorization responses get `message`.
 */
export function entraResponses(tenant: EntraTenantContext) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    // ctx.oidc exists only for requests the provider routed.
    const route = (ctx as { oidc?: { route?: string } }).oidc?.route;
    if (!route || !ENTRA_ROUTES.has(route) || !isRecord(ctx.body)) return;
    const body = ctx.body;
    if (typeof body.error === 'string') {
      const header = ctx.req.headers['client-request-id'];
      const correlationId = typeof header === 'string' ? header : undefined;
      ctx.body = toEntraError(
        { error: body.error, error_description: typeof body.error_description === 'string' ? body.error_description : undefined },
        tenant.origin,
        correlationId,
      );
      return;
    }
    if (route === 'token' && typeof body.access_token === 'string') {
      const accountId = ctx.oidc.entities.AccessToken?.accountId ?? ctx.oidc.entities.Account?.accountId;
      const oid = accountId ? tenant.oidOf(accountId) : undefined;
      ctx.body = {
        ...body,
        ext_expires_in: body.expires_in,
        ...(oid ? { client_info: clientInfo(oid, tenant.tenantId) } : {}),
      };
    }
    if (route === 'device_authorization' && typeof body.user_code === 'string') {
      ctx.body = {
        ...body,
        message: `To sign in, use a web browser to open the page ${String(body.verification_uri)} and enter the code ${body.user_code} to authenticate.`,
      };
    }
  };
}

/** The Entra route names the tenant providers use (oidc-provider `routes` option). */
export const ENTRA_ROUTES_CONFIG: Readonly<Record<string, string>> = {
  authorization: '/oauth2/v2.0/authorize',
  token: '/oauth2/v2.0/token',
  device_authorization: '/oauth2/v2.0/devicecode',
  code_verification: '/oauth2/v2.0/devicelogin',
  jwks: '/discovery/v2.0/keys',
  introspection: '/oauth2/v2.0/introspect',
  revocation: '/oauth2/v2.0/revoke',
  userinfo: '/oidc/userinfo',
  end_session: '/oauth2/v2.0/logout',
  pushed_authorization_request: '/oauth2/v2.0/par',
  backchannel_authentication: '/oauth2/v2.0/bc',
  challenge: '/oauth2/v2.0/challenge',
  registration: '/oauth2/v2.0/reg',
  credential: '/oauth2/v2.0/credential',
};

/**
 * The discovery document of a tenant segment (name, GUID, `common` or `organizations`).
 *
 * Endpoints keep the segment the client used; the issuer is the tenant's GUID issuer, or the
 * `{tenantid}` template for the multi-tenant segments, as Entra does.
 */
export function entraDiscoveryDocument(input: {
  origin: string;
  segment: string;
  tenantId: string;
  scopes: readonly string[];
  claims: readonly string[];
}): Record<string, unknown> {
  const base = `${input.origin}/${input.segment}`;
  const multi = MULTI_TENANT_SEGMENTS.includes(input.segment);
  return {
    issuer: multi ? `${input.origin}/{tenantid}/v2.0` : `${input.origin}/${input.tenantId}/v2.0`,
    authorization_endpoint: `${base}${ENTRA_ROUTES_CONFIG.authorization}`,
    token_endpoint: `${base}${ENTRA_ROUTES_CONFIG.token}`,
    device_authorization_endpoint: `${base}${ENTRA_ROUTES_CONFIG.device_authorization}`,
    jwks_uri: `${base}${ENTRA_ROUTES_CONFIG.jwks}`,
    introspection_endpoint: `${base}${ENTRA_ROUTES_CONFIG.introspection}`,
    revocation_endpoint: `${base}${ENTRA_ROUTES_CONFIG.revocation}`,
    userinfo_endpoint: `${base}${ENTRA_ROUTES_CONFIG.userinfo}`,
    end_session_endpoint: `${base}${ENTRA_ROUTES_CONFIG.end_session}`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'none'],
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: [...input.scopes],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: [...input.claims],
    request_uri_parameter_supported: false,
    tenant_region_scope: 'NA',
    cloud_instance_name: 'localhost',
    cloud_graph_host_name: 'localhost',
    msgraph_host: 'localhost',
    rbac_url: 'https://localhost',
  };
}

/**
 * Answers `GET /common/discovery/instance` like Entra.
 *
 * Only authorize URLs on `localhost`/`127.0.0.1` of this server are known; others are an
 * `invalid_instance` error with status 400. A URL without a port is accepted too: MSAL Python
 * builds it from the host name alone (its `instance` drops the port).
 */
export function instanceDiscovery(origin: string, port: number, query: URLSearchParams): { status: number; body: Record<string, unknown> } {
  const endpoint = query.get('authorization_endpoint');
  const parsed = endpoint ? URL.parse(endpoint) : null;
  const knownHost = parsed && parsed.protocol === 'https:' && ['localhost', '127.0.0.1'].includes(parsed.hostname) && (parsed.port === String(port) || parsed.port === '');
  if (!parsed || !knownHost) {
    const error = toEntraError({ error: 'invalid_instance', error_description: 'The authority is not known.' }, origin);
    error.error_description = `AADSTS50049: Unknown or invalid instance. Trace ID: ${error.trace_id} Correlation ID: ${error.correlation_id} Timestamp: ${error.timestamp}`;
    error.error_codes = [50049];
    return { status: 400, body: { ...error } };
  }
  // The tenant is the first path segment of the authorize URL (…/<tenant>/oauth2/v2.0/authorize).
  const tenant = parsed.pathname.split('/').filter(Boolean)[0] ?? 'common';
  return {
    status: 200,
    body: {
      tenant_discovery_endpoint: `${origin}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': query.get('api-version') ?? '1.1',
      metadata: [{ preferred_network: 'localhost', preferred_cache: 'localhost', aliases: ['localhost', '127.0.0.1'] }],
    },
  };
}

/** Answers `GET /common/userrealm/<username>` like Entra for a managed (cloud-only) domain. */
export function userRealm(username: string, tenantId: string): Record<string, unknown> {
  const domain = username.includes('@') ? username.slice(username.lastIndexOf('@') + 1) : '';
  return {
    ver: '1.0',
    account_type: 'Managed',
    domain_name: domain,
    cloud_instance_name: 'localhost',
    cloud_audience_urn: 'urn:federation:localhost',
    tenant_id: tenantId,
  };
}
