/**
 * The silent cache-hit memo (main/auth/hit-memo.ts): a repeated hit answers as the full silent
 * algorithm would, and the memo never outlives a cache change, new tokens, a removed account,
 * the token entering the expiry skew, its refresh_on, or another token's expiry.
 *
 * Each answer is compared with a fresh application on the same cache (no memo: the full search).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PublicClientApplication, SerializableTokenCache } from '../../../main/auth';
import type { Account, TokenSuccess } from '../../../main/auth';
import { hashNonce } from '../../../main/auth/pkce';
import { jsonResponse } from '../../support/recording-http-client';
import { CLIENT_ID, clientInfo, createFakeEntra } from '../../support/fake-entra';
import type { FakeEntra } from '../../support/fake-entra';

let entra: FakeEntra;
let cache: SerializableTokenCache;
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

function publicApp(): PublicClientApplication {
  return new PublicClientApplication(CLIENT_ID, { authority: entra.authority, httpClient: entra.http, tokenCache: cache });
}

async function signIn(app: PublicClientApplication, overrides: Record<string, unknown> = {}): Promise<Account> {
  const flow = await app.initiateAuthCodeFlow(['User.Read'], { redirectUri: 'http://localhost:1234' });
  entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse(overrides, { nonce: hashNonce(flow.nonce) })));
  const result = await app.acquireTokenByAuthCodeFlow(flow, { code: 'the-code', state: flow.state, client_info: clientInfo() });
  expect(result.error).toBeUndefined();
  return (await app.getAccounts())[0]!;
}

/** What the full silent algorithm answers now: a new application has no memo. */
async function fullPath(account: Account, scopes: readonly string[] = ['User.Read']): Promise<TokenSuccess | null> {
  return publicApp().acquireTokenSilent(scopes, account);
}

function advance(seconds: number): void {
  vi.setSystemTime(Date.now() + seconds * 1000);
}

type CacheJson = Record<string, Record<string, Record<string, string>>>;

/** Adds a copy of the account's access token for other scopes, with its own secret and expiry. */
function addAccessToken(target: string, secret: string, expiresOnFromNow: number): void {
  const data = JSON.parse(cache.serialize()) as CacheJson;
  const [template] = Object.values(data['AccessToken']!);
  const entry = { ...template!, target, secret, expires_on: String(Math.floor(Date.now() / 1000) + expiresOnFromNow) };
  data['AccessToken']![cache.keyOf('AccessToken', entry)] = entry;
  cache.deserialize(JSON.stringify(data));
}

beforeEach(async () => {
  entra = await createFakeEntra();
  cache = new SerializableTokenCache();
  // Only Date is faked: the sign-in's ID token is made and checked at T0, then the clock moves by hand.
  vi.useFakeTimers({ toFake: ['Date'], now: T0 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('silent cache-hit memo', () => {
  it('answers repeated hits as the full search does, with expires_in counting down, no request, every hit counted', async () => {
    const app = publicApp();
    const account = await signIn(app);
    const posts = entra.tokenPosts().length;
    const first = await app.acquireTokenSilent(['User.Read'], account);
    const second = await app.acquireTokenSilent(['User.Read'], account);
    expect(second).toEqual(first);
    expect(second).not.toBe(first); // a fresh object each time: a caller may change its copy
    expect(Object.keys(second!)).toEqual(['access_token', 'token_type', 'expires_in', 'token_source']);
    advance(100);
    const later = await app.acquireTokenSilentWithError(['User.Read'], account);
    expect(later).toEqual(await fullPath(account));
    expect(later).toMatchObject({ access_token: first!.access_token, expires_in: (first!.expires_in as number) - 100, token_source: 'cache' });
    expect(entra.tokenPosts().length).toBe(posts);
    // Three hits by this app, counted in the next token request's telemetry as MSAL does.
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse()));
    await app.acquireTokenSilent(['User.Read'], account, { forceRefresh: true });
    expect(entra.tokenPosts().at(-1)!.headers['x-client-last-telemetry']).toMatch(/^4\|3\|/);
  });

  it('serves the new token after a refresh writes one to the cache', async () => {
    const app = publicApp();
    const account = await signIn(app);
    const old = await app.acquireTokenSilent(['User.Read'], account);
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({ access_token: 'at-new' })));
    const refreshed = await app.acquireTokenSilent(['User.Read'], account, { forceRefresh: true });
    expect(refreshed).toMatchObject({ access_token: 'at-new', token_source: 'identity_provider' });
    const hit = await app.acquireTokenSilent(['User.Read'], account);
    expect(hit).toMatchObject({ access_token: 'at-new', token_source: 'cache' });
    expect(hit!.access_token).not.toBe(old!.access_token);
  });

  it('answers nothing from the memo once the account is removed', async () => {
    const app = publicApp();
    const account = await signIn(app);
    expect(await app.acquireTokenSilent(['User.Read'], account)).not.toBeNull();
    await app.removeAccount(account);
    const posts = entra.tokenPosts().length;
    expect(await app.acquireTokenSilent(['User.Read'], account)).toBeNull();
    expect(entra.tokenPosts().length).toBe(posts);
  });

  it('follows a cache that was changed or reloaded behind its back', async () => {
    const app = publicApp();
    const account = await signIn(app);
    await app.acquireTokenSilent(['User.Read'], account);
    // The access token removed directly from the cache: the next call must refresh.
    const [at] = cache.search('AccessToken', {});
    cache.removeAt(at!);
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({ access_token: 'at-after-removal' })));
    expect(await app.acquireTokenSilent(['User.Read'], account)).toMatchObject({ access_token: 'at-after-removal', token_source: 'identity_provider' });
    // A reload with another secret under the same key.
    const data = JSON.parse(cache.serialize()) as CacheJson;
    for (const entry of Object.values(data['AccessToken']!)) entry['secret'] = 'at-reloaded';
    cache.deserialize(JSON.stringify(data));
    expect(await app.acquireTokenSilent(['User.Read'], account)).toMatchObject({ access_token: 'at-reloaded', token_source: 'cache' });
  });

  it('refreshes once the memoized token enters the 5-minute skew, with no change to the cache', async () => {
    const app = publicApp();
    const account = await signIn(app); // expires_in 3600
    expect(await app.acquireTokenSilent(['User.Read'], account)).toMatchObject({ token_source: 'cache' });
    advance(3600 - 300); // exactly 300 s left: still a hit
    expect(await app.acquireTokenSilent(['User.Read'], account)).toMatchObject({ token_source: 'cache', expires_in: 300 });
    advance(1);
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({ access_token: 'at-skew' })));
    const posts = entra.tokenPosts().length;
    expect(await app.acquireTokenSilent(['User.Read'], account)).toMatchObject({ access_token: 'at-skew', token_source: 'identity_provider' });
    expect(entra.tokenPosts().length).toBe(posts + 1);
    expect(entra.tokenPosts().at(-1)!.headers['x-client-current-telemetry']).toBe('4|84,3|');
  });

  it('refreshes proactively once refresh_on passes', async () => {
    const app = publicApp();
    const account = await signIn(app, { refresh_in: 600 });
    expect(await app.acquireTokenSilent(['User.Read'], account)).toMatchObject({ token_source: 'cache', refresh_on: T0 / 1000 + 600 });
    advance(600);
    expect(await app.acquireTokenSilent(['User.Read'], account)).toMatchObject({ token_source: 'cache' });
    advance(1);
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({ access_token: 'at-aging' })));
    expect(await app.acquireTokenSilent(['User.Read'], account)).toMatchObject({ access_token: 'at-aging', token_source: 'identity_provider' });
    expect(entra.tokenPosts().at(-1)!.headers['x-client-current-telemetry']).toBe('4|84,4|');
  });

  it('still purges another access token that expired, as every search does', async () => {
    const app = publicApp();
    const account = await signIn(app);
    addAccessToken('Mail.Read', 'at-mail', 60);
    await app.acquireTokenSilent(['User.Read'], account);
    cache.serialize(); // resets hasStateChanged
    advance(61);
    expect(await app.acquireTokenSilent(['User.Read'], account)).toMatchObject({ token_source: 'cache' });
    expect(cache.hasStateChanged).toBe(true);
    expect(cache.search('AccessToken', {}).map((at) => at.secret)).not.toContain('at-mail');
  });

  it('picks again when the clock goes back and an earlier-preferred token is valid again', async () => {
    const app = publicApp();
    const account = await signIn(app);
    // The exact-scope token (preferred) leaves the skew in 150 s; a wider one lasts an hour.
    const data = JSON.parse(cache.serialize()) as CacheJson;
    for (const entry of Object.values(data['AccessToken']!)) entry['expires_on'] = String(T0 / 1000 + 450);
    cache.deserialize(JSON.stringify(data));
    addAccessToken('Mail.Read openid User.Read', 'at-wide', 3600);
    const preferred = await app.acquireTokenSilent(['User.Read'], account);
    advance(200); // the preferred one is inside the skew now: the wide one is chosen
    const wide = await app.acquireTokenSilent(['User.Read'], account);
    expect(wide).toMatchObject({ access_token: 'at-wide', token_source: 'cache' });
    advance(-200);
    const back = await app.acquireTokenSilent(['User.Read'], account);
    expect(back).toMatchObject({ access_token: preferred!.access_token });
    expect(back).toEqual(await fullPath(account));
  });

  it('answers for the scopes asked now when the caller changes its array, or passes the same scopes otherwise', async () => {
    const app = publicApp();
    const account = await signIn(app);
    addAccessToken('Mail.Read', 'at-mail', 3600);
    const scopes = ['User.Read'];
    expect(await app.acquireTokenSilent(scopes, account)).not.toMatchObject({ access_token: 'at-mail' });
    scopes[0] = 'Mail.Read';
    expect(await app.acquireTokenSilent(scopes, account)).toMatchObject({ access_token: 'at-mail' });
    expect(await app.acquireTokenSilent(new Set(['Mail.Read']) as unknown as string[], account)).toMatchObject({ access_token: 'at-mail' });
    // A list that is not all strings is refused as before, memo or not.
    await expect(app.acquireTokenSilentWithError(['Mail.Read', 42] as unknown as string[], account)).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
