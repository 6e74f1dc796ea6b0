/**
 * The test identity provider: real, OpenID-certified oidc-provider instances behind one https server.
 *
 * Serves a plain OIDC issuer under `/oidc` and Entra-like tenants under `/<tenant>` (plus `common`
 * and `organizations`), with a per-run CA. Used by the auth core tests, the desktop-service tests
 * and the local demo provider (`npx tsx test/support/idp/cli.ts`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import type { Provider } from 'oidc-provider';
import { Agent, fetch } from 'undici';
import { createTestCa } from '../test-certs';
import { createProvider } from './create-provider';
import {
  API_CLIENT_ID,
  DEFAULT_CLIENTS,
  DEMO_API,
  DEFAULT_USERS,
  DEMO_API_SCOPES,
  tenantIdFor,
  type TestClient,
  type TestUser,
} from './directory';
import { entraDiscoveryDocument, instanceDiscovery, MULTI_TENANT_SEGMENTS, toEntraError, userRealm } from './entra';
import { handleInteraction } from './interactions';
import { MemoryStore } from './memory-store';

export {
  API_CLIENT_ID,
  BASIC_AUTH_CLIENT_ID,
  CONFIDENTIAL_CLIENT_ID,
  DEFAULT_CLIENTS,
  DEFAULT_USERS,
  DEMO_API,
  DEMO_API_SCOPES,
  DEVICE_CODE_GRANT,
  JWT_BEARER_GRANT,
  PUBLIC_CLIENT_ID,
  PUBLIC_WEB_CLIENT_ID,
  tenantIdFor,
} from './directory';
export type { TestClient, TestUser } from './directory';

/** Options of `startTestIdp`. TTLs are in seconds. */
export interface TestIdpOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Entra-mode tenant names; the first is the home tenant behind `common`/`organizations`. Default `['contoso']`. */
  tenants?: string[];
  accessTokenTtl?: number;
  idTokenTtl?: number;
  /** Rotate refresh tokens on every use (default true); reuse of a rotated one revokes the grant. */
  refreshTokenRotation?: boolean;
  users?: TestUser[];
  clients?: TestClient[];
}

/** A canned response `failNext` serves once instead of the real one. */
export interface InjectedResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** A running test identity provider. */
export interface TestIdp {
  /** `https://localhost:PORT`. */
  readonly origin: string;
  readonly port: number;
  readonly caCertPem: string;
  /** The https server's certificate (issued by the CA, for `localhost` and `127.0.0.1`); public data. */
  readonly serverCertPem: string;
  /** The CA certificate written to a temp file (for `verify:` paths, `REQUESTS_CA_BUNDLE`, `NODE_EXTRA_CA_CERTS`). */
  readonly caPath: string;
  /** `https://localhost:PORT/demo-api/me`: the demo API; answers a valid bearer token's claims, else 401. */
  readonly demoApiUrl: string;
  /** Plain OIDC issuer: `https://localhost:PORT/oidc`. */
  readonly oidcIssuer: string;
  /** `https://localhost:PORT/<tenant>` (default: the home tenant's name). */
  entraAuthority(tenant?: string): string;
  /** `https://localhost:PORT/<tenantGuid>/v2.0`; accepts a tenant name or GUID (default: home tenant). */
  entraIssuer(tenantId?: string): string;
  /** The GUID of a tenant name (default: home tenant). */
  tenantId(tenant?: string): string;
  /** `https://localhost:PORT/common/discovery/instance`. */
  readonly instanceDiscoveryUrl: string;
  readonly users: TestUser[];
  readonly clients: TestClient[];
  /**
   * Introspects a token (RFC 7662 shape) as `tessera-api` unless `clientId` is given.
   *
   * Opaque tokens (refresh tokens) go to the issuer's real introspection endpoint. oidc-provider
   * refuses to introspect JWT access tokens, so for those the signature, issuer and expiry are
   * checked here and the token's grant (claim `grant_id`) must still exist (revocation removes it).
   */
  introspect(token: string, clientId?: string): Promise<{ active: boolean; [k: string]: unknown }>;
  /** Revokes every grant of the user in every issuer, killing their refresh tokens. */
  revokeGrantsFor(username: string): Promise<void>;
  /** Requests received whose path (with query) contains `pathPart` (all requests without it). */
  requestCount(pathPart?: string): number;
  resetRequestCount(): void;
  /** Answers the next request whose path contains `pathPart` with `response`, once. */
  failNext(pathPart: string, response: InjectedResponse): void;
  stop(): Promise<void>;
}

interface Tenant {
  readonly name: string;
  readonly id: string;
  readonly provider: Provider;
}

// Requests the harness makes itself (introspect) are not counted.
const INTERNAL_HEADER = 'x-test-idp-internal';

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function decodeJwtIssuer(token: string): string | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { iss?: unknown };
    return typeof payload.iss === 'string' ? payload.iss : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the test identity provider; call `stop()` when done. */
export async function startTestIdp(options: TestIdpOptions = {}): Promise<TestIdp> {
  const users = options.users ?? DEFAULT_USERS.map((user) => ({ ...user }));
  const clients = options.clients ?? DEFAULT_CLIENTS.map((client) => ({ ...client, redirectUris: [...client.redirectUris] }));
  const tenantNames = options.tenants && options.tenants.length > 0 ? options.tenants : ['contoso'];
  const homeTenantName = tenantNames[0] ?? 'contoso';

  const ca = await createTestCa();
  const leaf = await ca.issue(['localhost', '127.0.0.1']);
  const tempDir = await mkdtemp(join(tmpdir(), 'tessera-test-idp-'));
  const caPath = join(tempDir, 'ca.pem');
  await writeFile(caPath, ca.caCertPem, { mode: 0o600 });

  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `test-idp-${Date.now().toString(36)}`;
  const signingKey: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const verificationKeys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] });

  const counted: string[] = [];
  const injected: { pathPart: string; response: InjectedResponse }[] = [];
  // Set once the providers exist; they need the port, which is known only after listen().
  const routing: { handler?: (req: IncomingMessage, res: ServerResponse) => Promise<void> } = {};

  const server: Server = createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
    const url = req.url ?? '/';
    if (req.headers[INTERNAL_HEADER] !== '1') counted.push(url);
    const index = injected.findIndex((entry) => url.includes(entry.pathPart));
    if (index >= 0) {
      const [entry] = injected.splice(index, 1);
      const response = entry?.response;
      if (response) {
        res.writeHead(response.status, { 'content-type': 'text/html; charset=utf-8', ...response.headers });
        res.end(response.body);
        return;
      }
    }
    const handler = routing.handler;
    if (!handler) {
      sendJson(res, 503, { error: 'temporarily_unavailable', error_description: 'starting' });
      return;
    }
    handler(req, res).catch((error: unknown) => {
      console.error('test idp: request failed:', error instanceof Error ? error.message : String(error));
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: 'test idp request failed' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `https://localhost:${port}`;

  const store = new MemoryStore();
  const common = {
    origin,
    users,
    clients,
    store,
    signingKey,
    verificationKeys,
    accessTokenTtl: options.accessTokenTtl ?? 3600,
    idTokenTtl: options.idTokenTtl ?? 3600,
    refreshTokenRotation: options.refreshTokenRotation ?? true,
  };
  const plain = createProvider({ ...common, mode: 'oidc', issuer: `${origin}/oidc`, cookieSuffix: 'oidc' });
  const tenants: Tenant[] = tenantNames.map((name, i) => {
    const id = tenantIdFor(name);
    return { name, id, provider: createProvider({ ...common, mode: 'entra', issuer: `${origin}/${id}/v2.0`, tenantId: id, cookieSuffix: `t${i}` }) };
  });
  const homeTenant = tenants[0] as Tenant;
  for (const provider of [plain, ...tenants.map((tenant) => tenant.provider)]) {
    provider.on('server_error', (_ctx: unknown, error: unknown) => {
      console.error('test idp: provider error:', error instanceof Error ? error.message : String(error));
    });
  }

  const tenantBySegment = (segment: string): Tenant | undefined => {
    if (MULTI_TENANT_SEGMENTS.includes(segment)) return homeTenant;
    return tenants.find((tenant) => tenant.name === segment || tenant.id === segment);
  };

  const callbacks = new Map<Provider, ReturnType<Provider['callback']>>();
  const delegate = async (provider: Provider, prefix: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let callback = callbacks.get(provider);
    if (!callback) {
      callback = provider.callback();
      callbacks.set(provider, callback);
    }
    // oidc-provider derives its mount path from originalUrl minus url (see "Mounting" in its docs).
    const original = req.url ?? '/';
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = original;
    req.url = original.slice(prefix.length) || '/';
    await callback(req, res);
  };

  routing.handler = async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const [, segment = '', ...restParts] = url.pathname.split('/');
    const rest = `/${restParts.join('/')}`;

    if (segment === 'oidc') {
      if (rest.startsWith('/interaction/')) return handleInteraction(plain, users, req, res, rest.slice('/interaction/'.length));
      return delegate(plain, '/oidc', req, res);
    }
    if (segment === 'demo-api' && rest === '/me') {
      // The demo API as a resource server: a bearer token for it gets its claims back.
      const header = req.headers.authorization ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      const verdict = token ? await introspectJwt(token) : { active: false };
      const audience = verdict.aud;
      const forDemoApi = audience === DEMO_API || (Array.isArray(audience) && audience.includes(DEMO_API));
      if (!verdict.active || !forDemoApi) {
        return sendJson(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
      }
      return sendJson(res, 200, { sub: verdict.sub, scope: verdict.scope ?? verdict.scp, client_id: verdict.client_id, iss: verdict.iss });
    }
    if (segment === 'common' && rest === '/discovery/instance') {
      const answer = instanceDiscovery(origin, port, url.searchParams);
      return sendJson(res, answer.status, answer.body);
    }
    if (segment === 'common' && rest.startsWith('/userrealm/')) {
      return sendJson(res, 200, userRealm(decodeURIComponent(rest.slice('/userrealm/'.length)), homeTenant.id));
    }
    const tenant = tenantBySegment(segment);
    if (rest === '/v2.0/.well-known/openid-configuration') {
      if (!tenant) {
        const error = toEntraError({ error: 'invalid_tenant', error_description: `Tenant '${segment}' not found.` }, origin);
        return sendJson(res, 400, { ...error, error_codes: [90002] });
      }
      return sendJson(res, 200, entraDiscoveryDocument({
        origin,
        segment,
        tenantId: tenant.id,
        scopes: ['openid', 'profile', 'email', 'offline_access', ...DEMO_API_SCOPES],
        claims: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'auth_time', 'name', 'preferred_username', 'email', 'oid', 'tid', 'ver'],
      }));
    }
    if (tenant) {
      if (rest.startsWith('/interaction/')) return handleInteraction(tenant.provider, users, req, res, rest.slice('/interaction/'.length));
      return delegate(tenant.provider, `/${segment}`, req, res);
    }
    sendJson(res, 404, { error: 'not_found', error_description: `no route for ${url.pathname}` });
  };

  const agent = new Agent({ connect: { ca: ca.caCertPem } });
  const issuers = new Set([`${origin}/oidc`, ...tenants.map((tenant) => `${origin}/${tenant.id}/v2.0`)]);
  const introspectJwt = async (token: string): Promise<{ active: boolean; [k: string]: unknown }> => {
    try {
      const { payload } = await jwtVerify(token, verificationKeys);
      // A user token is active while its grant exists (revocation deletes the grant).
      const grantAlive = typeof payload.grant_id !== 'string' || store.entries('Grant').some(([id]) => id === payload.grant_id);
      if (!grantAlive || typeof payload.iss !== 'string' || !issuers.has(payload.iss)) return { active: false };
      return { active: true, token_type: 'Bearer', ...payload };
    } catch {
      return { active: false };
    }
  };
  const tenantIdOf = (tenant?: string): string => {
    if (!tenant) return homeTenant.id;
    return tenants.find((candidate) => candidate.name === tenant || candidate.id === tenant)?.id ?? tenantIdFor(tenant);
  };

  return {
    origin,
    port,
    caCertPem: ca.caCertPem,
    serverCertPem: leaf.certPem,
    caPath,
    oidcIssuer: `${origin}/oidc`,
    demoApiUrl: `${origin}/demo-api/me`,
    entraAuthority: (tenant) => `${origin}/${tenant ?? homeTenantName}`,
    entraIssuer: (tenant) => `${origin}/${tenantIdOf(tenant)}/v2.0`,
    tenantId: tenantIdOf,
    instanceDiscoveryUrl: `${origin}/common/discovery/instance`,
    users,
    clients,
    async introspect(token, clientId = API_CLIENT_ID) {
      const client = clients.find((candidate) => candidate.clientId === clientId);
      if (!client?.clientSecret) throw new Error(`introspect: client ${clientId} has no secret`);
      const issuer = decodeJwtIssuer(token);
      if (issuer !== undefined) return introspectJwt(token);
      // Opaque tokens do not say who issued them: ask each issuer until one knows the token.
      const endpoints = [...tenants.map((tenant) => `${origin}/${tenant.name}/oauth2/v2.0/introspect`), `${origin}/oidc/token/introspection`];
      let last: { active: boolean; [k: string]: unknown } = { active: false };
      for (const endpoint of endpoints) {
        const response = await fetch(endpoint, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/x-www-form-urlencoded', [INTERNAL_HEADER]: '1' },
          body: new URLSearchParams({ token, client_id: client.clientId, client_secret: client.clientSecret }).toString(),
        });
        const body = (await response.json()) as { active?: unknown };
        if (typeof body.active !== 'boolean') throw new Error(`introspect: unexpected response ${response.status}`);
        last = body as { active: boolean; [k: string]: unknown };
        if (last.active) return last;
      }
      return last;
    },
    async revokeGrantsFor(username) {
      const user = users.find((candidate) => candidate.username.toLowerCase() === username.toLowerCase());
      if (!user) throw new Error(`revokeGrantsFor: unknown user ${username}`);
      for (const [grantId, payload] of store.entries('Grant')) {
        if (payload.accountId === user.sub) store.revokeGrant(grantId);
      }
    },
    requestCount: (pathPart) => (pathPart === undefined ? counted.length : counted.filter((url) => url.includes(pathPart)).length),
    resetRequestCount: () => {
      counted.length = 0;
    },
    failNext: (pathPart, response) => {
      injected.push({ pathPart, response });
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await agent.close();
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}
