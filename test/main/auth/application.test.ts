import { beforeEach, describe, expect, it } from 'vitest';
import {
  AuthorityError,
  AuthResponseError,
  ClientApplication,
  ConfidentialClientApplication,
  IdTokenError,
  InvalidArgumentError,
  PublicClientApplication,
  SerializableTokenCache,
  TransportError,
} from '../../../main/auth';
import type { Account, TokenSuccess } from '../../../main/auth';
import { hashNonce } from '../../../main/auth/pkce';
import { jsonResponse, textResponse } from '../../support/recording-http-client';
import { CLIENT_ID, TENANT_ID, clientInfo, createFakeEntra } from '../../support/fake-entra';
import type { FakeEntra } from '../../support/fake-entra';

let entra: FakeEntra;
let cache: SerializableTokenCache;

function publicApp(extra: Record<string, unknown> = {}): PublicClientApplication {
  return new PublicClientApplication(CLIENT_ID, { authority: entra.authority, httpClient: entra.http, tokenCache: cache, ...extra });
}

/** Sign in through the auth code flow with scripted server answers; returns the app and account. */
async function signIn(app: PublicClientApplication, responseOverrides: Record<string, unknown> = {}): Promise<Account> {
  const flow = await app.initiateAuthCodeFlow(['User.Read'], { redirectUri: 'http://localhost:1234' });
  const body = await entra.tokenResponse(responseOverrides, { nonce: hashNonce(flow.nonce) });
  entra.http.onPost(entra.tokenEndpoint, jsonResponse(body));
  const result = await app.acquireTokenByAuthCodeFlow(flow, { code: 'the-code', state: flow.state, client_info: clientInfo() });
  expect(result.error).toBeUndefined();
  const accounts = await app.getAccounts();
  expect(accounts.map((a) => a.home_account_id)).toEqual(['uid.utid']);
  return accounts[0]!;
}

/** Move every cached AT's expiry `seconds` from now. */
function setAccessTokenExpiry(seconds: number, refreshOnFromNow?: number): void {
  const now = Math.floor(Date.now() / 1000);
  const data = JSON.parse(cache.serialize()) as Record<string, Record<string, Record<string, string>>>;
  for (const at of Object.values(data['AccessToken'] ?? {})) {
    at['expires_on'] = String(now + seconds);
    if (refreshOnFromNow !== undefined) at['refresh_on'] = String(now + refreshOnFromNow);
  }
  cache.deserialize(JSON.stringify(data));
}

beforeEach(async () => {
  entra = await createFakeEntra();
  cache = new SerializableTokenCache();
});

describe('API surface', () => {
  it('keeps MSAL\'s API ids as static properties', () => {
    expect(ClientApplication.ACQUIRE_TOKEN_SILENT_ID).toBe('84');
    expect(ClientApplication.ACQUIRE_TOKEN_BY_REFRESH_TOKEN).toBe('85');
    expect(ClientApplication.ACQUIRE_TOKEN_BY_USERNAME_PASSWORD_ID).toBe('301');
    expect(ClientApplication.ACQUIRE_TOKEN_ON_BEHALF_OF_ID).toBe('523');
    expect(ClientApplication.ACQUIRE_TOKEN_BY_DEVICE_FLOW_ID).toBe('622');
    expect(ClientApplication.ACQUIRE_TOKEN_FOR_CLIENT_ID).toBe('730');
    expect(ClientApplication.ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID).toBe('832');
    expect(ClientApplication.ACQUIRE_TOKEN_INTERACTIVE).toBe('169');
    expect(ClientApplication.GET_ACCOUNTS_ID).toBe('902');
    expect(ClientApplication.REMOVE_ACCOUNT_ID).toBe('903');
    expect(ClientApplication.ATTEMPT_REGION_DISCOVERY).toBe(true);
  });

  it('refuses credentials on a public client and their absence on a confidential one', () => {
    expect(() => new PublicClientApplication('id', { clientCredential: 'secret' } as never)).toThrow(InvalidArgumentError);
    expect(() => new ConfidentialClientApplication('id', {})).toThrow(InvalidArgumentError);
    expect(() => new PublicClientApplication('id', { authority: 'https://a/b', oidcAuthority: 'https://c' })).toThrow(/not both/);
  });

  it('refuses a non-https authority before any request', () => {
    const insecure = () => new PublicClientApplication('id', { authority: 'http://login.microsoftonline.com/common', httpClient: entra.http });
    expect(insecure).toThrow(AuthorityError);
    expect(insecure).toThrow(expect.objectContaining({ code: 'invalid_authority' }));
    expect(entra.http.requests).toHaveLength(0);
  });
});

describe('authorization code flow', () => {
  it('builds the authorize URL as MSAL does', async () => {
    const app = publicApp({ clientCapabilities: ['CP1'] });
    const flow = await app.initiateAuthCodeFlow(['User.Read'], {
      redirectUri: 'http://localhost:1234',
      loginHint: 'john@contoso.com',
      maxAge: 3600,
      state: 'fixedstate',
    });
    const url = new URL(flow.auth_uri);
    expect(`${url.origin}${url.pathname}`).toBe(`https://login.microsoftonline.com/${TENANT_ID}/oauth2/v2.0/authorize`);
    const p = url.searchParams;
    expect(p.get('client_id')).toBe(CLIENT_ID);
    expect(p.get('response_type')).toBe('code');
    expect(p.get('redirect_uri')).toBe('http://localhost:1234');
    expect(p.get('scope')).toBe('User.Read offline_access openid profile');
    expect(p.get('state')).toBe('fixedstate');
    expect(p.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('nonce')).toBe(hashNonce(flow.nonce));
    expect(p.get('client_info')).toBe('1');
    expect(p.get('login_hint')).toBe('john@contoso.com');
    expect(p.get('X-AnchorMailbox')).toBe('UPN:john@contoso.com');
    expect(p.get('claims')).toBe('{"access_token": {"xms_cc": {"values": ["CP1"]}}}');
    expect(p.get('max_age')).toBe('3600');
    expect(flow.nonce).toMatch(/^[A-Za-z]{16}$/);
    expect(flow.code_verifier).toHaveLength(43);
    expect(flow.scope).toEqual(['User.Read', 'offline_access', 'openid', 'profile']);
  });

  it('redeems the code with the body, headers and telemetry MSAL sends', async () => {
    const app = publicApp({ appName: 'tessera-tests', appVersion: '1.0' });
    await signIn(app);
    const [post] = entra.tokenPosts();
    expect(post!.data).toMatchObject({
      client_id: CLIENT_ID,
      grant_type: 'authorization_code',
      client_info: '1',
      code: 'the-code',
      redirect_uri: 'http://localhost:1234',
      scope: 'User.Read offline_access openid profile',
    });
    expect(post!.data['code_verifier']).toHaveLength(43);
    expect(post!.headers).toMatchObject({
      Accept: 'application/json',
      'x-ms-lib-capability': 'retry-after, h429',
      'x-app-name': 'tessera-tests',
      'x-app-ver': '1.0',
      'x-client-current-telemetry': '4|832,0|',
      'x-client-last-telemetry': '4|0|||',
      'X-AnchorMailbox': 'Oid:uid@utid',
    });
    expect(post!.headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('returns the token response with verified claims and caches it', async () => {
    const app = publicApp();
    const flow = await app.initiateAuthCodeFlow(['User.Read'], { redirectUri: 'http://localhost:1234' });
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({}, { nonce: hashNonce(flow.nonce) })));
    const result = (await app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: flow.state })) as TokenSuccess;
    expect(result.token_source).toBe('identity_provider');
    expect(result.id_token_claims?.preferred_username).toBe('john@contoso.com');
    const accounts = await app.getAccounts();
    expect(accounts).toEqual([
      {
        home_account_id: 'uid.utid',
        environment: 'login.microsoftonline.com',
        username: 'john@contoso.com',
        account_source: 'authorization_code',
        authority_type: 'MSSTS',
        local_account_id: 'object1234',
        realm: TENANT_ID,
      },
    ]);
  });

  it('throws typed errors on missing or mismatched state and touches nothing', async () => {
    const app = publicApp();
    const flow = await app.initiateAuthCodeFlow(['User.Read']);
    await expect(app.acquireTokenByAuthCodeFlow({ ...flow, state: '' }, { code: 'c' })).rejects.toMatchObject({ code: 'state_missing' });
    await expect(app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: 'other' })).rejects.toBeInstanceOf(AuthResponseError);
    await expect(app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: 'other' })).rejects.toMatchObject({ code: 'state_mismatch' });
    await expect(app.acquireTokenByAuthCodeFlow(flow, { state: flow.state })).rejects.toMatchObject({ code: 'invalid_auth_response' });
    await expect(app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: flow.state }, ['Mail.Read'])).rejects.toMatchObject({ code: 'scope_mismatch' });
    expect(entra.tokenPosts()).toHaveLength(0);
    expect(cache.hasStateChanged).toBe(false);
  });

  it('returns a redirect error as a value with only the error fields', async () => {
    const app = publicApp();
    const flow = await app.initiateAuthCodeFlow(['User.Read']);
    const result = await app.acquireTokenByAuthCodeFlow(flow, {
      state: flow.state,
      error: 'access_denied',
      error_description: 'The user said no',
      access_token: 'injected-by-an-attacker',
    });
    expect(result).toEqual({ error: 'access_denied', error_description: 'The user said no' });
  });

  it('rejects a nonce mismatch and leaves the cache untouched', async () => {
    const app = publicApp();
    const flow = await app.initiateAuthCodeFlow(['User.Read']);
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({}, { nonce: hashNonce('someone-else') })));
    await expect(app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: flow.state })).rejects.toMatchObject({ code: 'nonce_mismatch' });
    expect(cache.hasStateChanged).toBe(false);
    expect(JSON.parse(cache.serialize())).toEqual({});
  });

  it('checks auth_time against max_age', async () => {
    const app = publicApp();
    const flow = await app.initiateAuthCodeFlow(['User.Read'], { maxAge: 60 });
    const stale = Math.floor(Date.now() / 1000) - 3600;
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({}, { nonce: hashNonce(flow.nonce), auth_time: stale })));
    await expect(app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: flow.state })).rejects.toMatchObject({ code: 'max_age_violation' });
  });
});

describe('ID token verification', () => {
  async function redeemWith(idToken: string): Promise<unknown> {
    const app = publicApp();
    const flow = await app.initiateAuthCodeFlow(['User.Read']);
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({ id_token: idToken })));
    return app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: flow.state }).catch((e: unknown) => e);
  }

  it('rejects a token signed by another key', async () => {
    const error = await redeemWith(await entra.idToken({}, { key: entra.strangerKey }));
    expect(error).toBeInstanceOf(IdTokenError);
    expect(error).toMatchObject({ code: 'id_token_signature' });
  });

  it('rejects a tampered payload', async () => {
    const [h, , s] = (await entra.idToken()).split('.');
    const forged = Buffer.from(JSON.stringify({ iss: entra.issuer, aud: CLIENT_ID, sub: 'admin', exp: 9999999999, iat: 1 })).toString('base64url');
    expect(await redeemWith(`${h}.${forged}.${s}`)).toMatchObject({ code: 'id_token_signature' });
  });

  it('rejects an expired token, another audience, another issuer', async () => {
    const old = Math.floor(Date.now() / 1000) - 7200;
    expect(await redeemWith(await entra.idToken({ exp: old, iat: old - 60 }))).toMatchObject({ code: 'id_token_expired' });
    expect(await redeemWith(await entra.idToken({ aud: 'another-app' }))).toMatchObject({ code: 'id_token_audience' });
    expect(await redeemWith(await entra.idToken({ iss: 'https://evil.example/v2.0' }))).toMatchObject({ code: 'id_token_issuer' });
    expect(JSON.parse(cache.serialize())).toEqual({});
  });

  it('rejects a token that is not a JWT', async () => {
    expect(await redeemWith('not-a-jwt')).toMatchObject({ code: 'id_token_invalid' });
  });

  it('rejects an unsigned (alg "none") token carrying valid claims', async () => {
    const [, payload] = (await entra.idToken()).split('.');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    const error = await redeemWith(unsigned);
    expect(error).toBeInstanceOf(IdTokenError);
    expect(error).toMatchObject({ code: 'id_token_invalid' });
  });

  it('rejects a token not valid yet, one without sub, and max_age without auth_time', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await redeemWith(await entra.idToken({ nbf: now + 3600 }))).toMatchObject({ code: 'id_token_invalid' });
    expect(await redeemWith(await entra.idToken({ sub: undefined }))).toMatchObject({ code: 'id_token_invalid' });
    const app = publicApp();
    const flow = await app.initiateAuthCodeFlow(['User.Read'], { maxAge: 600 });
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({}, { nonce: hashNonce(flow.nonce) })));
    await expect(app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: flow.state })).rejects.toMatchObject({ code: 'max_age_violation' });
    expect(JSON.parse(cache.serialize())).toEqual({});
  });

  it('accepts a token that expired within the 120 s clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    const app = publicApp();
    const flow = await app.initiateAuthCodeFlow(['User.Read']);
    const claims = { nonce: hashNonce(flow.nonce), exp: now - 60, iat: now - 3660, nbf: now - 3660 };
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({}, claims)));
    const result = await app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: flow.state });
    expect(result).toMatchObject({ token_source: 'identity_provider', id_token_claims: { preferred_username: 'john@contoso.com' } });
  });
});

describe('malformed responses', () => {
  async function redeemAgainst(response: Parameters<typeof entra.http.onPost>[1]): Promise<unknown> {
    const app = publicApp();
    const flow = await app.initiateAuthCodeFlow(['User.Read']);
    entra.http.onPost(entra.tokenEndpoint, response);
    return app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: flow.state }).catch((e: unknown) => e);
  }

  it('turns an HTML page, bad JSON, a bare 5xx and a missing token into typed errors', async () => {
    const html = await redeemAgainst(textResponse('<html><body>Proxy error</body></html>', 502, { 'content-type': 'text/html' }));
    expect(html).toBeInstanceOf(TransportError);
    expect(await redeemAgainst(textResponse('{"access_token": ', 200))).toMatchObject({ code: 'malformed_response' });
    expect(await redeemAgainst(textResponse('', 503))).toBeInstanceOf(TransportError);
    expect(await redeemAgainst(jsonResponse({ token_type: 'Bearer', expires_in: 3600 }))).toMatchObject({ code: 'malformed_response' });
    expect(await redeemAgainst(jsonResponse({ access_token: 'x', expires_in: 'soon' }))).toMatchObject({ code: 'malformed_response' });
    expect(JSON.parse(cache.serialize())).toEqual({});
  });

  it('never puts a token in an error message', async () => {
    const error = (await redeemAgainst(jsonResponse({ refresh_token: 'rt-secret-value', expires_in: 1 }))) as Error;
    expect(error).toMatchObject({ code: 'malformed_response' });
    expect(error.message).not.toContain('rt-secret-value');
  });

  it('returns an OAuth error as a value without secrets', async () => {
    const result = await redeemAgainst(jsonResponse({ error: 'invalid_grant', error_description: 'AADSTS70008: expired', refresh_token: 'leak' }, 400));
    expect(result).toEqual({ error: 'invalid_grant', error_description: 'AADSTS70008: expired' });
  });
});

describe('silent acquisition', () => {
  it('returns null for no account and for an empty cache', async () => {
    const app = publicApp({ validateAuthority: false });
    expect(await app.acquireTokenSilent(['User.Read'], null)).toBeNull();
    const ghost = { home_account_id: 'nobody.utid', environment: 'login.microsoftonline.com' } as Account;
    expect(await app.acquireTokenSilentWithError(['User.Read'], ghost)).toBeNull();
  });

  it('serves a cache hit with zero HTTP requests', async () => {
    const app = publicApp();
    const account = await signIn(app);
    const before = entra.http.requests.length;
    const hit = await app.acquireTokenSilent(['User.Read'], account);
    expect(hit).toMatchObject({ token_type: 'Bearer', token_source: 'cache' });
    expect(Object.keys(hit!).sort()).toEqual(['access_token', 'expires_in', 'token_source', 'token_type']);
    expect(entra.http.requests.length).toBe(before);
  });

  it('refreshes an AT inside the 5-minute skew with exactly one request and updates the RT in place', async () => {
    const app = publicApp();
    const account = await signIn(app);
    const rtKeysBefore = Object.keys(JSON.parse(cache.serialize())['RefreshToken']);
    setAccessTokenExpiry(200);
    const refreshed = await entra.tokenResponse({ refresh_token: 'rt-rotated' });
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(refreshed));
    const before = entra.http.requests.length;
    const result = await app.acquireTokenSilent(['User.Read'], account);
    expect(entra.http.requests.length - before).toBe(1);
    expect(result?.token_source).toBe('identity_provider');
    expect(result?.refresh_token).toBeUndefined();
    const post = entra.tokenPosts().at(-1)!;
    expect(post.data['grant_type']).toBe('refresh_token');
    expect(post.headers['x-client-current-telemetry']).toBe('4|84,3|');
    expect(post.headers['X-AnchorMailbox']).toBe('Oid:uid@utid');
    const rts = JSON.parse(cache.serialize())['RefreshToken'] as Record<string, { secret: string }>;
    expect(Object.keys(rts)).toEqual(rtKeysBefore);
    expect(Object.values(rts)[0]!.secret).toBe('rt-rotated');
  });

  it('refreshes proactively after refresh_on and falls back to the old AT when that fails', async () => {
    const app = publicApp();
    const account = await signIn(app);
    setAccessTokenExpiry(3000, -10);
    entra.http.onPost(entra.tokenEndpoint, () => {
      throw new TransportError('network_error', 'connection refused');
    });
    const result = await app.acquireTokenSilent(['User.Read'], account);
    expect(result).toMatchObject({ token_source: 'cache' });
    expect(entra.tokenPosts().at(-1)!.headers['x-client-current-telemetry']).toBe('4|84,4|');
  });

  it('keeps the RT on invalid_grant, returns the error, and does not repeat it within 60 s', async () => {
    const app = publicApp();
    const account = await signIn(app);
    setAccessTokenExpiry(-10);
    entra.http.onPost(entra.tokenEndpoint, jsonResponse({ error: 'invalid_grant', error_description: 'AADSTS50173: revoked', suberror: 'bad_token' }, 400));
    const first = await app.acquireTokenSilentWithError(['User.Read'], account);
    expect(first).toMatchObject({ error: 'invalid_grant', classification: '' });
    expect(Object.keys(JSON.parse(cache.serialize())['RefreshToken'])).toHaveLength(1);
    const posts = entra.tokenPosts().length;
    expect(await app.acquireTokenSilent(['User.Read'], account)).toBeNull();
    expect(entra.tokenPosts().length).toBe(posts); // answered from the 400 cache
  });

  it('forceRefresh and a claims challenge skip the AT cache', async () => {
    const app = publicApp({ clientCapabilities: ['CP1'] });
    const account = await signIn(app);
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse()));
    await app.acquireTokenSilent(['User.Read'], account, { forceRefresh: true });
    expect(entra.tokenPosts().at(-1)!.headers['x-client-current-telemetry']).toBe('4|84,1|');
    await app.acquireTokenSilent(['User.Read'], account, { claimsChallenge: '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}' });
    expect(entra.tokenPosts().at(-1)!.data['claims']).toBe('{"access_token": {"acrs": {"essential": true, "value": "c1"}, "xms_cc": {"values": ["CP1"]}}}');
  });

  it('uses a family refresh token for another app of the family', async () => {
    const first = publicApp();
    const account = await signIn(first, { foci: '1' });
    const sibling = new PublicClientApplication('sibling_app', { authority: entra.authority, httpClient: entra.http, tokenCache: cache });
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({ foci: '1' }, { aud: 'sibling_app' })));
    const result = await sibling.acquireTokenSilent(['User.Read'], account);
    expect(result?.token_source).toBe('identity_provider');
    expect(entra.tokenPosts().at(-1)!.data['client_id']).toBe('sibling_app');
  });
});

describe('accounts', () => {
  it('filters by username case-insensitively and removes an account\'s tokens', async () => {
    const app = publicApp();
    const account = await signIn(app);
    expect(await app.getAccounts('JOHN@contoso.com')).toHaveLength(1);
    expect(await app.getAccounts('someone@else')).toHaveLength(0);
    await app.removeAccount(account);
    const left = JSON.parse(cache.serialize());
    expect(Object.keys(left['AccessToken'] ?? {})).toHaveLength(0);
    expect(Object.keys(left['RefreshToken'] ?? {})).toHaveLength(0);
    expect(Object.keys(left['IdToken'] ?? {})).toHaveLength(0);
    expect(Object.keys(left['Account'] ?? {})).toHaveLength(0);
    expect(Object.keys(left['AppMetadata'])).toHaveLength(1);
    await expect(app.removeAccount({} as Account)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('other grants', () => {
  it('ROPC asks user realm discovery, then posts the password grant with the UPN anchor', async () => {
    const app = publicApp();
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse()));
    const result = await app.acquireTokenByUsernamePassword('john@contoso.com', 'pw', ['User.Read']);
    expect(result.error).toBeUndefined();
    const realm = entra.http.requestsOf('GET', 'https://login.microsoftonline.com/common/userrealm/');
    expect(realm).toHaveLength(1);
    const post = entra.tokenPosts().at(-1)!;
    expect(post.data).toMatchObject({ grant_type: 'password', username: 'john@contoso.com', scope: 'User.Read offline_access openid profile' });
    expect(post.headers['X-AnchorMailbox']).toBe('upn:john@contoso.com');
    expect(post.headers['client-request-id']).toBe(realm[0]!.headers['client-request-id']);
  });

  it('ROPC refuses federated accounts with a clear error', async () => {
    const app = publicApp();
    entra.http.onGet('https://login.microsoftonline.com/common/userrealm/', jsonResponse({ account_type: 'Federated' }));
    await expect(app.acquireTokenByUsernamePassword('john@contoso.com', 'pw', ['User.Read'])).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('client credentials: secret in the body, raw scopes, then a cache hit', async () => {
    const app = new ConfidentialClientApplication(CLIENT_ID, { clientCredential: 'shh', authority: entra.authority, httpClient: entra.http, tokenCache: cache });
    entra.http.onPost(entra.tokenEndpoint, jsonResponse({ token_type: 'Bearer', expires_in: 3600, access_token: 'app-token' }));
    const first = await app.acquireTokenForClient(['https://graph.microsoft.com/.default']);
    expect(first).toMatchObject({ access_token: 'app-token', token_source: 'identity_provider' });
    const post = entra.tokenPosts().at(-1)!;
    expect(post.data).toMatchObject({ grant_type: 'client_credentials', client_secret: 'shh', scope: 'https://graph.microsoft.com/.default' });
    expect(post.headers['x-client-current-telemetry']).toBe('4|730,2|');
    const second = await app.acquireTokenForClient(['https://graph.microsoft.com/.default']);
    expect(second).toMatchObject({ access_token: 'app-token', token_source: 'cache' });
    expect(entra.tokenPosts()).toHaveLength(1);
  });

  it('client credentials go to the regional endpoint and cache under the central host', async () => {
    const app = new ConfidentialClientApplication(CLIENT_ID, {
      clientCredential: 'shh',
      authority: entra.authority,
      httpClient: entra.http,
      tokenCache: cache,
      azureRegion: ClientApplication.ATTEMPT_REGION_DISCOVERY,
      imdsUrl: 'http://127.0.0.1:9/metadata/instance/compute/location',
    });
    entra.http.onGet('http://127.0.0.1:9/metadata/instance/compute/location', textResponse('westus'));
    const regionalBase = `https://westus.login.microsoft.com/${TENANT_ID}`;
    entra.http.onGet(`${regionalBase}/v2.0/.well-known/openid-configuration`, jsonResponse({
      issuer: entra.issuer,
      authorization_endpoint: `${regionalBase}/oauth2/v2.0/authorize`,
      token_endpoint: `${regionalBase}/oauth2/v2.0/token`,
      jwks_uri: `https://login.microsoftonline.com/${TENANT_ID}/discovery/v2.0/keys`,
    }));
    entra.http.onPost(`${regionalBase}/oauth2/v2.0/token`, jsonResponse({ token_type: 'Bearer', expires_in: 3600, access_token: 'regional-token' }));
    const result = await app.acquireTokenForClient(['api://x/.default']);
    expect(result).toMatchObject({ access_token: 'regional-token' });
    const imds = entra.http.requestsOf('GET', 'http://127.0.0.1:9/');
    expect(imds[0]!.headers['Metadata']).toBe('true');
    const at = Object.values(JSON.parse(cache.serialize())['AccessToken'])[0] as Record<string, string>;
    expect(at['environment']).toBe('login.microsoftonline.com');
    expect(entra.http.requests.every((r) => new URL(r.url).hostname.endsWith('microsoftonline.com') || new URL(r.url).hostname.endsWith('microsoft.com') || new URL(r.url).hostname === '127.0.0.1')).toBe(true);
  });

  it('on-behalf-of posts the jwt-bearer grant', async () => {
    const app = new ConfidentialClientApplication(CLIENT_ID, { clientCredential: 'shh', authority: entra.authority, httpClient: entra.http, tokenCache: cache });
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse()));
    await app.acquireTokenOnBehalfOf('incoming-user-token', ['api://downstream/read']);
    expect(entra.tokenPosts().at(-1)!.data).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: 'incoming-user-token',
      requested_token_use: 'on_behalf_of',
      scope: 'api://downstream/read offline_access openid profile',
    });
  });

  it('acquireTokenByRefreshToken adds the migrated RT as a new entry', async () => {
    const app = publicApp();
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({ refresh_token: 'rt-new' })));
    await app.acquireTokenByRefreshToken('rt-old', ['User.Read']);
    const post = entra.tokenPosts().at(-1)!;
    expect(post.data).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-old' });
    expect(post.headers['x-client-current-telemetry']).toBe('4|85,0|');
    const rts = Object.values(JSON.parse(cache.serialize())['RefreshToken']) as Array<{ secret: string }>;
    expect(rts.map((r) => r.secret)).toEqual(['rt-new']);
  });

  it('reports a failed call in the next request\'s last-telemetry header', async () => {
    const app = publicApp();
    entra.http.onPost(entra.tokenEndpoint, jsonResponse({ error: 'invalid_grant' }, 400));
    await app.acquireTokenByRefreshToken('rt-a', ['User.Read']);
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse()));
    await app.acquireTokenByRefreshToken('rt-b', ['User.Read']);
    const [failed, next] = entra.tokenPosts();
    expect(next!.headers['x-client-last-telemetry']).toBe(`4|0|85,${failed!.headers['client-request-id']}|invalid_grant|`);
  });
});

describe('protocol checks (issue 8)', () => {
  /** Replace the fake tenant's discovery document with `change(document)`. */
  async function changeDiscovery(change: (document: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
    const url = `https://${new URL(entra.authority).host}/contoso/v2.0/.well-known/openid-configuration`;
    const document = JSON.parse((await entra.http.get(url)).text) as Record<string, unknown>;
    entra.http.onGet(url, jsonResponse(change(document)));
  }

  async function redeem(app: PublicClientApplication, response: Record<string, string>, idClaims: Record<string, unknown> = {}): Promise<unknown> {
    const flow = await app.initiateAuthCodeFlow(['User.Read'], { redirectUri: 'http://localhost:1234' });
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({}, { nonce: hashNonce(flow.nonce), ...idClaims })));
    return app.acquireTokenByAuthCodeFlow(flow, { state: flow.state, ...response }).catch((e: unknown) => e);
  }

  it('rfc9207: an authorization response whose iss is another issuer is refused and its code never redeemed', async () => {
    const app = publicApp();
    const error = await redeem(app, { code: 'c', iss: 'https://evil.example/v2.0' });
    expect(error).toBeInstanceOf(AuthResponseError);
    expect(error).toMatchObject({ code: 'issuer_mismatch' });
    const errorResponse = await redeem(app, { error: 'access_denied', iss: 'https://evil.example/v2.0' });
    expect(errorResponse).toMatchObject({ code: 'issuer_mismatch' });
    expect(entra.tokenPosts()).toHaveLength(0);
    expect(JSON.parse(cache.serialize())).toEqual({});
  });

  it('rfc9207: a matching iss is accepted, also against an Entra {tenantid} issuer template', async () => {
    expect(await redeem(publicApp(), { code: 'c', iss: entra.issuer })).toMatchObject({ token_source: 'identity_provider' });
    await changeDiscovery((d) => ({ ...d, issuer: `https://${new URL(entra.authority).host}/{tenantid}/v2.0` }));
    const templated = publicApp();
    expect(await redeem(templated, { code: 'c', iss: entra.issuer })).toMatchObject({ token_source: 'identity_provider' });
    expect(await redeem(templated, { code: 'c', iss: `https://${new URL(entra.authority).host}/a/b/v2.0` })).toMatchObject({ code: 'issuer_mismatch' });
  });

  it('rfc9207: a response without iss is refused when discovery advertises authorization_response_iss_parameter_supported', async () => {
    await changeDiscovery((d) => ({ ...d, authorization_response_iss_parameter_supported: true }));
    const app = publicApp();
    expect(await redeem(app, { code: 'c' })).toMatchObject({ code: 'issuer_missing' });
    expect(entra.tokenPosts()).toHaveLength(0);
    expect(await redeem(app, { code: 'c', iss: entra.issuer })).toMatchObject({ token_source: 'identity_provider' });
  });

  it('a redirect with both error and code does not redeem the code', async () => {
    const app = publicApp();
    const result = await redeem(app, { code: 'the-code-value', error: 'access_denied', error_description: 'denied for the-code-value' });
    expect(result).toEqual({ error: 'access_denied', error_description: 'denied for [redacted]' });
    expect(entra.tokenPosts()).toHaveLength(0);
  });

  it('a non-2xx token answer that carries an access_token is an error and caches nothing', async () => {
    for (const status of [400, 401, 403, 302]) {
      const app = publicApp();
      const flow = await app.initiateAuthCodeFlow(['User.Read']);
      entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({}, { nonce: hashNonce(flow.nonce) }), status));
      const error = await app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: flow.state }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ code: 'http_error', status });
    }
    expect(JSON.parse(cache.serialize())).toEqual({});
  });

  it('error values keep whitelisted fields only: a token in any other field never comes back', async () => {
    const app = publicApp();
    const flow = await app.initiateAuthCodeFlow(['User.Read']);
    entra.http.onPost(entra.tokenEndpoint, jsonResponse({
      error: 'invalid_grant',
      error_description: 'AADSTS70000: bad grant',
      error_codes: [70000],
      trace_id: 'trace',
      correlation_id: 'corr',
      claims: { not: 'a string' },
      access_token: 'at-leak',
      refresh_token: 'rt-leak',
      token: 'opaque-leak',
      debug: { echoed: 'nested-leak' },
      session_state: 'state-leak',
    }, 400));
    const result = await app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: flow.state });
    expect(result).toEqual({ error: 'invalid_grant', error_description: 'AADSTS70000: bad grant', error_codes: [70000], trace_id: 'trace', correlation_id: 'corr' });
  });

  it('an error_description echoing the refresh token comes back with the token cut out (bug: Spring\'s "Invalid refresh token: <token>")', async () => {
    const app = publicApp();
    const account = await signIn(app);
    const rt = Object.values(JSON.parse(cache.serialize())['RefreshToken'] as Record<string, { secret: string }>)[0]!.secret;
    setAccessTokenExpiry(200);
    entra.http.onPost(entra.tokenEndpoint, jsonResponse({ error: 'invalid_grant', error_description: `Invalid refresh token: ${rt} (${encodeURIComponent(rt)})` }, 400));
    const result = await app.acquireTokenSilentWithError(['User.Read'], account);
    expect(result).toMatchObject({ error: 'invalid_grant', error_description: 'Invalid refresh token: [redacted] ([redacted])' });
    expect(JSON.stringify(result)).not.toContain(rt);
  });

  it('oidc core 12.2: a refresh whose ID token names another sub is refused and changes nothing', async () => {
    const app = publicApp();
    const account = await signIn(app);
    setAccessTokenExpiry(200);
    const before = cache.serialize();
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({ refresh_token: 'rt-rotated' }, { sub: 'someone-else' })));
    const error = await app.acquireTokenSilent(['User.Read'], account).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdTokenError);
    expect(error).toMatchObject({ code: 'subject_mismatch' });
    expect(cache.serialize()).toBe(before);
  });

  it('a refresh answered for another home account (client_info) is refused and changes nothing', async () => {
    const app = publicApp();
    const account = await signIn(app);
    setAccessTokenExpiry(200);
    const before = cache.serialize();
    entra.http.onPost(entra.tokenEndpoint, jsonResponse(await entra.tokenResponse({ client_info: clientInfo('other-uid', 'utid') })));
    await expect(app.acquireTokenSilent(['User.Read'], account)).rejects.toMatchObject({ code: 'subject_mismatch' });
    expect(cache.serialize()).toBe(before);
  });

  it('checks azp when aud has several values (OIDC Core 3.1.3.7)', async () => {
    const app = publicApp();
    expect(await redeem(app, { code: 'c' }, { aud: [CLIENT_ID, 'another-app'] })).toMatchObject({ code: 'id_token_audience' });
    expect(await redeem(app, { code: 'c' }, { aud: [CLIENT_ID, 'another-app'], azp: 'another-app' })).toMatchObject({ code: 'id_token_audience' });
    expect(await redeem(app, { code: 'c' }, { azp: 'another-app' })).toMatchObject({ code: 'id_token_audience' });
    expect(JSON.parse(cache.serialize())).toEqual({});
    expect(await redeem(app, { code: 'c' }, { aud: [CLIENT_ID, 'another-app'], azp: CLIENT_ID })).toMatchObject({ token_source: 'identity_provider' });
  });

  it('orphans: a sign-in that fails after the token answer writes nothing to the cache', async () => {
    const failures: [string, () => Promise<Record<string, unknown>>, string][] = [
      ['no ID token', async () => ({ ...(await entra.tokenResponse()), id_token: undefined }), 'id_token_missing'],
      ['a non-string sub', async () => entra.tokenResponse({}, { sub: 12345 }), 'id_token_invalid'],
      ['an ID token signed by a stranger', async () => entra.tokenResponse({ id_token: await entra.idToken({}, { key: entra.strangerKey }) }), 'id_token_signature'],
      ['an ID token that is not a JWT', async () => entra.tokenResponse({ id_token: 'not.a.jwt' }), 'id_token_invalid'],
      ['an ID token that is not a string', async () => entra.tokenResponse({ id_token: { sub: 'x' } }), 'malformed_response'],
    ];
    for (const [, answer, code] of failures) {
      const app = publicApp();
      const flow = await app.initiateAuthCodeFlow(['User.Read']);
      const body = await answer();
      entra.http.onPost(entra.tokenEndpoint, jsonResponse(body));
      await expect(app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: flow.state })).rejects.toMatchObject({ code });
      expect(cache.hasStateChanged).toBe(false);
      expect(JSON.parse(cache.serialize())).toEqual({});
    }
  });

  it('a jwks_uri that is not https, or not a URL, is a typed error before the user is sent to sign in', async () => {
    for (const jwksUri of ['http://login.microsoftonline.com/keys', 'not a url', 42]) {
      entra = await createFakeEntra();
      await changeDiscovery((d) => ({ ...d, jwks_uri: jwksUri }));
      let opened = 0;
      const app = publicApp();
      const error = await app
        .acquireTokenInteractive(['User.Read'], { broker: { open: async () => { opened += 1; return 'http://localhost:1234/?code=c'; } }, redirectUri: 'http://localhost:1234' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthorityError);
      expect(error).toMatchObject({ code: 'authority_discovery_failed' });
      expect(opened).toBe(0);
    }
  });
});
