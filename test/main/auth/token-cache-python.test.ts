// Interop with the real MSAL Python (no network): the same event cached by both libraries must
// give the same bytes, and each must read what the other wrote.
import { spawnSync } from 'node:child_process';
import { it, expect } from 'vitest';
import { requirement, requires } from '../../support/requires';
import type { TokenEvent } from '../../../main/auth/cache-types';
import { SerializableTokenCache } from '../../../main/auth/token-cache';

const PYTHON = '/usr/bin/python3';

function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['REQUESTS_CA_BUNDLE'];
  return env;
}

function msalPythonAvailable(): boolean {
  const probe = spawnSync(PYTHON, ['-c', 'import msal'], { env: childEnv(), encoding: 'utf8' });
  return probe.status === 0;
}

// Reads a JSON request on stdin. "add": cache the event at `now`, print serialize().
// "find": load `cache`, look entries up, print what matched (never the secrets themselves).
const SCRIPT = String.raw`
import json, sys, msal
req = json.loads(sys.stdin.read())
cache = msal.SerializableTokenCache()
if req["mode"] == "add":
    cache.add(req["event"], now=req["now"])
    sys.stdout.write(cache.serialize())
else:
    cache.deserialize(req["cache"])
    q = req["query"]
    try:  # MSAL Python >= 1.23 purges expired ATs, so pass the same clock
        ats = cache.find("AccessToken", target=req["target"], query=q, now=req["now"])
    except TypeError:  # older versions take no now= and do not purge
        ats = cache.find("AccessToken", target=req["target"], query=q)
    rts = cache.find("RefreshToken", query={"home_account_id": q["home_account_id"], "environment": q["environment"], "client_id": q["client_id"]})
    accounts = cache.find("Account", query={"home_account_id": q["home_account_id"], "environment": q["environment"]})
    sys.stdout.write(json.dumps({
        "at": [e["secret"] == req["secrets"]["at"] for e in ats],
        "rt": [e["secret"] == req["secrets"]["rt"] for e in rts],
        "accounts": [{"username": a["username"], "local_account_id": a["local_account_id"], "realm": a["realm"]} for a in accounts],
        "reserialized": cache.serialize(),
    }))
`;

function runPython(request: unknown): string {
  const result = spawnSync(PYTHON, ['-c', SCRIPT], {
    input: JSON.stringify(request),
    env: childEnv(),
    encoding: 'utf8',
    timeout: 30_000,
  });
  // stderr may carry warnings; a failure message must not echo the cache, so only its tail is shown.
  if (result.status !== 0) throw new Error(`MSAL Python failed: ${result.stderr.split('\n').slice(-3).join(' ')}`);
  return result.stdout;
}

// json.dumps(json.loads(doc), indent=4) for each document of a JSON list on stdin.
const DUMPS_SCRIPT = 'import json, sys\nsys.stdout.write(json.dumps([json.dumps(json.loads(d), indent=4) for d in json.loads(sys.stdin.read())]))';

function pythonRoundTrips(docs: readonly string[]): string[] {
  const result = spawnSync(PYTHON, ['-c', DUMPS_SCRIPT], { input: JSON.stringify(docs), env: childEnv(), encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`Python failed: ${result.stderr.split('\n').slice(-3).join(' ')}`);
  return JSON.parse(result.stdout) as string[];
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const SECRETS = { at: 'fake-access-token', rt: 'fake-refresh-token' } as const;
const NOW = 1000;
const HOME = 'uid-1.utid-2';
const ENV = 'login.microsoftonline.com';

// No grant_type and already-sorted scopes: MSAL Python 1.21 writes neither account_source nor a
// sorted target, so this event gives the same bytes in every MSAL Python version.
const event: TokenEvent = {
  client_id: 'my_client_id',
  scope: ['User.Read', 'offline_access', 'openid', 'profile'],
  token_endpoint: `https://${ENV}/contoso/oauth2/v2.0/token`,
  response: {
    token_type: 'Bearer',
    access_token: SECRETS.at,
    refresh_token: SECRETS.rt,
    // MSAL Python checks aud and exp of this unsigned token, so both must be right.
    id_token: `eyJhbGciOiJub25lIn0.${b64url({
      aud: 'my_client_id', iss: 'https://issuer.example', sub: 'the-sub', oid: 'object-1234',
      preferred_username: 'Jöhn Dœ 😀', exp: 4102444800, iat: 1,
    })}.sig`,
    client_info: b64url({ uid: 'uid-1', utid: 'utid-2' }),
    expires_in: 3600,
    ext_expires_in: 7200,
    refresh_in: 1800,
    foci: '1',
  },
};

requires(requirement(msalPythonAvailable(), `MSAL Python not found at ${PYTHON}: apt-get install python3-msal`)).describe('interop with MSAL Python', () => {

  it('writes the same bytes as MSAL Python for the same event', () => {
    const python = runPython({ mode: 'add', event, now: NOW });
    const ours = new SerializableTokenCache();
    ours.add(event, NOW);
    expect(ours.serialize()).toBe(python);
  });

  it('reads a cache written by MSAL Python', () => {
    const python = runPython({ mode: 'add', event, now: NOW });
    const cache = new SerializableTokenCache();
    cache.deserialize(python);
    const query = { home_account_id: HOME, environment: ENV, client_id: 'my_client_id', realm: 'contoso' };
    const ats = cache.search('AccessToken', { target: ['User.Read'], query, now: NOW });
    expect(ats.map((e) => e.secret === SECRETS.at)).toEqual([true]);
    expect(ats[0]).toMatchObject({ expires_on: '4600', extended_expires_on: '8200', refresh_on: '2800' });
    const rts = cache.search('RefreshToken', { query: { home_account_id: HOME, environment: ENV, client_id: 'my_client_id' } });
    expect(rts.map((e) => e.secret === SECRETS.rt)).toEqual([true]);
    expect(rts[0]?.family_id).toBe('1');
    expect(cache.search('Account', { query: { home_account_id: HOME, environment: ENV } })).toEqual([
      expect.objectContaining({ username: 'Jöhn Dœ 😀', local_account_id: 'object-1234', realm: 'contoso' }),
    ]);
    expect(cache.serialize()).toBe(python);
  });

  it('writes a cache MSAL Python reads, unknown fields included', () => {
    const ours = new SerializableTokenCache();
    ours.add(event, NOW);
    // Something another SDK might add: an unknown section and an unknown field.
    const withExtras = ours.serialize().replace('{\n    "AccessToken"', '{\n    "Zeta": {\n        "2": 2.0\n    },\n    "AccessToken"')
      .replace('"authority_type": "MSSTS"', '"authority_type": "MSSTS",\n            "name": "Ren\\u00e9e"');
    ours.deserialize(withExtras);
    const text = ours.serialize();
    expect(text).toBe(withExtras);

    const found = JSON.parse(runPython({
      mode: 'find', cache: text, target: ['User.Read'], secrets: SECRETS, now: NOW,
      query: { home_account_id: HOME, environment: ENV, client_id: 'my_client_id', realm: 'contoso' },
    })) as { at: boolean[]; rt: boolean[]; accounts: unknown[]; reserialized: string };
    expect(found.at).toEqual([true]);
    expect(found.rt).toEqual([true]);
    expect(found.accounts).toEqual([{ username: 'Jöhn Dœ 😀', local_account_id: 'object-1234', realm: 'contoso' }]);
    expect(found.reserialized).toBe(text);
  });

  // Some documents JSON.parse reads losslessly and JSON.stringify writes as Python does; others
  // (whole floats, -0, big integers, integer-like keys) need the exact parser or writer.
  it('round-trips caches byte for byte as Python\'s json module does, on both parser paths', () => {
    const account = (username: string, extra = ''): string =>
      `{"home_account_id": "h", "environment": "e", "realm": "r", "local_account_id": "l", "username": "${username}", "authority_type": "MSSTS"${extra}}`;
    const docs = [
      `{"Account": {"h-e-r": ${account('J\u00f6hn D\u0153 \u{1F600} \\u007f \\"q\\" \\\\ / \\t')}}}`,
      `{"Account": {"h-e-r": ${account('\\ud800 lone \\udfff', ', "n": [1, -2, 0.5, 0.0001, 123.456, true, null]')}}}`,
      `{"Account": {"h-e-r": ${account('x', ', "f": [1.0, 1e5, 1e-05, 1e16, -0.0, -0, 9007199254740993, 1E400]')}}}`,
      `{"Account": {"7": ${account('seven')}, "h-e-r": ${account('x', ', "2": "b", "1": "a"')}}, "10": {}}`,
      `{"Account": {"h-e-r": ${account('first')}, "h-e-r": ${account('second')}}, "Zeta": {"a": 1, "b": 2, "a": 3}}`,
      '{"AccessToken": {}, "Zeta": [[], {}, [{"x": {}}], "\\u2028\\ufeff"]}',
    ];
    const expected = pythonRoundTrips(docs);
    docs.forEach((doc, i) => {
      const cache = new SerializableTokenCache();
      cache.deserialize(doc);
      expect(cache.serialize(), doc).toBe(expected[i]);
      cache.deserialize(expected[i]);
      expect(cache.serialize(), doc).toBe(expected[i]);
    });
  });
});
