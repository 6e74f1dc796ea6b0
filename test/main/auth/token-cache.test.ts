import { describe, it, expect } from 'vitest';
import { CacheFormatError, InvalidArgumentError } from '../../../main/auth/errors';
import type { RefreshTokenEntry, TokenEvent } from '../../../main/auth/cache-types';
import { SerializableTokenCache, TokenCache } from '../../../main/auth/token-cache';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const clientInfo = (uid: string, utid: string): string => b64url({ uid, utid });
const fakeIdToken = (claims: Record<string, unknown>): string => `eyJhbGciOiJub25lIn0.${b64url(claims)}.sig`;

// The event behind section 2.8 (b) of the MSAL behaviour reference (MSAL Python 1.31, now=1000).
const specEvent: TokenEvent = {
  client_id: 'my_client_id',
  scope: ['s2', 's1', 's3', 'openid', 'profile', 'offline_access'],
  token_endpoint: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/token',
  grant_type: 'authorization_code',
  response: {
    access_token: 'an access token',
    refresh_token: 'a refresh token',
    id_token: 'eyJhbGciOiJub25lIn0.<payload>.sig',
    client_info: clientInfo('uid', 'utid'),
    expires_in: 3600,
    ext_expires_in: 7200,
    refresh_in: 1800,
    foci: '1',
    token_type: 'Bearer',
  },
  id_token_claims: { oid: 'object1234', preferred_username: 'John Doe', sub: 'sub' },
};

const specJson = `{
    "AccessToken": {
        "uid.utid-login.microsoftonline.com-accesstoken-my_client_id-contoso-offline_access openid profile s1 s2 s3": {
            "credential_type": "AccessToken",
            "secret": "an access token",
            "home_account_id": "uid.utid",
            "environment": "login.microsoftonline.com",
            "client_id": "my_client_id",
            "target": "offline_access openid profile s1 s2 s3",
            "realm": "contoso",
            "token_type": "Bearer",
            "cached_at": "1000",
            "expires_on": "4600",
            "extended_expires_on": "8200",
            "refresh_on": "2800"
        }
    },
    "Account": {
        "uid.utid-login.microsoftonline.com-contoso": {
            "home_account_id": "uid.utid",
            "environment": "login.microsoftonline.com",
            "realm": "contoso",
            "local_account_id": "object1234",
            "username": "John Doe",
            "authority_type": "MSSTS",
            "account_source": "authorization_code"
        }
    },
    "IdToken": {
        "uid.utid-login.microsoftonline.com-idtoken-my_client_id-contoso-": {
            "credential_type": "IdToken",
            "secret": "eyJhbGciOiJub25lIn0.<payload>.sig",
            "home_account_id": "uid.utid",
            "environment": "login.microsoftonline.com",
            "realm": "contoso",
            "client_id": "my_client_id"
        }
    },
    "RefreshToken": {
        "uid.utid-login.microsoftonline.com-refreshtoken-my_client_id--offline_access openid profile s1 s2 s3": {
            "credential_type": "RefreshToken",
            "secret": "a refresh token",
            "home_account_id": "uid.utid",
            "environment": "login.microsoftonline.com",
            "client_id": "my_client_id",
            "target": "offline_access openid profile s1 s2 s3",
            "last_modification_time": "1000",
            "family_id": "1"
        }
    },
    "AppMetadata": {
        "appmetadata-login.microsoftonline.com-my_client_id": {
            "client_id": "my_client_id",
            "environment": "login.microsoftonline.com",
            "family_id": "1"
        }
    }
}`;

/** The keys of each section, in order. */
function keysOf(cache: SerializableTokenCache): Record<string, string[]> {
  const parsed = JSON.parse(cache.serialize()) as Record<string, Record<string, unknown>>;
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, Object.keys(v)]));
}

describe('TokenCache.add', () => {
  it('serializes the spec example byte for byte like MSAL Python', () => {
    const cache = new SerializableTokenCache();
    cache.add(specEvent, 1000);
    expect(cache.serialize()).toBe(specJson);
  });

  it('does not modify the event', () => {
    const event = structuredClone(specEvent);
    new TokenCache().add(event, 1000);
    expect(event).toEqual(specEvent);
  });

  it('builds the keys MSAL Python tests assert (AAD)', () => {
    const cache = new SerializableTokenCache();
    cache.add({
      client_id: 'my_client_id',
      scope: ['s2', 's1', 's3'],
      token_endpoint: 'https://login.example.com/contoso/v2/token',
      response: {
        access_token: 'AT', refresh_token: 'RT', client_info: clientInfo('uid', 'utid'),
        id_token: fakeIdToken({ sub: 'subject', oid: 'object1234', preferred_username: 'John Doe', aud: 'my_client_id' }),
      },
    }, 1000);
    expect(keysOf(cache)).toEqual({
      AccessToken: ['uid.utid-login.example.com-accesstoken-my_client_id-contoso-s1 s2 s3'],
      Account: ['uid.utid-login.example.com-contoso'],
      IdToken: ['uid.utid-login.example.com-idtoken-my_client_id-contoso-'],
      RefreshToken: ['uid.utid-login.example.com-refreshtoken-my_client_id--s1 s2 s3'],
      AppMetadata: ['appmetadata-login.example.com-my_client_id'],
    });
    const [at] = cache.search('AccessToken', { now: 1000 });
    expect(at?.expires_on).toBe('1600'); // 600 s when the response says nothing
    expect(at?.extended_expires_on).toBe('1600');
    expect(cache.search('Account')[0]).toMatchObject({ local_account_id: 'object1234', username: 'John Doe' });
    expect(cache.search('Account')[0]).not.toHaveProperty('account_source');
  });

  it('builds the keys MSAL Python tests assert (ADFS, no client_info)', () => {
    const cache = new SerializableTokenCache();
    cache.add({
      client_id: 'my_client_id',
      scope: ['s1', 's2', 's3'],
      token_endpoint: 'https://fs.msidlab8.com/adfs/oauth2/token',
      response: {
        access_token: 'AT', refresh_token: 'RT',
        id_token: fakeIdToken({ sub: 'subject', upn: 'JaneDoe@example.com', aud: 'my_client_id' }),
      },
    }, 1000);
    expect(keysOf(cache)).toEqual({
      AccessToken: ['subject-fs.msidlab8.com-accesstoken-my_client_id-adfs-s1 s2 s3'],
      Account: ['subject-fs.msidlab8.com-adfs'],
      IdToken: ['subject-fs.msidlab8.com-idtoken-my_client_id-adfs-'],
      RefreshToken: ['subject-fs.msidlab8.com-refreshtoken-my_client_id--s1 s2 s3'],
      AppMetadata: ['appmetadata-fs.msidlab8.com-my_client_id'],
    });
    expect(cache.search('Account')[0]).toMatchObject({
      authority_type: 'ADFS', local_account_id: 'subject', username: 'JaneDoe@example.com',
    });
  });

  it('keys an app-only token with an empty home account and creates no account', () => {
    const cache = new SerializableTokenCache();
    cache.add({
      client_id: 'client_id',
      scope: ['profile', 'openid', 'offline_access', 'Files.Read'],
      token_endpoint: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/token',
      response: { access_token: 'AT', expires_in: 3600 },
    }, 1000);
    expect(keysOf(cache)).toEqual({
      AccessToken: ['-login.microsoftonline.com-accesstoken-client_id-contoso-files.read offline_access openid profile'],
      AppMetadata: ['appmetadata-login.microsoftonline.com-client_id'],
    });
    expect(cache.search('AccessToken', { now: 1000 })[0]?.target).toBe('Files.Read offline_access openid profile');
    expect(cache.search('AccessToken', { now: 1000 })[0]?.home_account_id).toBeNull();
  });

  it('takes the target from the response scope, and keeps AppMetadata keys in their case', () => {
    const cache = new SerializableTokenCache();
    cache.add({
      client_id: 'My_Client',
      scope: ['Mail.Read', 'openid'],
      token_endpoint: 'https://login.microsoftonline.com/Contoso/oauth2/v2.0/token',
      environment: 'Login.Example.COM',
      response: { access_token: 'AT', scope: 'User.Read openid profile offline_access', client_info: clientInfo('U', 'T') },
    }, 1000);
    expect(keysOf(cache)).toEqual({
      AccessToken: ['u.t-login.example.com-accesstoken-my_client-contoso-user.read offline_access openid profile'],
      Account: ['u.t-login.example.com-contoso'],
      AppMetadata: ['appmetadata-Login.Example.COM-My_Client'],
    });
    expect(cache.search('AccessToken', { now: 1000 })[0]).toMatchObject({
      target: 'User.Read offline_access openid profile', realm: 'Contoso', environment: 'Login.Example.COM',
    });
  });

  it('computes expiry from expires_on, string expires_in, and keeps key_id', () => {
    const cache = new TokenCache();
    cache.add({
      client_id: 'c', scope: ['a'], token_endpoint: 'https://h.example/t/token',
      data: { key_id: 'kid1' },
      response: { access_token: 'AT', expires_on: '5000', ext_expires_in: '9000' },
    }, 1000);
    expect(cache.search('AccessToken', { now: 1000 })[0]).toMatchObject({
      expires_on: '5000', extended_expires_on: '10000', key_id: 'kid1',
    });
  });

  it('records an empty event the way MSAL Python does', () => {
    const cache = new SerializableTokenCache();
    cache.add({} as TokenEvent);
    expect(cache.hasStateChanged).toBe(true);
    expect(cache.serialize()).toBe(
      '{\n    "AppMetadata": {\n        "appmetadata--": {\n            "client_id": null,\n            "environment": null\n        }\n    }\n}',
    );
  });

  it('skips account creation on request (silent refresh)', () => {
    const cache = new TokenCache();
    cache.add({ ...specEvent, skip_account_creation: true }, 1000);
    expect(cache.search('Account')).toEqual([]);
    expect(cache.search('RefreshToken')).toHaveLength(1);
  });

  it('treats a client_info that is not base64 JSON as absent', () => {
    const cache = new TokenCache();
    cache.add({
      client_id: 'c', scope: ['a'], token_endpoint: 'https://h.example/t/token',
      response: { access_token: 'AT', client_info: '%%%not-base64-json', id_token: fakeIdToken({ sub: 'the-sub' }) },
    }, 1000);
    expect(cache.search('AccessToken', { now: 1000 })[0]?.home_account_id).toBe('the-sub');
    expect(cache.search('Account')[0]?.home_account_id).toBe('the-sub');
  });

  it('throws before writing anything when the event is bad', () => {
    const cache = new SerializableTokenCache();
    cache.add(specEvent, 1000);
    const before = cache.serialize();
    expect(() => cache.add({ ...specEvent, token_endpoint: 'http://insecure/contoso/token' }, 1000)).toThrow(/https/);
    expect(() => cache.add({ ...specEvent, response: { ...specEvent.response, expires_in: 'soon' } }, 1000)).toThrow(
      /expires_in/,
    );
    expect(cache.serialize()).toBe(before);
  });
});

describe('TokenCache.search', () => {
  function twoTokenCache(): SerializableTokenCache {
    const cache = new SerializableTokenCache();
    cache.add({ ...specEvent, scope: ['s1', 's2', 's3'], response: { ...specEvent.response, foci: undefined } }, 1000);
    cache.add({ ...specEvent, scope: ['s1'], response: { ...specEvent.response, access_token: 'narrow' } }, 1000);
    return cache;
  }

  it('matches query fields exactly and target scopes as a case-sensitive subset', () => {
    const cache = twoTokenCache();
    const query = { home_account_id: 'uid.utid', environment: 'login.microsoftonline.com', client_id: 'my_client_id', realm: 'contoso' };
    expect(cache.search('AccessToken', { target: ['s2'], query, now: 1000 }).map((e) => e.target)).toEqual(['s1 s2 s3']);
    expect(cache.search('AccessToken', { target: ['S2'], query, now: 1000 })).toEqual([]);
    expect(cache.search('AccessToken', { target: ['s1'], query: { ...query, realm: 'other' }, now: 1000 })).toEqual([]);
    expect(cache.search('AccessToken', { query: { ...query, home_account_id: null }, now: 1000 })).toEqual([]);
    // The token cached for exactly the requested scopes comes first.
    expect(cache.search('AccessToken', { target: ['s1'], query, now: 1000 }).map((e) => e.secret)).toEqual([
      'narrow',
      'an access token',
    ]);
    // A query field the entry lacks never matches, not even null.
    expect(cache.search('AppMetadata', { query: { family_id: null } })).toEqual([]);
    expect(cache.search('AppMetadata', { query: { environment: 'login.microsoftonline.com' } })).toHaveLength(1);
  });

  it('matches null only to a stored null', () => {
    const cache = new TokenCache();
    cache.add({ client_id: 'c', scope: ['a'], token_endpoint: 'https://h.example/t/token', response: { access_token: 'AT' } }, 1000);
    const q = { home_account_id: null, environment: 'h.example', client_id: 'c', realm: 't' };
    expect(cache.search('AccessToken', { target: ['a'], query: q, now: 1000 })).toHaveLength(1);
    expect(cache.search('AccessToken', { target: ['a'], query: { ...q, home_account_id: '' }, now: 1000 })).toEqual([]);
  });

  it('purges expired access tokens and flips hasStateChanged', () => {
    const cache = twoTokenCache();
    cache.serialize();
    expect(cache.hasStateChanged).toBe(false);
    expect(cache.search('RefreshToken', { now: 99999 })).toHaveLength(2);
    expect(cache.hasStateChanged).toBe(false); // only access-token searches purge
    expect(cache.search('AccessToken', { now: 4600 })).toHaveLength(2); // expires_on < now, strictly
    expect(cache.hasStateChanged).toBe(false);
    expect(cache.search('AccessToken', { query: { client_id: 'nobody' }, now: 4601 })).toEqual([]);
    expect(cache.hasStateChanged).toBe(true);
    expect(cache.search('AccessToken', { now: 0 })).toEqual([]);
  });

  it('find is search', () => {
    const cache = twoTokenCache();
    expect(cache.find('RefreshToken')).toEqual(cache.search('RefreshToken'));
  });

  it('does not flip hasStateChanged on an empty search', () => {
    const cache = new SerializableTokenCache();
    cache.search('AccessToken');
    expect(cache.hasStateChanged).toBe(false);
  });
});

describe('modify, updateRt and removal', () => {
  it('updateRt keeps the key and changes secret and last_modification_time', () => {
    const cache = new SerializableTokenCache();
    cache.add(specEvent, 1000);
    const before = keysOf(cache);
    const [rt] = cache.search('RefreshToken');
    cache.updateRt(rt!, 'RT2', 2000);
    expect(cache.hasStateChanged).toBe(true);
    expect(keysOf(cache)).toEqual(before);
    expect(cache.search('RefreshToken')).toEqual([{ ...rt, secret: 'RT2', last_modification_time: '2000' }]);
  });

  it('removes each kind of entry', () => {
    const cache = new SerializableTokenCache();
    cache.add(specEvent, 1000);
    cache.removeAt(cache.search('AccessToken', { now: 1000 })[0]!);
    cache.removeRt(cache.search('RefreshToken')[0]!);
    cache.removeIdt(cache.search('IdToken')[0]!);
    cache.removeAccount(cache.search('Account')[0]!);
    expect(keysOf(cache)).toEqual({ AccessToken: [], Account: [], IdToken: [], RefreshToken: [], AppMetadata: [
      'appmetadata-login.microsoftonline.com-my_client_id',
    ] });
    expect(() => cache.removeRt({ credential_type: 'AccessToken' } as unknown as RefreshTokenEntry)).toThrow(InvalidArgumentError);
  });

  it('modify with no new values removes; a removal still creates the section like Python', () => {
    const cache = new SerializableTokenCache();
    cache.modify('RefreshToken', { home_account_id: 'x' });
    expect(cache.serialize()).toBe('{\n    "RefreshToken": {}\n}');
  });

  it('finds an msal-node RT under its 8-part key and salvages it into the MSAL Python key', () => {
    const cache = new SerializableTokenCache();
    cache.deserialize(JSON.stringify({
      RefreshToken: {
        'uid.utid-login.microsoftonline.com-refreshtoken-mock_client_id----': {
          environment: 'login.microsoftonline.com', credential_type: 'RefreshToken',
          secret: 'a refresh token', client_id: 'mock_client_id', home_account_id: 'uid.utid',
        },
      },
    }));
    const query = { home_account_id: 'uid.utid', environment: 'login.microsoftonline.com' };
    const [legacy] = cache.search('RefreshToken', { query: { ...query, client_id: 'mock_client_id' } });
    expect(legacy?.secret).toBe('a refresh token');
    cache.updateRt(legacy!, 'new secret', 5000);
    expect(keysOf(cache).RefreshToken).toEqual([
      'uid.utid-login.microsoftonline.com-refreshtoken-mock_client_id----',
      'uid.utid-login.microsoftonline.com-refreshtoken-mock_client_id--',
    ]);
    expect(cache.search('RefreshToken', { query }).map((e) => e.secret)).toEqual(['a refresh token', 'new secret']);
    // Removing the object search handed out removes it even under its foreign key.
    cache.removeRt(legacy!);
    expect(keysOf(cache).RefreshToken).toEqual([]);
  });
});

describe('SerializableTokenCache round trip', () => {
  it('keeps unknown sections, unknown fields, key order and Python number spellings', () => {
    const text = `{
    "Zeta": {
        "2": "two",
        "1": [
            1.0,
            1e+16,
            12345678901234567890,
            -0.5,
            NaN,
            true,
            null,
            {}
        ]
    },
    "Account": {
        "h-e-r": {
            "home_account_id": "h",
            "environment": "e",
            "realm": "r",
            "local_account_id": "l",
            "username": "Ren\\u00e9e \\ud83d\\ude00 \\"q\\" \\\\ /",
            "authority_type": "MSSTS",
            "tenantProfiles": [
                {
                    "9": "x",
                    "a": "y"
                }
            ],
            "__proto__": "kept"
        }
    },
    "AppMetadata": {}
}`;
    const cache = new SerializableTokenCache();
    cache.deserialize(text);
    expect(cache.search('Account', { query: { home_account_id: 'h', environment: 'e' } })[0]?.username).toBe(
      'Renée 😀 "q" \\ /',
    );
    expect(cache.serialize()).toBe(text);
  });

  it('escapes non-ASCII usernames like Python', () => {
    const cache = new SerializableTokenCache();
    cache.add({ ...specEvent, id_token_claims: { sub: 's', preferred_username: 'Jöhn Dœ 😀\u007f' } }, 1000);
    expect(cache.serialize()).toContain('"username": "J\\u00f6hn D\\u0153 \\ud83d\\ude00\\u007f",');
  });

  it('rejects malformed text with CacheFormatError and keeps the old contents', () => {
    const cache = new SerializableTokenCache();
    cache.add(specEvent, 1000);
    const before = cache.serialize();
    for (const bad of ['{', '[]', 'null', '"x"', '{"a": 1,}', '{"AccessToken": []}', '{"Account": {"k": 5}}', '\ufeff{}']) {
      expect(() => cache.deserialize(bad)).toThrow(CacheFormatError);
    }
    expect(cache.serialize()).toBe(before);
  });

  it('treats empty text as an empty cache and resets hasStateChanged', () => {
    const cache = new SerializableTokenCache();
    cache.add(specEvent, 1000);
    expect(cache.hasStateChanged).toBe(true);
    cache.deserialize('');
    expect(cache.hasStateChanged).toBe(false);
    expect(cache.serialize()).toBe('{}');
    cache.deserialize(specJson);
    expect(cache.serialize()).toBe(specJson);
  });
});

describe('indexes', () => {
  const N = 10_000;
  const env = 'login.microsoftonline.com';
  const eventFor = (i: number): TokenEvent => ({
    client_id: 'app',
    scope: ['User.Read'],
    token_endpoint: `https://${env}/tenant${i % 7}/oauth2/v2.0/token`,
    response: {
      access_token: `at-${i}`, refresh_token: `rt-${i}`, client_info: clientInfo(`u${i}`, `t${i % 7}`),
      expires_in: 1000 + i, id_token_claims: { sub: `s${i}`, preferred_username: `user${i}@example.com` },
    },
  });

  function check(cache: TokenCache, i: number, now: number): void {
    const home = `u${i}.t${i % 7}`;
    const ats = cache.search('AccessToken', {
      target: ['User.Read'], query: { home_account_id: home, environment: env, client_id: 'app', realm: `tenant${i % 7}` }, now,
    });
    expect(ats.map((e) => e.secret)).toEqual([`at-${i}`]);
    expect(cache.search('RefreshToken', { query: { home_account_id: home, environment: env } }).map((e) => e.secret)).toEqual([
      `rt-${i}`,
    ]);
    expect(cache.search('Account', { query: { home_account_id: home, environment: env } }).map((e) => e.username)).toEqual([
      `user${i}@example.com`,
    ]);
  }

  it('finds the right entries among 10,000 accounts through add, modify, remove and deserialize', () => {
    const cache = new SerializableTokenCache();
    for (let i = 0; i < N; i++) cache.add(eventFor(i), 0);
    for (const i of [0, 1, 4999, 9998, 9999]) check(cache, i, 0);

    // Update one RT, remove another account's RT, and check neighbours are untouched.
    const home7 = `u7.t0`;
    const [rt7] = cache.search('RefreshToken', { query: { home_account_id: home7, environment: env } });
    cache.updateRt(rt7!, 'rt-7-new', 5);
    expect(cache.search('RefreshToken', { query: { home_account_id: home7, environment: env } }).map((e) => e.secret)).toEqual([
      'rt-7-new',
    ]);
    const [rt8] = cache.search('RefreshToken', { query: { home_account_id: 'u8.t1', environment: env } });
    cache.removeRt(rt8!);
    expect(cache.search('RefreshToken', { query: { home_account_id: 'u8.t1', environment: env } })).toEqual([]);
    check(cache, 9, 0);

    // Expiry: ATs of accounts 0..499 expire before now=1500 (expires_on = 1000 + i).
    expect(cache.search('AccessToken', { query: { home_account_id: 'u3.t3', environment: env }, now: 1500 })).toEqual([]);
    expect(cache.search('AccessToken', { now: 1500 })).toHaveLength(N - 500);
    check(cache, 500, 1500);

    const copy = new SerializableTokenCache();
    copy.deserialize(cache.serialize());
    check(copy, 1234, 1500);
    expect(copy.search('Account', { query: { environment: env } })).toHaveLength(N);
    expect(copy.search('AccessToken', { query: { home_account_id: 'u3.t3', environment: env }, now: 1500 })).toEqual([]);
  });
});

describe('deserialize through either parser', () => {
  const entry = (home: string, secret: string): string =>
    `{"credential_type": "RefreshToken", "secret": "${secret}", "home_account_id": "${home}", "environment": "e", "client_id": "c", "target": "s"}`;

  it('indexes the same way whether JSON.parse or the exact parser read the text', () => {
    // The second text has an integer-like cache key and a whole float, so the exact parser reads it.
    const plain = `{"RefreshToken": {"k1": ${entry('h1', 'one')}, "k2": ${entry('h2', 'two')}}}`;
    const exact = `{"RefreshToken": {"k1": ${entry('h1', 'one')}, "7": ${entry('h2', 'two')}}, "Zeta": {"n": 1.0}}`;
    for (const text of [plain, exact]) {
      const cache = new SerializableTokenCache();
      cache.deserialize(text);
      const found = cache.search('RefreshToken', { query: { home_account_id: 'h2', environment: 'e' } });
      expect(found.map((e) => e.secret)).toEqual(['two']);
      expect(Object.isFrozen(found[0])).toBe(true);
      cache.removeRt(found[0]!); // stored under a key the entry does not produce: found by identity
      expect(cache.search('RefreshToken', { query: { home_account_id: 'h2', environment: 'e' } })).toEqual([]);
      expect(cache.search('RefreshToken', { query: { home_account_id: 'h1', environment: 'e' } }).map((e) => e.secret)).toEqual(['one']);
    }
  });

  it('round-trips integer-like cache keys, duplicates, -0, big integers and lone surrogates byte for byte', () => {
    // Expected: CPython's json.dumps(json.loads(text), indent=4).
    const text = '{"Zeta": {"b": "first", "n": [1.0, 1e5, -0, 9007199254740993, "\\ud800"], "b": [-0.0, 0.5], "10": {}, "2": []}, ' +
      `"RefreshToken": {"k": ${entry('h', 'x')}, "42": ${entry('h', 'y')}}}`;
    const cache = new SerializableTokenCache();
    cache.deserialize(text);
    const expected = '{\n    "Zeta": {\n        "b": [\n            -0.0,\n            0.5\n        ],\n        "n": [\n            1.0,\n' +
      '            100000.0,\n            0,\n            9007199254740993,\n            "\\ud800"\n        ],\n        "10": {},\n        "2": []\n    },\n' +
      '    "RefreshToken": {\n        "k": {\n            "credential_type": "RefreshToken",\n            "secret": "x",\n' +
      '            "home_account_id": "h",\n            "environment": "e",\n            "client_id": "c",\n            "target": "s"\n' +
      '        },\n        "42": {\n            "credential_type": "RefreshToken",\n            "secret": "y",\n' +
      '            "home_account_id": "h",\n            "environment": "e",\n            "client_id": "c",\n            "target": "s"\n' +
      '        }\n    }\n}';
    expect(cache.serialize()).toBe(expected);
    expect(cache.search('RefreshToken', { query: { home_account_id: 'h', environment: 'e' } }).map((e) => e.secret)).toEqual(['x', 'y']);
    const copy = new SerializableTokenCache();
    copy.deserialize(expected);
    expect(copy.serialize()).toBe(expected);
  });

  it('keeps indexes right after entries are replaced, removed and re-added', () => {
    const rt = (home: string, target: string): string =>
      `"${home}-e-refreshtoken-c--${target}": {"credential_type": "RefreshToken", "secret": "${target}", ` +
      `"home_account_id": "${home}", "environment": "e", "client_id": "c", "target": "${target}"}`;
    const cache = new SerializableTokenCache();
    cache.deserialize(`{"RefreshToken": {${rt('h', 'a')}, ${rt('h', 'b')}, ${rt('g', 'c')}}}`);
    const inH = { query: { home_account_id: 'h', environment: 'e' } };
    const inG = { query: { home_account_id: 'g', environment: 'e' } };
    const [a, b] = cache.search('RefreshToken', inH);
    // Same key, so "a" keeps its place in the section while it moves to g's bucket.
    cache.modify('RefreshToken', a!, { home_account_id: 'g' });
    expect(cache.search('RefreshToken', inH).map((e) => e.secret)).toEqual(['b']);
    expect(cache.search('RefreshToken', inG).map((e) => e.secret)).toEqual(['a', 'c']);
    cache.removeRt(b!);
    expect(cache.search('RefreshToken', inH)).toEqual([]);
    cache.modify('RefreshToken', b!, { secret: 'b2' });
    expect(cache.search('RefreshToken', inH).map((e) => e.secret)).toEqual(['b2']);
    expect(Object.keys(JSON.parse(cache.serialize()).RefreshToken as object)).toEqual([
      'h-e-refreshtoken-c--a', 'g-e-refreshtoken-c--c', 'h-e-refreshtoken-c--b',
    ]);
  });
});

describe('revision and purge horizon (what the silent hit memo relies on)', () => {
  it('moves on every add, modify, removal, load and purge, and not on a search that changes nothing', () => {
    const cache = new SerializableTokenCache();
    expect(cache.accessTokenPurgeHorizon()).toBe(Number.POSITIVE_INFINITY);
    let last = cache.revision;
    const moved = (): boolean => {
      const changed = cache.revision !== last;
      last = cache.revision;
      return changed;
    };
    cache.add(specEvent, 1000);
    expect(moved()).toBe(true);
    expect(cache.accessTokenPurgeHorizon()).toBe(1000 + 3600);
    cache.search('AccessToken', { target: ['s1'], now: 1000 });
    cache.search('RefreshToken', {});
    expect(moved()).toBe(false);
    const [rt] = cache.search('RefreshToken', {});
    cache.updateRt(rt!, 'another refresh token', 1001);
    expect(moved()).toBe(true);
    const text = cache.serialize();
    expect(moved()).toBe(false);
    cache.deserialize(text);
    expect(moved()).toBe(true);
    const [at] = cache.search('AccessToken', { now: 1000 });
    cache.removeAt(at!);
    expect(moved()).toBe(true);
    cache.add(specEvent, 1000);
    moved();
    cache.search('IdToken', { now: 1000 + 3601 });
    expect(moved()).toBe(false); // only access tokens expire
    cache.search('AccessToken', { now: 1000 + 3601 }); // purges the expired one
    expect(moved()).toBe(true);
    expect(cache.accessTokenPurgeHorizon()).toBe(Number.POSITIVE_INFINITY);
  });
});
