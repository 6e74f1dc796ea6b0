/**
 * Grants oidc-provider does not ship: the resource owner password grant and On-Behalf-Of.
 *
 * Both end in `issueForUser`, which issues what the authorization code grant would: a JWT access
 * token for the resource, a refresh token with `offline_access`, an id token with `openid`.
 */
import { jwtVerify, type JWTVerifyGetKey } from 'jose';
import { errors, type Account, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import { JWT_BEARER_GRANT, type TestUser } from './directory';

/** Scopes that are about the user, not about a resource server. */
export const OIDC_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'offline_access']);

/** What the grants need from the provider they are registered on. */
export interface UserGrantDeps {
  readonly users: readonly TestUser[];
  readonly defaultResource: string;
  /** Resource server info as `getResourceServerInfo` returns it; throws for unknown resources. */
  resourceInfo(resource: string): { scope: string } & Record<string, unknown>;
  accountFor(user: TestUser): Account;
  /** Keys that verify tokens this provider issued (for OBO assertions). */
  readonly verificationKeys: JWTVerifyGetKey;
}

function epoch(): number {
  return Math.floor(Date.now() / 1000);
}

async function issueForUser(provider: Provider, deps: UserGrantDeps, ctx: KoaContextWithOIDC, user: TestUser, gty: string): Promise<void> {
  const client = ctx.oidc.client;
  if (!client) throw new errors.InvalidClient();
  const requested = [...new Set((ctx.oidc.params.scope ?? '').split(' ').filter(Boolean))];
  const resource = typeof ctx.oidc.params.resource === 'string' ? ctx.oidc.params.resource : deps.defaultResource;
  const info = deps.resourceInfo(resource);
  const resourceScopes = new Set(info.scope.split(' '));
  const unknown = requested.filter((scope) => !OIDC_SCOPES.has(scope) && !resourceScopes.has(scope));
  if (unknown.length > 0) throw new errors.InvalidScope('requested scope is not supported', unknown.join(' '));
  const oidcScopes = requested.filter((scope) => OIDC_SCOPES.has(scope)
    && (scope !== 'offline_access' || client.grantTypeAllowed('refresh_token')));
  const apiScopes = requested.filter((scope) => resourceScopes.has(scope));

  const account = deps.accountFor(user);
  const grant = new provider.Grant({ accountId: user.sub, clientId: client.clientId });
  if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(' '));
  if (apiScopes.length > 0) grant.addResourceScope(resource, apiScopes.join(' '));
  const grantId = await grant.save();
  ctx.oidc.entity('Grant', grant);
  ctx.oidc.entity('Account', account);

  const at = new provider.AccessToken({ accountId: user.sub, client, grantId, gty, scope: apiScopes.join(' ') });
  at.resourceServer = new provider.ResourceServer(resource, info);
  ctx.oidc.entity('AccessToken', at);
  const accessToken = await at.save();

  let refreshToken: string | undefined;
  if (oidcScopes.includes('offline_access')) {
    const rt = new provider.RefreshToken({
      accountId: user.sub,
      client,
      grantId,
      gty,
      scope: [...oidcScopes, ...apiScopes].join(' '),
      resource,
      rotations: 0,
      expiresWithSession: false,
      authTime: epoch(),
    });
    ctx.oidc.entity('RefreshToken', rt);
    refreshToken = await rt.save();
  }

  let idToken: string | undefined;
  if (oidcScopes.includes('openid')) {
    const scope = oidcScopes.join(' ');
    const claims = await account.claims('id_token', scope, {}, []);
    const token = new provider.IdToken({ ...claims, auth_time: epoch() }, { ctx });
    token.scope = scope;
    token.mask = {};
    token.rejected = [];
    idToken = await token.issue({ use: 'idtoken' });
  }

  ctx.body = Object.fromEntries(Object.entries({
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: at.expiration,
    scope: at.scope,
    refresh_token: refreshToken,
    id_token: idToken,
  }).filter(([, value]) => value !== undefined && value !== ''));
}

/**
 * Registers `password` and the OBO `jwt-bearer` grant on a provider.
 *
 * A wrong password is `invalid_grant` whose description names the username/password, which the
 * Entra layer turns into AADSTS50126. OBO accepts as `assertion` an access token this same
 * provider issued (signature and issuer checked) and issues tokens for its subject.
 */
export function registerUserGrants(provider: Provider, deps: UserGrantDeps): void {
  const findUser = (predicate: (user: TestUser) => boolean): TestUser | undefined => deps.users.find(predicate);

  provider.registerGrantType('password', async (ctx) => {
    const { username, password } = ctx.oidc.params;
    if (!username || !password) throw new errors.InvalidRequest('username and password are required');
    const user = findUser((candidate) => candidate.username.toLowerCase() === username.toLowerCase());
    if (!user || user.password !== password) {
      throw new errors.CustomOIDCProviderError('invalid_grant', 'Error validating credentials due to invalid username or password.');
    }
    await issueForUser(provider, deps, ctx, user, 'password');
  }, ['username', 'password', 'scope', 'resource'], ['resource']);

  provider.registerGrantType(JWT_BEARER_GRANT, async (ctx) => {
    const { assertion } = ctx.oidc.params;
    if (ctx.oidc.params.requested_token_use !== 'on_behalf_of') {
      throw new errors.InvalidRequest('requested_token_use must be on_behalf_of');
    }
    if (!assertion) throw new errors.InvalidRequest('assertion is required');
    let sub: string | undefined;
    try {
      const { payload } = await jwtVerify(assertion, deps.verificationKeys, { issuer: provider.issuer });
      sub = payload.sub;
    } catch {
      throw new errors.InvalidGrant('assertion is not a valid token of this issuer');
    }
    const user = findUser((candidate) => candidate.sub === sub);
    if (!user) throw new errors.InvalidGrant('assertion subject is unknown');
    await issueForUser(provider, deps, ctx, user, JWT_BEARER_GRANT);
  }, ['assertion', 'requested_token_use', 'scope', 'resource'], ['resource']);
}
