/**
 * Builds one oidc-provider instance: the plain OIDC issuer or one Entra-like tenant.
 *
 * All instances of a test IdP share the signing key, the storage and the user and client lists;
 * they differ in issuer, routes, claims and the Entra response layer.
 */
import { randomBytes } from 'node:crypto';
import type { JWK, JWTVerifyGetKey } from 'jose';
import { errors, Provider, type Account, type KoaContextWithOIDC } from 'oidc-provider';
import { DEMO_API, DEMO_API_SCOPES, type TestClient, type TestUser } from './directory';
import { ENTRA_ROUTES_CONFIG, entraResponses } from './entra';
import type { MemoryStore } from './memory-store';
import { deviceSuccessPage, errorPage, logoutPage, logoutSuccessPage, userCodeConfirmPage, userCodeInputPage } from './pages';
import { registerUserGrants } from './user-grants';

/** Everything one provider instance is built from. */
export interface ProviderSetup {
  readonly mode: 'oidc' | 'entra';
  readonly issuer: string;
  readonly origin: string;
  /** Entra mode: the tenant's GUID (goes into `tid`, `client_info`). */
  readonly tenantId?: string;
  /** Distinguishes this instance's cookies from its siblings' on the shared `localhost` host. */
  readonly cookieSuffix: string;
  readonly users: readonly TestUser[];
  readonly clients: readonly TestClient[];
  readonly store: MemoryStore;
  readonly signingKey: JWK;
  readonly verificationKeys: JWTVerifyGetKey;
  readonly accessTokenTtl: number;
  readonly idTokenTtl: number;
  readonly refreshTokenRotation: boolean;
}

const DAY = 24 * 60 * 60;

function isLoopbackHttp(uri: string): boolean {
  const parsed = new URL(uri);
  return parsed.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
}

/**
 * Client metadata for oidc-provider.
 *
 * A public client whose redirects are all loopback http is `native`, so any loopback port matches
 * (RFC 8252 §7.3); oidc-provider refuses https loopback redirects on native clients, so public
 * clients with one are `web` (exact match).
 */
export function clientMetadata(client: TestClient): Record<string, unknown> {
  // A client with keys (private_key_jwt) is confidential without a secret.
  const isPublic = client.public === true || (client.clientSecret === undefined && client.jwks === undefined);
  const grants = client.grants ?? (isPublic ? ['authorization_code', 'refresh_token'] : ['authorization_code', 'refresh_token', 'client_credentials']);
  const usesRedirects = grants.includes('authorization_code');
  return {
    client_id: client.clientId,
    ...(isPublic
      ? { token_endpoint_auth_method: 'none' }
      : client.jwks
        ? { jwks: client.jwks, token_endpoint_auth_method: 'private_key_jwt' }
        : { client_secret: client.clientSecret, token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_post' }),
    application_type: isPublic && client.redirectUris.every(isLoopbackHttp) ? 'native' : 'web',
    grant_types: grants,
    response_types: usesRedirects ? ['code'] : [],
    redirect_uris: usesRedirects ? client.redirectUris : [],
  };
}

/** The `audience` parameter of an authorization or device authorization request, if any. */
function audienceOf(ctx: KoaContextWithOIDC): string | undefined {
  const audience = (ctx.oidc.params as Record<string, unknown> | undefined)?.['audience'];
  return typeof audience === 'string' && audience !== '' ? audience : undefined;
}

/** The mount path of the current request (the part of the original URL before the provider's route). */
function mountPathOf(ctx: KoaContextWithOIDC): string {
  const original = (ctx.req as { originalUrl?: string }).originalUrl ?? '';
  const local = ctx.req.url ?? '';
  const at = original.indexOf(local);
  return at > 0 ? original.slice(0, at) : '';
}

/**
 * Pre-middleware: lets `offline_access` survive an authorization request without `prompt=consent`.
 *
 * oidc-provider drops `offline_access` unless the request has `prompt=consent` (OIDC Core §11),
 * but Entra-style clients (MSAL) never send it. Adding `consent` to the prompt is invisible here
 * because consent is granted automatically. `prompt=none` is left alone (it must stay silent), and
 * Entra's `select_account` is mapped to `login`.
 */
function keepOfflineAccess(authorizePath: string) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    const scope = ctx.query.scope;
    if (ctx.method === 'GET' && ctx.path === authorizePath && typeof scope === 'string' && scope.split(' ').includes('offline_access')) {
      const prompts = new Set(typeof ctx.query.prompt === 'string' ? ctx.query.prompt.split(' ').filter(Boolean) : []);
      if (prompts.delete('select_account')) prompts.add('login');
      if (!prompts.has('none')) {
        prompts.add('consent');
        const prefix = mountPathOf(ctx);
        ctx.query = { ...ctx.query, prompt: [...prompts].join(' ') };
        // Keep originalUrl ending with url, or oidc-provider loses the mount path.
        (ctx.req as { originalUrl?: string }).originalUrl = `${prefix}${ctx.req.url ?? ''}`;
      }
    }
    await next();
  };
}

/** Builds a provider; mount it with `callback()` after stripping the mount prefix from `req.url`. */
export function createProvider(setup: ProviderSetup): Provider {
  const entra = setup.mode === 'entra';
  const tenantId = setup.tenantId ?? '';
  const bySub = new Map(setup.users.map((user) => [user.sub, user]));

  const accountFor = (user: TestUser): Account => ({
    accountId: user.sub,
    claims: () => ({
      sub: user.sub,
      name: user.name,
      preferred_username: user.username,
      ...(user.email ? { email: user.email, email_verified: true } : {}),
      ...(entra ? { oid: user.oid, tid: tenantId, ver: '2.0' } : {}),
    }),
  });

  const resourceInfo = (resource: string): { scope: string } & Record<string, unknown> => {
    if (resource !== DEMO_API) throw new errors.InvalidTarget(`unknown resource ${resource}`);
    return {
      scope: DEMO_API_SCOPES.join(' '),
      audience: DEMO_API,
      accessTokenTTL: setup.accessTokenTtl,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: 'RS256' } },
    };
  };

  const provider = new Provider(setup.issuer, {
    adapter: setup.store.adapterFactory,
    clients: setup.clients.map(clientMetadata),
    jwks: { keys: [setup.signingKey] },
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      names: {
        session: `_session_${setup.cookieSuffix}`,
        interaction: `_interaction_${setup.cookieSuffix}`,
        resume: `_resume_${setup.cookieSuffix}`,
      },
    },
    async findAccount(_ctx: unknown, sub: string) {
      const user = bySub.get(sub);
      return user ? accountFor(user) : undefined;
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    // Auth0's `audience`, taken at the authorization and device authorization endpoints.
    extraParams: ['audience'],
    claims: {
      openid: entra ? ['sub', 'oid', 'tid', 'ver'] : ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    // Put the profile claims into the id token as Entra does, not only into userinfo.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Confidential clients (resource servers) may introspect any token; public ones only their own.
        allowedPolicy: (ctx: KoaContextWithOIDC, client: { clientId: string; clientAuthMethod: string }, token: { clientId?: string }) =>
          client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
      },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => {
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => {
          ctx.body = logoutSuccessPage();
        },
      },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: (ctx: KoaContextWithOIDC, form: string, _out: unknown, err?: Error & { userCode?: string }) => {
          const message = err ? (err.userCode || err.name === 'NoCodeError' ? 'That code is not right. Try again.' : 'The sign-in request could not be processed.') : undefined;
          ctx.body = userCodeInputPage(form, message);
        },
        userCodeConfirmSource: (ctx: KoaContextWithOIDC, form: string, _client: unknown, _info: unknown, userCode: string) => {
          ctx.body = userCodeConfirmPage(form, ctx.oidc.client?.clientId ?? '', userCode);
        },
        successSource: (ctx: KoaContextWithOIDC) => {
          ctx.body = deviceSuccessPage(ctx.oidc.client?.clientId ?? '');
        },
      },
      resourceIndicators: {
        enabled: true,
        // Requests without `resource` get a JWT for the API named by Auth0's `audience` (its word
        // for RFC 8707's `resource`), else for the demo API (Entra always issues JWTs). An audience
        // other than the demo API is refused with `invalid_target`: tests see the provider act on it.
        defaultResource: (ctx: KoaContextWithOIDC) => audienceOf(ctx) ?? DEMO_API,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => resourceInfo(resource),
      },
    },
    interactions: {
      url: (ctx: KoaContextWithOIDC, interaction: { uid: string }) => `${mountPathOf(ctx)}/interaction/${interaction.uid}`,
    },
    // Refresh tokens whenever offline_access was granted; clients never need prompt=consent.
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(grant: string): boolean }, source: { scopes: Set<string> }) =>
      client.grantTypeAllowed('refresh_token') && source.scopes.has('offline_access'),
    rotateRefreshToken: () => setup.refreshTokenRotation,
    extraTokenClaims: (_ctx: unknown, token: { accountId?: string; scope?: string; grantId?: string }) => {
      // JWT access tokens are not stored by oidc-provider; `grant_id` lets `TestIdp.introspect` see revocation.
      const grant = token.grantId ? { grant_id: token.grantId } : {};
      if (!entra) return grant;
      const user = token.accountId ? bySub.get(token.accountId) : undefined;
      const scp = (token.scope ?? '').split(' ').filter(Boolean).map((scope) => scope.startsWith(`${DEMO_API}/`) ? scope.slice(DEMO_API.length + 1) : scope).join(' ');
      return { ...grant, tid: tenantId, ver: '2.0', ...(user ? { oid: user.oid, scp } : {}) };
    },
    renderError: (ctx: KoaContextWithOIDC, out: Record<string, unknown>) => {
      ctx.type = 'html';
      ctx.body = errorPage(out);
    },
    ttl: {
      AccessToken: setup.accessTokenTtl,
      ClientCredentials: setup.accessTokenTtl,
      IdToken: setup.idTokenTtl,
      AuthorizationCode: 120,
      DeviceCode: 600,
      Interaction: 3600,
      RefreshToken: 14 * DAY,
      Grant: 14 * DAY,
      Session: 14 * DAY,
    },
    ...(entra ? { routes: ENTRA_ROUTES_CONFIG } : {}),
  });

  provider.use(keepOfflineAccess(entra ? ENTRA_ROUTES_CONFIG.authorization ?? '' : '/auth'));
  if (entra) {
    provider.use(entraResponses({
      origin: setup.origin,
      tenantId,
      oidOf: (accountId) => bySub.get(accountId)?.oid,
    }));
  }

  registerUserGrants(provider, {
    users: setup.users,
    defaultResource: DEMO_API,
    resourceInfo,
    accountFor,
    verificationKeys: setup.verificationKeys,
  });
  return provider;
}
