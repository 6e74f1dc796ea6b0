import { describe, expect, it } from 'vitest';
import { ExpiringMapping, ThrottledHttpClient } from '../../../main/auth/throttled-http-client';
import { jsonResponse, RecordingHttpClient } from '../../support/recording-http-client';

const TOKEN_URL = 'https://login.example.test/tenant/oauth2/v2.0/token';
const RT = 'refresh-token-secret-value';

function setup(defaultThrottleTime = 60) {
  let now = 1_700_000_000_000;
  const inner = new RecordingHttpClient();
  const httpCache = new Map<string, unknown>();
  const client = new ThrottledHttpClient(inner, { httpCache, defaultThrottleTime, now: () => now });
  return { inner, httpCache, client, advance: (seconds: number) => (now += seconds * 1000) };
}

const refreshData = { client_id: 'cid', grant_type: 'refresh_token', refresh_token: RT, scope: 'openid profile' };

describe('ThrottledHttpClient POST 429/5xx/Retry-After', () => {
  it('replays a 429 for Retry-After seconds, then goes to the network again', async () => {
    const { inner, client, advance } = setup();
    inner.onPost(TOKEN_URL, jsonResponse({ error: 'throttled' }, 429, { 'retry-after': '10' }));
    expect((await client.post(TOKEN_URL, { data: refreshData })).status).toBe(429);
    advance(9);
    expect((await client.post(TOKEN_URL, { data: refreshData })).status).toBe(429);
    expect(inner.requests).toHaveLength(1);
    advance(1);
    await client.post(TOKEN_URL, { data: refreshData });
    expect(inner.requests).toHaveLength(2);
  });

  it('uses the default throttle time for a 5xx without Retry-After, and caps Retry-After at 3600 s', async () => {
    const a = setup(5);
    a.inner.onPost(TOKEN_URL, jsonResponse({ error: 'server' }, 503));
    await a.client.post(TOKEN_URL, { data: refreshData });
    a.advance(4);
    await a.client.post(TOKEN_URL, { data: refreshData });
    expect(a.inner.requests).toHaveLength(1);
    a.advance(1);
    await a.client.post(TOKEN_URL, { data: refreshData });
    expect(a.inner.requests).toHaveLength(2);

    const b = setup();
    b.inner.onPost(TOKEN_URL, jsonResponse({ error: 'slow down' }, 429, { 'retry-after': '99999' }));
    await b.client.post(TOKEN_URL, { data: refreshData });
    b.advance(3599);
    await b.client.post(TOKEN_URL, { data: refreshData });
    expect(b.inner.requests).toHaveLength(1);
    b.advance(1);
    await b.client.post(TOKEN_URL, { data: refreshData });
    expect(b.inner.requests).toHaveLength(2);
  });

  it('throttles per account: another refresh token still reaches the network', async () => {
    const { inner, client } = setup();
    inner.onPost(TOKEN_URL, jsonResponse({ error: 'throttled' }, 429));
    await client.post(TOKEN_URL, { data: refreshData });
    await client.post(TOKEN_URL, { data: { ...refreshData, refresh_token: 'other' } });
    expect(inner.requests).toHaveLength(2);
  });

  it('never caches a 2xx token response, even with Retry-After', async () => {
    const { inner, client, httpCache } = setup();
    inner.onPost(TOKEN_URL, jsonResponse({ access_token: 'at-secret' }, 200, { 'retry-after': '30' }));
    await client.post(TOKEN_URL, { data: refreshData });
    await client.post(TOKEN_URL, { data: refreshData });
    expect(inner.requests).toHaveLength(2);
    expect(JSON.stringify([...httpCache])).not.toContain('at-secret');
  });
});

describe('token answers and the throttling cache', () => {
  // Bug: 5 of 6 token answers with a failure status were kept and replayed from the cache.
  const shapes: [string, number, Record<string, unknown>, Record<string, string>][] = [
    ['429 with an access token', 429, { access_token: 'at-secret-429' }, {}],
    ['500 with an access token', 500, { access_token: 'at-secret-500', refresh_token: 'rt-secret-500' }, {}],
    ['503 with Retry-After and a refresh token', 503, { error: 'temporarily_unavailable', refresh_token: 'rt-secret-503' }, { 'retry-after': '30' }],
    ['400 with an access token', 400, { error: 'invalid_grant', access_token: 'at-secret-400' }, {}],
    ['400 with an ID token', 400, { id_token: 'idt-secret-400' }, {}],
    ['200 with Retry-After', 200, { access_token: 'at-secret-200' }, { 'retry-after': '30' }],
  ];
  for (const [name, status, body, headers] of shapes) {
    it(`never keeps a token answer: ${name}`, async () => {
      const { inner, client, httpCache } = setup();
      inner.onPost(TOKEN_URL, jsonResponse(body, status, headers));
      await client.post(TOKEN_URL, { data: refreshData });
      await client.post(TOKEN_URL, { data: refreshData });
      expect(inner.requests).toHaveLength(2);
      const stored = JSON.stringify([...httpCache]);
      for (const value of Object.values(body)) expect(stored).not.toContain(String(value));
    });
  }

  it('keeps an error answer as its whitelisted fields, with the refresh token cut out of the text', async () => {
    const { inner, client, httpCache } = setup();
    inner.onPost(TOKEN_URL, jsonResponse({ error: 'invalid_grant', error_description: `Invalid refresh token: ${RT}`, debug: { echoed: RT }, error_codes: [70000] }, 400));
    await client.post(TOKEN_URL, { data: refreshData });
    const replayed = await client.post(TOKEN_URL, { data: refreshData });
    expect(inner.requests).toHaveLength(1);
    expect(JSON.parse(replayed.text)).toEqual({ error: 'invalid_grant', error_description: 'Invalid refresh token: [redacted]', error_codes: [70000] });
    expect(JSON.stringify([...httpCache])).not.toContain(RT);
  });
});

describe('ThrottledHttpClient POST 400 (UI required cache)', () => {
  it('answers an identical failing refresh from the cache for 60 s', async () => {
    const { inner, client, advance } = setup();
    inner.onPost(TOKEN_URL, jsonResponse({ error: 'invalid_grant' }, 400));
    await client.post(TOKEN_URL, { data: refreshData });
    advance(59);
    const replay = await client.post(TOKEN_URL, { data: { ...refreshData } });
    expect(JSON.parse(replay.text)).toEqual({ error: 'invalid_grant' });
    expect(inner.requests).toHaveLength(1);
    advance(1);
    await client.post(TOKEN_URL, { data: refreshData });
    expect(inner.requests).toHaveLength(2);
  });

  it('does not cache device-code polling, other 4xx, or a 400 with Retry-After in the 400 layer', async () => {
    const device = setup();
    device.inner.onPost(TOKEN_URL, jsonResponse({ error: 'authorization_pending' }, 400));
    const poll = { client_id: 'cid', grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'dc' };
    await device.client.post(TOKEN_URL, { data: poll });
    await device.client.post(TOKEN_URL, { data: poll });
    expect(device.inner.requests).toHaveLength(2);

    const unauthorized = setup();
    unauthorized.inner.onPost(TOKEN_URL, jsonResponse({ error: 'invalid_client' }, 401));
    await unauthorized.client.post(TOKEN_URL, { data: refreshData });
    await unauthorized.client.post(TOKEN_URL, { data: refreshData });
    expect(unauthorized.inner.requests).toHaveLength(2);

    // A 400 with Retry-After is left to the Retry-After layer: cached for its own delay.
    const retry = setup();
    retry.inner.onPost(TOKEN_URL, jsonResponse({ error: 'invalid_grant' }, 400, { 'retry-after': '2' }));
    await retry.client.post(TOKEN_URL, { data: refreshData });
    retry.advance(1);
    await retry.client.post(TOKEN_URL, { data: refreshData });
    expect(retry.inner.requests).toHaveLength(1);
    retry.advance(1);
    await retry.client.post(TOKEN_URL, { data: refreshData });
    expect(retry.inner.requests).toHaveLength(2);
  });

  it('a different body is a different key', async () => {
    const { inner, client } = setup();
    inner.onPost(TOKEN_URL, jsonResponse({ error: 'invalid_grant' }, 400));
    await client.post(TOKEN_URL, { data: refreshData });
    await client.post(TOKEN_URL, { data: { ...refreshData, scope: 'openid' } });
    expect(inner.requests).toHaveLength(2);
  });
});

describe('ThrottledHttpClient GET', () => {
  it('caches 2xx for 24 h per URL and params, and not errors', async () => {
    const { inner, client, advance } = setup();
    const url = 'https://login.example.test/common/discovery/instance';
    inner.onGet(url, (req) => jsonResponse({ q: req.params['api-version'] }));
    inner.onGet('https://login.example.test/missing', jsonResponse({}, 404));
    await client.get(url, { params: { 'api-version': '1.0' } });
    await client.get(url, { params: { 'api-version': '1.0' } });
    await client.get(url, { params: { 'api-version': '1.1' } });
    expect(inner.requests).toHaveLength(2);
    advance(24 * 3600);
    await client.get(url, { params: { 'api-version': '1.0' } });
    expect(inner.requests).toHaveLength(3);
    await client.get('https://login.example.test/missing');
    await client.get('https://login.example.test/missing');
    expect(inner.requests).toHaveLength(5);
  });
});

describe('the http cache contents', () => {
  it('are JSON-serializable and hold no token, code, user name or query', async () => {
    const { inner, client, httpCache } = setup();
    inner.onPost(TOKEN_URL, jsonResponse({ error: 'invalid_grant' }, 400));
    inner.onGet('https://login.example.test/common/userrealm/', jsonResponse({ account_type: 'Managed' }));
    await client.post(TOKEN_URL, { data: refreshData });
    await client.post(TOKEN_URL, { data: { client_id: 'cid', grant_type: 'authorization_code', code: 'auth-code-secret' } });
    await client.post(TOKEN_URL, { data: { client_id: 'cid', grant_type: 'password', username: 'alice@example.test', password: 'pw-secret' } });
    await client.get('https://login.example.test/common/userrealm/alice@example.test?api-version=1.0');
    const serialized = JSON.stringify(Object.fromEntries(httpCache));
    expect(JSON.parse(serialized)).toEqual(Object.fromEntries(httpCache));
    for (const secret of [RT, 'auth-code-secret', 'alice@example.test', 'pw-secret']) {
      expect(serialized).not.toContain(secret);
    }
    expect(httpCache.size).toBeGreaterThan(4); // four items plus the index
  });

  it('survive a JSON round trip (a persisted cache keeps throttling)', async () => {
    const { inner, client, httpCache } = setup();
    inner.onPost(TOKEN_URL, jsonResponse({ error: 'throttled' }, 429, { 'retry-after': '30' }));
    await client.post(TOKEN_URL, { data: refreshData });
    const restored = new Map<string, unknown>(Object.entries(JSON.parse(JSON.stringify(Object.fromEntries(httpCache)))));
    const again = new ThrottledHttpClient(inner, { httpCache: restored, defaultThrottleTime: 60, now: () => 1_700_000_001_000 });
    expect((await again.post(TOKEN_URL, { data: refreshData })).status).toBe(429);
    expect(inner.requests).toHaveLength(1);
  });
});

describe('ExpiringMapping', () => {
  it('expires items individually and purges them on set, size and keys', () => {
    let now = 0;
    const store = new Map<string, unknown>();
    const mapping = new ExpiringMapping({ mapping: store, now: () => now });
    mapping.set('a', 1, 1);
    mapping.set('b', 2, 10);
    expect(mapping.get('a')).toBe(1);
    now = 1000;
    expect(mapping.get('a')).toBeUndefined();
    expect(mapping.keys()).toEqual(['b']);
    now = 10_000;
    expect(mapping.size()).toBe(0);
    expect([...store.keys()]).toEqual(['_index_']);
  });

  it('drops the item expiring soonest when full (capacity 1024 in the client)', () => {
    const mapping = new ExpiringMapping({ capacity: 3, now: () => 0 });
    mapping.set('long', 1, 100);
    mapping.set('short', 2, 5);
    mapping.set('mid', 3, 50);
    mapping.set('new', 4, 60);
    expect(mapping.keys().sort()).toEqual(['long', 'mid', 'new']);
    mapping.set('mid', 5, 70); // overwriting an existing key evicts nothing
    expect(mapping.size()).toBe(3);
    expect(mapping.get('mid')).toBe(5);
  });

  it('treats items created in the future as stale, rejects the reserved key, and tolerates a corrupt index', () => {
    let now = 5000;
    const store = new Map<string, unknown>();
    const mapping = new ExpiringMapping({ mapping: store, now: () => now });
    mapping.set('x', 1, 100);
    now = 0;
    expect(mapping.get('x')).toBeUndefined();
    expect(() => mapping.set('_index_', 1, 1)).toThrow(RangeError);
    store.set('_index_', 'garbage');
    expect(mapping.size()).toBe(0);
    expect(mapping.delete('x')).toBe(false);
  });
});
