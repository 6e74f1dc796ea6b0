import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import type { Browser } from 'playwright-core';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumInstalled, completeAuthorization, completeDeviceCode, launchChromium, newLoopbackContext } from '../browser';
import { requires } from '../requires';
import { CONFIDENTIAL_CLIENT_ID, DEMO_API, PUBLIC_CLIENT_ID, startTestIdp, type TestIdp } from './index';

const browserGate = requires(chromiumInstalled());

type Json = Record<string, unknown>;

let idp: TestIdp;
let agent: Agent;
let browser: Browser | undefined;

const alice = { username: 'alice@contoso.com', password: 'alice-password' };
const confidentialSecret = 'tessera-confidential-secret';

async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await fetch(url, { dispatcher: agent, headers });
  return { status: response.status, body: (await response.json()) as Json, headers: response.headers as unknown as Headers };
}

async function postForm(url: string, data: Record<string, string>): Promise<{ status: number; text: string; body: Json; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(data).toString(),
  });
  const text = await response.text();
  let body: Json = {};
  try {
    body = JSON.parse(text) as Json;
  } catch {
    // HTML or empty body: callers look at `text`.
  }
  return { status: response.status, text, body, headers: response.headers as unknown as Headers };
}

async function keysOf(discoveryUrl: string): Promise<ReturnType<typeof createLocalJWKSet>> {
  const { body } = await getJson(discoveryUrl);
  const jwks = await getJson(String(body.jwks_uri));
  return createLocalJWKSet(jwks.body as unknown as JSONWebKeySet);
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function decodeClientInfo(value: unknown): Json {
  return JSON.parse(Buffer.from(String(value), 'base64url').toString('utf8')) as Json;
}

const entraToken = (): string => `${idp.entraAuthority()}/oauth2/v2.0/token`;

function passwordGrant(scope = 'User.Read offline_access openid profile'): Promise<{ status: number; text: string; body: Json }> {
  return postForm(entraToken(), { grant_type: 'password', client_id: PUBLIC_CLIENT_ID, username: alice.username, password: alice.password, scope });
}

beforeAll(async () => {
  idp = await startTestIdp();
  agent = new Agent({ connect: { ca: idp.caCertPem } });
  if (browserGate.met) browser = await launchChromium({ caCertPem: idp.caCertPem, serverCertPem: idp.serverCertPem });
});

afterAll(async () => {
  await browser?.close();
  await agent?.close();
  await idp?.stop();
});

describe('discovery', () => {
  it('serves the plain OIDC document under /oidc', async () => {
    const { status, body } = await getJson(`${idp.oidcIssuer}/.well-known/openid-configuration`);
    expect(status).toBe(200);
    expect(body.issuer).toBe(idp.oidcIssuer);
    expect(body.token_endpoint).toBe(`${idp.oidcIssuer}/token`);
    expect(body.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('serves Entra-style documents by tenant name, GUID and common', async () => {
    const tenantId = idp.tenantId();
    const byName = await getJson(`${idp.entraAuthority('contoso')}/v2.0/.well-known/openid-configuration`);
    expect(byName.body.issuer).toBe(`${idp.origin}/${tenantId}/v2.0`);
    expect(byName.body.issuer).toBe(idp.entraIssuer('contoso'));
    expect(byName.body.token_endpoint).toBe(`${idp.origin}/contoso/oauth2/v2.0/token`);
    expect(byName.body.device_authorization_endpoint).toBe(`${idp.origin}/contoso/oauth2/v2.0/devicecode`);

    const byGuid = await getJson(`${idp.origin}/${tenantId}/v2.0/.well-known/openid-configuration`);
    expect(byGuid.body.authorization_endpoint).toBe(`${idp.origin}/${tenantId}/oauth2/v2.0/authorize`);

    const common = await getJson(`${idp.origin}/common/v2.0/.well-known/openid-configuration`);
    expect(common.body.issuer).toBe(`${idp.origin}/{tenantid}/v2.0`);
    expect(common.body.token_endpoint).toBe(`${idp.origin}/common/oauth2/v2.0/token`);

    const unknown = await getJson(`${idp.origin}/fabrikam/v2.0/.well-known/openid-configuration`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error_codes).toEqual([90002]);
  });

  it('answers instance discovery and user realm like Entra', async () => {
    const authorize = `${idp.entraAuthority()}/oauth2/v2.0/authorize`;
    const known = await getJson(`${idp.instanceDiscoveryUrl}?api-version=1.1&authorization_endpoint=${encodeURIComponent(authorize)}`);
    expect(known.status).toBe(200);
    expect(known.body.tenant_discovery_endpoint).toBe(`${idp.origin}/contoso/v2.0/.well-known/openid-configuration`);
    expect(known.body.metadata).toEqual([{ preferred_network: 'localhost', preferred_cache: 'localhost', aliases: ['localhost', '127.0.0.1'] }]);

    const foreign = await getJson(`${idp.instanceDiscoveryUrl}?api-version=1.0&authorization_endpoint=${encodeURIComponent('https://login.example.org/x/oauth2/v2.0/authorize')}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toBe('invalid_instance');

    const realm = await getJson(`${idp.origin}/common/userrealm/${encodeURIComponent(alice.username)}?api-version=1.0`);
    expect(realm.body).toMatchObject({ account_type: 'Managed', domain_name: 'contoso.com' });
  });
});

describe('token grants', () => {
  it('issues Entra-shaped tokens for the password grant', async () => {
    const { status, body } = await passwordGrant();
    expect(status).toBe(200);
    expect(body.ext_expires_in).toBe(body.expires_in);
    expect(body.scope).toBe('User.Read');
    expect(typeof body.refresh_token).toBe('string');
    const user = idp.users[0];
    expect(decodeClientInfo(body.client_info)).toEqual({ uid: user?.oid, utid: idp.tenantId() });

    const keys = await keysOf(`${idp.entraAuthority()}/v2.0/.well-known/openid-configuration`);
    const idToken = await jwtVerify(String(body.id_token), keys, { issuer: idp.entraIssuer(), audience: PUBLIC_CLIENT_ID });
    expect(idToken.payload).toMatchObject({ oid: user?.oid, tid: idp.tenantId(), ver: '2.0', preferred_username: alice.username, name: user?.name });
    const accessToken = await jwtVerify(String(body.access_token), keys, { issuer: idp.entraIssuer(), audience: DEMO_API });
    expect(accessToken.protectedHeader.alg).toBe('RS256');
    expect(accessToken.payload).toMatchObject({ scp: 'User.Read', tid: idp.tenantId(), oid: user?.oid });
  });

  it('answers a wrong password with AADSTS50126 in the Entra error shape', async () => {
    const { status, body } = await postForm(entraToken(), { grant_type: 'password', client_id: PUBLIC_CLIENT_ID, username: alice.username, password: 'wrong', scope: 'openid' });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
    expect(body.error_codes).toEqual([50126]);
    expect(String(body.error_description)).toMatch(/^AADSTS50126: .* Trace ID: \S+ Correlation ID: \S+ Timestamp: /);
    expect(typeof body.trace_id).toBe('string');
    expect(typeof body.correlation_id).toBe('string');
  });

  it('maps a bad client secret to AADSTS7000215', async () => {
    const { body } = await postForm(entraToken(), { grant_type: 'client_credentials', client_id: CONFIDENTIAL_CLIENT_ID, client_secret: 'nope', scope: `${DEMO_API}/.default` });
    expect(body.error).toBe('invalid_client');
    expect(body.error_codes).toEqual([7000215]);
  });

  it('issues client credentials tokens in plain OIDC mode', async () => {
    const { status, body } = await postForm(`${idp.oidcIssuer}/token`, { grant_type: 'client_credentials', client_id: CONFIDENTIAL_CLIENT_ID, client_secret: confidentialSecret, scope: `${DEMO_API}/.default` });
    expect(status).toBe(200);
    expect(body.client_info).toBeUndefined();
    expect(decodeJwt(String(body.access_token))).toMatchObject({ aud: DEMO_API, client_id: CONFIDENTIAL_CLIENT_ID, iss: idp.oidcIssuer });
  });

  it('rotates refresh tokens and revokes the grant when a rotated one is reused', async () => {
    const first = await passwordGrant();
    const rt1 = String(first.body.refresh_token);
    const second = await postForm(entraToken(), { grant_type: 'refresh_token', client_id: PUBLIC_CLIENT_ID, refresh_token: rt1, scope: 'User.Read offline_access openid profile' });
    expect(second.status).toBe(200);
    const rt2 = String(second.body.refresh_token);
    expect(rt2).not.toBe(rt1);
    expect(typeof second.body.client_info).toBe('string');

    const reuse = await postForm(entraToken(), { grant_type: 'refresh_token', client_id: PUBLIC_CLIENT_ID, refresh_token: rt1 });
    expect(reuse.body.error_codes).toEqual([70008]);
    const afterReuse = await postForm(entraToken(), { grant_type: 'refresh_token', client_id: PUBLIC_CLIENT_ID, refresh_token: rt2 });
    expect(afterReuse.body.error).toBe('invalid_grant');
  });

  it('keeps the refresh token when rotation is off, and honours short TTLs', async () => {
    const other = await startTestIdp({ refreshTokenRotation: false, accessTokenTtl: 2 });
    const otherAgent = new Agent({ connect: { ca: other.caCertPem } });
    try {
      const post = async (data: Record<string, string>): Promise<Json> => {
        const response = await fetch(`${other.oidcIssuer}/token`, { method: 'POST', dispatcher: otherAgent, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(data).toString() });
        return (await response.json()) as Json;
      };
      const first = await post({ grant_type: 'password', client_id: PUBLIC_CLIENT_ID, username: alice.username, password: alice.password, scope: `openid offline_access ${DEMO_API}/read` });
      expect(first.expires_in).toBe(2);
      const second = await post({ grant_type: 'refresh_token', client_id: PUBLIC_CLIENT_ID, refresh_token: String(first.refresh_token) });
      expect(second.refresh_token).toBe(first.refresh_token);
      expect(second.scope).toBe(`${DEMO_API}/read`);
    } finally {
      await otherAgent.close();
      await other.stop();
    }
  });

  it('introspects through the real endpoint and kills refresh tokens on revokeGrantsFor', async () => {
    const { body } = await passwordGrant();
    const active = await idp.introspect(String(body.access_token));
    expect(active).toMatchObject({ active: true, client_id: PUBLIC_CLIENT_ID, aud: DEMO_API });
    expect((await idp.introspect('not-a-token')).active).toBe(false);
    expect(await idp.introspect(String(body.refresh_token))).toMatchObject({ active: true, client_id: PUBLIC_CLIENT_ID, iss: idp.entraIssuer() });

    await idp.revokeGrantsFor(alice.username);
    expect((await idp.introspect(String(body.access_token))).active).toBe(false);
    expect((await idp.introspect(String(body.refresh_token))).active).toBe(false);
    const refresh = await postForm(entraToken(), { grant_type: 'refresh_token', client_id: PUBLIC_CLIENT_ID, refresh_token: String(body.refresh_token) });
    expect(refresh.status).toBe(400);
    expect(refresh.body.error_codes).toEqual([70008]);
  });

  it('exchanges a token it issued On-Behalf-Of the user', async () => {
    const { body } = await passwordGrant(`${DEMO_API}/read openid`);
    const obo = await postForm(entraToken(), {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      client_id: CONFIDENTIAL_CLIENT_ID,
      client_secret: confidentialSecret,
      assertion: String(body.access_token),
      requested_token_use: 'on_behalf_of',
      scope: `${DEMO_API}/write`,
    });
    expect(obo.status).toBe(200);
    expect(decodeJwt(String(obo.body.access_token))).toMatchObject({ sub: idp.users[0]?.sub, client_id: CONFIDENTIAL_CLIENT_ID, scp: 'write' });
  });
});

describe('test hooks', () => {
  it('serves an injected response exactly once and counts requests', async () => {
    const discovery = `${idp.entraAuthority()}/v2.0/.well-known/openid-configuration`;
    idp.resetRequestCount();
    idp.failNext('/v2.0/.well-known/openid-configuration', { status: 503, body: '<html><body>Service unavailable</body></html>', headers: { 'retry-after': '7' } });
    const failed = await fetch(discovery, { dispatcher: agent });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('7');
    expect(await failed.text()).toContain('Service unavailable');
    const ok = await fetch(discovery, { dispatcher: agent });
    expect(ok.status).toBe(200);
    await ok.text();
    expect(idp.requestCount('/.well-known/openid-configuration')).toBe(2);
    expect(idp.requestCount('/oauth2/v2.0/token')).toBe(0);
  });
});

browserGate.describe('in Chromium', () => {
  it('completes auth code + PKCE through the real login page (Entra mode)', async () => {
    const { verifier, challenge } = pkce();
    const redirectUri = 'http://localhost:53117';
    const state = randomBytes(8).toString('hex');
    const nonce = randomBytes(8).toString('hex');
    const authorize = new URL(`${idp.entraAuthority()}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({
      client_id: PUBLIC_CLIENT_ID, response_type: 'code', redirect_uri: redirectUri, scope: 'User.Read offline_access openid profile',
      state, nonce, code_challenge: challenge, code_challenge_method: 'S256', client_info: '1',
    }).toString();
    const redirected = new URL(await completeAuthorization(browser as Browser, authorize.href, alice, redirectUri));
    expect(redirected.searchParams.get('state')).toBe(state);
    const code = redirected.searchParams.get('code');
    expect(code).toBeTruthy();

    const token = await postForm(entraToken(), { grant_type: 'authorization_code', client_id: PUBLIC_CLIENT_ID, code: code ?? '', redirect_uri: redirectUri, code_verifier: verifier, client_info: '1', scope: 'User.Read offline_access openid profile' });
    expect(token.status).toBe(200);
    expect(typeof token.body.refresh_token).toBe('string');
    expect(decodeClientInfo(token.body.client_info)).toMatchObject({ utid: idp.tenantId() });
    const keys = await keysOf(`${idp.entraAuthority()}/v2.0/.well-known/openid-configuration`);
    const { payload } = await jwtVerify(String(token.body.id_token), keys, { issuer: idp.entraIssuer(), audience: PUBLIC_CLIENT_ID });
    expect(payload).toMatchObject({ nonce, preferred_username: alice.username, tid: idp.tenantId() });
    expect(decodeJwt(String(token.body.access_token)).aud).toBe(DEMO_API);
  });

  it('completes auth code + PKCE in plain OIDC mode on any loopback port', async () => {
    const { verifier, challenge } = pkce();
    const redirectUri = 'http://127.0.0.1:61999/';
    const authorize = new URL(`${idp.oidcIssuer}/auth`);
    authorize.search = new URLSearchParams({
      client_id: PUBLIC_CLIENT_ID, response_type: 'code', redirect_uri: redirectUri, scope: 'openid offline_access',
      state: 's1', code_challenge: challenge, code_challenge_method: 'S256',
    }).toString();
    const redirected = new URL(await completeAuthorization(browser as Browser, authorize.href, { username: 'bob@contoso.com', password: 'bob-password' }, redirectUri));
    expect(redirected.searchParams.get('iss')).toBe(idp.oidcIssuer);
    const token = await postForm(`${idp.oidcIssuer}/token`, { grant_type: 'authorization_code', client_id: PUBLIC_CLIENT_ID, code: redirected.searchParams.get('code') ?? '', redirect_uri: redirectUri, code_verifier: verifier });
    expect(token.status).toBe(200);
    expect(decodeJwt(String(token.body.id_token)).sub).toBe(idp.users[1]?.sub);
    expect(typeof token.body.refresh_token).toBe('string');
  });

  it('completes the device code flow', async () => {
    const started = await postForm(`${idp.entraAuthority()}/oauth2/v2.0/devicecode`, { client_id: PUBLIC_CLIENT_ID, scope: 'User.Read offline_access openid profile' });
    expect(started.status).toBe(200);
    expect(String(started.body.message)).toContain(String(started.body.user_code));
    const deviceCode = String(started.body.device_code);
    const pending = await postForm(entraToken(), { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: PUBLIC_CLIENT_ID, device_code: deviceCode });
    expect(pending.body.error).toBe('authorization_pending');

    await completeDeviceCode(browser as Browser, String(started.body.verification_uri), String(started.body.user_code), alice);
    const done = await postForm(entraToken(), { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: PUBLIC_CLIENT_ID, device_code: deviceCode });
    expect(done.status).toBe(200);
    expect(typeof done.body.refresh_token).toBe('string');
    expect(typeof done.body.client_info).toBe('string');
  });

  it('shows an error on the login page for a wrong password', async () => {
    const { challenge } = pkce();
    const authorize = new URL(`${idp.oidcIssuer}/auth`);
    authorize.search = new URLSearchParams({ client_id: PUBLIC_CLIENT_ID, response_type: 'code', redirect_uri: 'http://localhost:50000/', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' }).toString();
    const context = await newLoopbackContext(browser as Browser);
    try {
      const page = await context.newPage();
      await page.goto(authorize.href);
      await page.getByLabel('Username').fill(alice.username);
      await page.getByLabel('Password').fill('wrong');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain('incorrect');
    } finally {
      await context.close();
    }
  });
});
