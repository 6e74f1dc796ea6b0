/**
 * The auth core end to end: every ClientApplication method against the real test provider
 * (oidc-provider over https on loopback), with sign-ins through its real login page in Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  ConfidentialClientApplication,
  createDefaultHttpClient,
  PublicClientApplication,
  SerializableTokenCache,
  TransportError,
} from '../../../main/auth';
import type { Account, AuthorizationBroker, TokenSuccess } from '../../../main/auth';
import { DEMO_API, startTestIdp } from '../../support/idp';
import { RecordingHttpClient } from '../../support/recording-http-client';
import type { TestIdp } from '../../support/idp';
import { chromiumInstalled, completeAuthorization, completeDeviceCode, launchChromium, newLoopbackContext, signInThroughLoginPage } from '../../support/browser';
import { requires } from '../../support/requires';

const browserGate = requires(chromiumInstalled());
const withBrowser = browserGate.describe;

const API_READ = 'api://tessera-demo/read';
const PUBLIC = 'tessera-public';
const CONFIDENTIAL = 'tessera-confidential';

let idp: TestIdp;
let browser: Browser | undefined;

beforeAll(async () => {
  idp = await startTestIdp();
  if (browserGate.met) browser = await launchChromium({ serverCertPem: idp.serverCertPem });
});

afterAll(async () => {
  await browser?.close();
  await idp?.stop();
});

const alice = () => idp.users.find((u) => u.username.startsWith('alice'))!;
const bob = () => idp.users.find((u) => u.username.startsWith('bob'))!;
const confidentialSecret = () => idp.clients.find((c) => c.clientId === CONFIDENTIAL)!.clientSecret!;

function entraApp(cache = new SerializableTokenCache()): PublicClientApplication {
  return new PublicClientApplication(PUBLIC, {
    authority: idp.entraAuthority('contoso'),
    instanceDiscovery: idp.instanceDiscoveryUrl,
    verify: idp.caPath,
    tokenCache: cache,
  });
}

function oidcApp(cache = new SerializableTokenCache()): PublicClientApplication {
  return new PublicClientApplication(PUBLIC, { oidcAuthority: idp.oidcIssuer, verify: idp.caPath, tokenCache: cache });
}

/** A broker that signs `user` in through the provider's real login page in Chromium. */
function chromiumBroker(user: { username: string; password: string }): AuthorizationBroker {
  return {
    open: (url, redirectUri) => completeAuthorization(browser!, url, user, redirectUri),
  };
}

/** Make every cached access token expire now (the provider's TTL is an hour). */
function expireAccessTokens(cache: SerializableTokenCache): void {
  const data = JSON.parse(cache.serialize()) as Record<string, Record<string, Record<string, string>>>;
  for (const at of Object.values(data['AccessToken'] ?? {})) at['expires_on'] = String(Math.floor(Date.now() / 1000) + 60);
  cache.deserialize(JSON.stringify(data));
}

withBrowser('Entra-like authority', () => {
  let cache: SerializableTokenCache;
  let app: PublicClientApplication;
  let account: Account;

  it('signs in interactively through the real login page (broker)', async () => {
    cache = new SerializableTokenCache();
    app = entraApp(cache);
    const result = (await app.acquireTokenInteractive([API_READ], {
      broker: chromiumBroker(alice()),
      redirectUri: 'http://localhost:53117',
    })) as TokenSuccess;
    expect(result.error).toBeUndefined();
    expect(result.token_source).toBe('identity_provider');
    expect(result.id_token_claims?.preferred_username).toBe(alice().username);
    expect(result.id_token_claims?.tid).toBe(idp.tenantId('contoso'));
    expect((await idp.introspect(result.access_token)).active).toBe(true);
    const accounts = await app.getAccounts();
    expect(accounts).toHaveLength(1);
    account = accounts[0]!;
    expect(account.home_account_id).toBe(`${alice().oid}.${idp.tenantId('contoso')}`);
    expect(account.environment).toBe('localhost');
  });

  it('serves a cache hit with zero requests to the provider', async () => {
    idp.resetRequestCount();
    const hit = await app.acquireTokenSilent([API_READ], account);
    expect(hit?.token_source).toBe('cache');
    expect(idp.requestCount()).toBe(0);
  });

  it('refreshes an expiring token with exactly one request', async () => {
    expireAccessTokens(cache);
    idp.resetRequestCount();
    const refreshed = await app.acquireTokenSilent([API_READ], account);
    expect(refreshed?.token_source).toBe('identity_provider');
    expect(idp.requestCount()).toBe(1);
    expect(idp.requestCount('/oauth2/v2.0/token')).toBe(1);
    expect((await idp.introspect(refreshed!.access_token)).active).toBe(true);
  });

  it('a fresh app with the same cache reads the account and hits the cache', async () => {
    const copy = new SerializableTokenCache();
    copy.deserialize(cache.serialize());
    const again = entraApp(copy);
    const [same] = await again.getAccounts(alice().username.toUpperCase());
    expect(same?.home_account_id).toBe(account.home_account_id);
    const hit = await again.acquireTokenSilent([API_READ], same!);
    expect(hit?.token_source).toBe('cache');
  });

  it('an HTML error page from the token endpoint is a typed error and changes nothing', async () => {
    expireAccessTokens(cache);
    const before = cache.serialize();
    idp.failNext('/oauth2/v2.0/token', { status: 502, body: '<html><body>Bad gateway</body></html>', headers: { 'content-type': 'text/html' } });
    await expect(app.acquireTokenSilentWithError([API_READ], account)).rejects.toBeInstanceOf(TransportError);
    expect(cache.serialize()).toBe(before);
    // MSAL throttling: the same refresh within the throttle window is answered without a request.
    idp.resetRequestCount();
    await expect(app.acquireTokenSilentWithError([API_READ], account)).rejects.toBeInstanceOf(TransportError);
    expect(idp.requestCount()).toBe(0);
    // A new app has its own throttle state and gets through.
    app = entraApp(cache);
    expect((await app.acquireTokenSilent([API_READ], account))?.token_source).toBe('identity_provider');
  });

  it('a revoked grant returns invalid_grant as a value and keeps the refresh token', async () => {
    await idp.revokeGrantsFor(alice().username);
    expireAccessTokens(cache);
    const rtsBefore = Object.keys(JSON.parse(cache.serialize())['RefreshToken']);
    const result = await app.acquireTokenSilentWithError([API_READ], account, { forceRefresh: true });
    expect(result?.error).toBe('invalid_grant');
    expect(String(result?.error_description)).toMatch(/^AADSTS/);
    expect(JSON.stringify(result)).not.toMatch(/refresh_token/);
    expect(await app.acquireTokenSilent([API_READ], account, { forceRefresh: true })).toBeNull();
    expect(Object.keys(JSON.parse(cache.serialize())['RefreshToken'])).toEqual(rtsBefore);
  });

  it('removes the account and its tokens', async () => {
    await app.removeAccount(account);
    expect(await app.getAccounts()).toHaveLength(0);
    expect(await app.acquireTokenSilentWithError([API_READ], account)).toBeNull();
  });

  it('signs in with openBrowser and the built-in loopback listener', async () => {
    const local = entraApp();
    const result = await local.acquireTokenInteractive([API_READ], {
      openBrowser: async (url) => {
        // Entra's registered loopback spelling (docs/auth-protocol.md), served by a 127.0.0.1 listener.
        expect(new URL(url).searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+$/);
        const context = await newLoopbackContext(browser!);
        const page = await context.newPage();
        await page.goto(url);
        await signInThroughLoginPage(page, bob());
        await page.waitForURL(/^http:\/\/localhost:\d+\//);
        await context.close();
      },
      timeout: 60_000,
    });
    expect(result.error).toBeUndefined();
    expect((await local.getAccounts())[0]?.username).toBe(bob().username);
  });

  it('completes the device code flow', async () => {
    const local = entraApp();
    const flow = await local.initiateDeviceFlow([API_READ]);
    if ('error' in flow && flow.error) throw new Error(`device flow failed: ${String(flow.error)}`);
    const device = flow as Exclude<typeof flow, { error: string }>;
    // oidc-provider's default user code: two groups of four from a 20-letter alphabet.
    expect(device.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(String(device.verification_uri).startsWith(idp.origin)).toBe(true);
    expect(String(device.message)).toContain(String(device.user_code));
    const polled = local.acquireTokenByDeviceFlow(device as never);
    await completeDeviceCode(browser!, String(device.verification_uri), String(device.user_code), alice());
    const result = await polled;
    expect(result.error).toBeUndefined();
    expect((await local.getAccounts()).map((a) => a.username)).toEqual([alice().username]);
  });
});

describe('Entra-like authority without a browser', () => {
  it('password grant works, and a wrong password is an AADSTS error value', async () => {
    const app = entraApp();
    const ok = await app.acquireTokenByUsernamePassword(bob().username, bob().password, [API_READ]);
    expect(ok.error).toBeUndefined();
    expect((ok as TokenSuccess).id_token_claims?.preferred_username).toBe(bob().username);
    const bad = await app.acquireTokenByUsernamePassword(bob().username, 'wrong', [API_READ]);
    expect(bad.error).toBe('invalid_grant');
    expect(String(bad.error_description)).toContain('AADSTS50126');
  });

  it('client credentials then a cache hit; on-behalf-of exchanges a user token', async () => {
    const cca = new ConfidentialClientApplication(CONFIDENTIAL, {
      clientCredential: confidentialSecret(),
      authority: idp.entraAuthority('contoso'),
      instanceDiscovery: idp.instanceDiscoveryUrl,
      verify: idp.caPath,
      azureRegion: false,
    });
    const first = (await cca.acquireTokenForClient(['api://tessera-demo/.default'])) as TokenSuccess;
    expect(first.token_source).toBe('identity_provider');
    expect((await idp.introspect(first.access_token)).active).toBe(true);
    idp.resetRequestCount();
    const second = await cca.acquireTokenForClient(['api://tessera-demo/.default']);
    expect(second).toMatchObject({ token_source: 'cache', access_token: first.access_token });
    expect(idp.requestCount()).toBe(0);

    const user = (await entraApp().acquireTokenByUsernamePassword(bob().username, bob().password, [API_READ])) as TokenSuccess;
    const obo = (await cca.acquireTokenOnBehalfOf(user.access_token, [API_READ])) as TokenSuccess;
    expect(obo.error).toBeUndefined();
    expect(obo.access_token).not.toBe(user.access_token);
    expect(await idp.introspect(obo.access_token)).toMatchObject({ active: true, client_id: CONFIDENTIAL, sub: bob().sub });
  });

  it('refuses an authority the instance discovery does not know', async () => {
    // A loopback address the provider's instance discovery does not know (nothing listens on port 9).
    const app = new PublicClientApplication(PUBLIC, {
      authority: 'https://127.0.0.2:9/contoso',
      instanceDiscovery: idp.instanceDiscoveryUrl,
      verify: idp.caPath,
    });
    await expect(app.getAccounts()).rejects.toMatchObject({ code: 'untrusted_authority' });
  });

  it('migrates a refresh token with acquireTokenByRefreshToken', async () => {
    const source = await entraApp().acquireTokenByUsernamePassword(alice().username, alice().password, [API_READ]);
    const cache = new SerializableTokenCache();
    const app = entraApp(cache);
    const migrated = await app.acquireTokenByRefreshToken(String(source.refresh_token), [API_READ]);
    expect(migrated.error).toBeUndefined();
    expect(Object.keys(JSON.parse(cache.serialize())['RefreshToken'])).toHaveLength(1);
    expect((await app.getAccounts()).map((a) => a.username)).toEqual([alice().username]);
  });
});

describe('device authorization request (OIDC issuer, no browser)', () => {
  it('sends extra parameters (Auth0\'s audience) in the device authorization request, and the provider acts on them', async () => {
    // The real client behind a recorder: the provider answers, and the body it got is on record.
    const real = createDefaultHttpClient({ verify: idp.caPath });
    const http = new RecordingHttpClient()
      .onGet(idp.origin, (r) => real.get(r.url, { params: r.params, headers: r.headers }))
      .onPost(idp.origin, (r) => real.post(r.url, { data: r.data, headers: r.headers }));
    try {
      const app = new PublicClientApplication(PUBLIC, { oidcAuthority: idp.oidcIssuer, httpClient: http });
      // The test provider takes `audience` as the API to issue for and knows only the demo API.
      const unknown = await app.initiateDeviceFlow([API_READ], { extraParameters: { audience: 'api://not-registered' } });
      expect(unknown.error).toBe('invalid_target');
      const flow = await app.initiateDeviceFlow([API_READ], { extraParameters: { audience: DEMO_API } });
      expect(flow.error).toBeUndefined();
      expect(String(flow.user_code)).not.toBe('');
      const sent = http.requestsOf('POST', idp.origin).filter((r) => r.url.includes('device'));
      expect(sent.map((r) => r.data['audience'])).toEqual(['api://not-registered', DEMO_API]);
      expect(sent[1]!.data).toMatchObject({ client_id: PUBLIC, scope: expect.stringContaining(API_READ) });
    } finally {
      await real.close();
    }
  });

  it('refuses extra device-flow parameters that would replace client_id or scope, before any request', async () => {
    const app = oidcApp();
    idp.resetRequestCount();
    for (const name of ['client_id', 'scope']) {
      await expect(app.initiateDeviceFlow([API_READ], { extraParameters: { [name]: 'other' } })).rejects.toMatchObject({
        name: 'InvalidArgumentError',
        code: 'invalid_argument',
        message: expect.stringContaining(`"${name}"`),
      });
    }
    expect(idp.requestCount()).toBe(0);
  });
});

withBrowser('deprecated authorization-code APIs (confidential client, no PKCE)', () => {
  it('getAuthorizationRequestUrl + acquireTokenByAuthorizationCode, with the raw nonce checked', async () => {
    const cca = new ConfidentialClientApplication(CONFIDENTIAL, {
      clientCredential: confidentialSecret(),
      authority: idp.entraAuthority('contoso'),
      instanceDiscovery: idp.instanceDiscoveryUrl,
      verify: idp.caPath,
    });
    const redirectUri = 'http://localhost/callback';
    const url = await cca.getAuthorizationRequestUrl([API_READ], { redirectUri, state: 'legacy-state', nonce: 'raw-nonce-1' });
    const sent = new URL(url).searchParams;
    expect(sent.get('nonce')).toBe('raw-nonce-1');
    expect(sent.get('code_challenge')).toBeNull();
    const redirected = new URL(await completeAuthorization(browser!, url, alice(), redirectUri));
    expect(redirected.searchParams.get('state')).toBe('legacy-state');
    const code = redirected.searchParams.get('code')!;
    const result = (await cca.acquireTokenByAuthorizationCode(code, [API_READ], { redirectUri, nonce: 'raw-nonce-1' })) as TokenSuccess;
    expect(result.error).toBeUndefined();
    expect(result.id_token_claims?.nonce).toBe('raw-nonce-1');
    expect((await cca.getAccounts()).map((a) => a.username)).toEqual([alice().username]);
  });
});

withBrowser('generic OpenID Connect issuer', () => {
  it('signs in, hits the cache, and refreshes', async () => {
    const cache = new SerializableTokenCache();
    const app = oidcApp(cache);
    const flow = await app.initiateAuthCodeFlow([API_READ], { redirectUri: 'http://127.0.0.1:53118' });
    const redirected = await completeAuthorization(browser!, flow.auth_uri, alice(), 'http://127.0.0.1:53118');
    const params = Object.fromEntries(new URL(redirected).searchParams);
    const result = (await app.acquireTokenByAuthCodeFlow(flow, params)) as TokenSuccess;
    expect(result.error).toBeUndefined();
    expect(result.id_token_claims?.iss).toBe(idp.oidcIssuer);
    const [account] = await app.getAccounts();
    expect(account?.home_account_id).toBe(result.id_token_claims?.sub);
    idp.resetRequestCount();
    expect((await app.acquireTokenSilent([API_READ], account!))?.token_source).toBe('cache');
    expect(idp.requestCount()).toBe(0);
    expireAccessTokens(cache);
    const refreshed = await app.acquireTokenSilent([API_READ], account!);
    expect(refreshed?.token_source).toBe('identity_provider');
    expect(idp.requestCount()).toBe(1);
  });

  it('openBrowser against a generic issuer redirects to http://127.0.0.1:{port}/ (RFC 8252 §7.3)', async () => {
    const app = oidcApp();
    let redirectUri = '';
    const result = await app.acquireTokenInteractive([API_READ], {
      openBrowser: async (url) => {
        redirectUri = new URL(url).searchParams.get('redirect_uri') ?? '';
        const context = await newLoopbackContext(browser!);
        const page = await context.newPage();
        await page.goto(url);
        await signInThroughLoginPage(page, alice());
        await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/$/);
        // The landing page took the code out of the address bar.
        expect(page.url()).not.toContain('code=');
        await context.close();
      },
      timeout: 60_000,
    });
    expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(result.error).toBeUndefined();
  });

  it('rfc9207: the provider advertises iss; a response naming another issuer, or none, is refused and its code never redeemed', async () => {
    const cache = new SerializableTokenCache();
    const app = oidcApp(cache);
    expect((await app.authority()).metadata['authorization_response_iss_parameter_supported']).toBe(true);
    const tampered = (change: (url: URL) => void): AuthorizationBroker => ({
      open: async (url, redirectUri) => {
        const redirected = new URL(await completeAuthorization(browser!, url, alice(), redirectUri));
        // The real provider sent its own issuer; a mix-up attacker would send another.
        expect(redirected.searchParams.get('iss')).toBe(idp.oidcIssuer);
        change(redirected);
        return redirected.toString();
      },
    });
    idp.resetRequestCount();
    await expect(app.acquireTokenInteractive([API_READ], {
      broker: tampered((url) => url.searchParams.set('iss', idp.entraIssuer())),
      redirectUri: 'http://127.0.0.1:53120',
    })).rejects.toMatchObject({ code: 'issuer_mismatch' });
    await expect(app.acquireTokenInteractive([API_READ], {
      broker: tampered((url) => url.searchParams.delete('iss')),
      redirectUri: 'http://127.0.0.1:53120',
    })).rejects.toMatchObject({ code: 'issuer_missing' });
    expect(idp.requestCount('/token')).toBe(0);
    expect(JSON.parse(cache.serialize())).toEqual({});
  });

  it('a replayed authorization response is refused by state, and a reused code by the provider', async () => {
    const app = oidcApp();
    const flow = await app.initiateAuthCodeFlow([API_READ], { redirectUri: 'http://127.0.0.1:53119' });
    const redirected = await completeAuthorization(browser!, flow.auth_uri, bob(), 'http://127.0.0.1:53119');
    const params = Object.fromEntries(new URL(redirected).searchParams);
    const other = await app.initiateAuthCodeFlow([API_READ], { redirectUri: 'http://127.0.0.1:53119' });
    await expect(app.acquireTokenByAuthCodeFlow(other, params)).rejects.toMatchObject({ code: 'state_mismatch' });
    expect((await app.acquireTokenByAuthCodeFlow(flow, params)).error).toBeUndefined();
    const replay = await app.acquireTokenByAuthCodeFlow(flow, params);
    expect(replay.error).toBe('invalid_grant');
  });
});
