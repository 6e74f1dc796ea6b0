/**
 * Row "hostile provider": a provider that answers a sign-in or a refresh with what an attacker (or a
 * broken server) would send — the OpenID RP-certification ID token cases (rp-id_token-*, rp-nonce-*,
 * rp-key-rotation), RFC 9207 mix-ups, and the rules of issue 8 (docs/auth-protocol.md). Each must be
 * refused with a typed code, write nothing, and leak no token.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startHostileProvider, type HostileProvider, type ScriptedAnswer } from '../support/hostile-provider';
import { hardeningCase } from './harness';
import { AuthProbe, canaries, CLIENT_ID, tokenAnswer } from './support/auth-probe';

let op: HostileProvider;
let probe: AuthProbe;

beforeAll(async () => {
  op = await startHostileProvider();
  probe = new AuthProbe(op, { maxResponseBytes: 256 * 1024 });
});

afterAll(async () => {
  await probe?.close();
  await op?.stop();
});

type IdTokenCase = readonly [name: string, make: (nonce: string) => Promise<string>, codes: readonly string[]];

const now = (): number => Math.floor(Date.now() / 1000);

// OpenID Foundation RP certification, "ID Token" tests, and their neighbours.
const ID_TOKEN_CASES: readonly IdTokenCase[] = [
  ['rp-id_token-issuer-mismatch: iss names another issuer', (nonce) => op.idToken(CLIENT_ID, { nonce, iss: 'https://evil.example/op' }), ['id_token_issuer']],
  ['rp-id_token-aud: aud is another client', (nonce) => op.idToken(CLIENT_ID, { nonce, aud: 'another-client' }), ['id_token_audience']],
  ['rp-id_token-aud: several audiences and no azp', (nonce) => op.idToken(CLIENT_ID, { nonce, aud: [CLIENT_ID, 'another-client'] }), ['id_token_audience']],
  ['rp-id_token-azp: azp names another client', (nonce) => op.idToken(CLIENT_ID, { nonce, aud: [CLIENT_ID, 'another-client'], azp: 'another-client' }), ['id_token_audience']],
  ['rp-id_token-bad-sig-rs256: signed by a key the provider never published', (nonce) => op.idToken(CLIENT_ID, { nonce }, { signer: 'stranger' }), ['id_token_signature']],
  ['rp-id_token-sig-none: alg none with valid claims', (nonce) => op.idToken(CLIENT_ID, { nonce }, { signer: 'none' }), ['id_token_invalid', 'id_token_signature']],
  ['rp-id_token-bad-sig-hs256: HS256 with a made-up secret', (nonce) => op.idToken(CLIENT_ID, { nonce }, { signer: 'hs256' }), ['id_token_invalid', 'id_token_signature']],
  ['rp-key-rotation: kid not in the key set (refetched once, still unknown)', (nonce) => op.idToken(CLIENT_ID, { nonce }, { kid: 'unknown-kid' }), ['id_token_signature']],
  ['rp-id_token-iat: no iat', (nonce) => op.idToken(CLIENT_ID, { nonce, iat: undefined }), ['id_token_invalid']],
  ['rp-id_token-sub: no sub', (nonce) => op.idToken(CLIENT_ID, { nonce, sub: undefined }), ['id_token_invalid']],
  ['sub is not a string (orphaned tokens before issue 8)', (nonce) => op.idToken(CLIENT_ID, { nonce, sub: 12345 }), ['id_token_invalid']],
  ['rp-nonce-invalid: nonce of another sign-in', () => op.idToken(CLIENT_ID, { nonce: 'someone-elses-nonce' }), ['nonce_mismatch']],
  ['rp-nonce-invalid: no nonce at all', () => op.idToken(CLIENT_ID, {}), ['nonce_mismatch']],
  ['expired an hour ago', (nonce) => op.idToken(CLIENT_ID, { nonce, iat: now() - 7200, exp: now() - 3600 }), ['id_token_expired']],
  ['not valid before an hour from now', (nonce) => op.idToken(CLIENT_ID, { nonce, nbf: now() + 3600 }), ['id_token_invalid']],
  ['payload tampered after signing', async (nonce) => {
    const [header, , signature] = (await op.idToken(CLIENT_ID, { nonce })).split('.');
    const forged = Buffer.from(JSON.stringify({ iss: op.issuer, aud: CLIENT_ID, sub: 'admin', nonce, iat: now(), exp: now() + 3600 })).toString('base64url');
    return `${header}.${forged}.${signature}`;
  }, ['id_token_signature']],
  ['not a JWT', async () => 'definitely-not-a-jwt', ['id_token_invalid']],
];

for (const [name, make, codes] of ID_TOKEN_CASES) {
  hardeningCase('hostile provider', name, async (t) => {
    const secrets = canaries();
    const outcome = await probe.signIn(t, async (nonce) => ({ body: tokenAnswer(secrets, await make(nonce)) }), [secrets.accessToken, secrets.refreshToken]);
    expect(codes).toContain(outcome.code);
    expect(outcome.leaks).toBe(0);
  });
}

hardeningCase('hostile provider', 'no ID token in a sign-in answer (orphaned tokens before issue 8)', async (t) => {
  const secrets = canaries();
  const outcome = await probe.signIn(t, () => ({ body: tokenAnswer(secrets, undefined) }), [secrets.accessToken, secrets.refreshToken]);
  expect(outcome.code).toBe('id_token_missing');
  expect(outcome.leaks).toBe(0);
});

hardeningCase('hostile provider', 'rfc9207: authorization response names another issuer', async (t) => {
  const before = op.requests('token');
  const outcome = await probe.signIn(t, undefined, [], { iss: 'https://evil.example/op' });
  expect(outcome.code).toBe('issuer_mismatch');
  expect(op.requests('token')).toBe(before);
});

hardeningCase('hostile provider', 'rfc9207: authorization response without iss from a provider that advertises it', async (t) => {
  const before = op.requests('token');
  const outcome = await probe.signIn(t, undefined, [], { iss: undefined });
  expect(outcome.code).toBe('issuer_missing');
  expect(op.requests('token')).toBe(before);
});

hardeningCase('hostile provider', 'a redirect carrying both error and code: the code is never redeemed', async (t) => {
  const before = op.requests('token');
  const outcome = await probe.signIn(t, undefined, [], { error: 'access_denied', code: 'c0de-canary-both' });
  expect(outcome.code).toBe('access_denied');
  expect(outcome.leaks).toBe(0);
  expect(op.requests('token')).toBe(before);
});

const STATUS_WITH_TOKENS: readonly number[] = [301, 302, 304, 400, 401, 403, 404, 409, 418, 429];
hardeningCase('hostile provider', 'a failure status carrying an access_token is never a token', async (t) => {
  for (const status of STATUS_WITH_TOKENS) {
    const secrets = canaries();
    const outcome = await probe.signIn(t, async (nonce) => ({ status, body: tokenAnswer(secrets, await op.idToken(CLIENT_ID, { nonce })) }), [secrets.accessToken, secrets.refreshToken]);
    expect(outcome.code, `HTTP ${status}`).toBe('http_error');
    expect(outcome.leaks).toBe(0);
  }
});

hardeningCase('hostile provider', 'an error answer echoing every secret in every field leaks none of them', async (t) => {
  const secrets = canaries();
  const echo = (values: string[]): ScriptedAnswer => ({
    status: 400,
    body: {
      error: 'invalid_grant',
      error_description: `Invalid authorization code: ${values.join(' ')} ${values.map(encodeURIComponent).join(' ')}`,
      error_uri: `https://evil.example/?${values.join('&')}`,
      access_token: secrets.accessToken,
      refresh_token: secrets.refreshToken,
      id_token: secrets.accessToken,
      token: secrets.refreshToken,
      debug: { echoed: values },
      [secrets.refreshToken]: 'as a field name',
    },
  });
  const code = 'c0de-canary-echoed';
  const outcome = await probe.signIn(t, () => echo([code]), [secrets.accessToken, secrets.refreshToken], { code });
  expect(outcome.code).toBe('invalid_grant');
  expect(outcome.leaks).toBe(0);
});

hardeningCase('hostile provider', 'oidc core 12.2: a refresh whose ID token names another subject', async (t) => {
  const secrets = canaries();
  const outcome = await probe.refresh(t, async () => ({ body: tokenAnswer(secrets, await op.idToken(CLIENT_ID, { sub: 'someone-else' })) }), [secrets.accessToken, secrets.refreshToken]);
  expect(outcome.code).toBe('subject_mismatch');
  expect(outcome.rtKept).toBe(true);
  expect(outcome.leaks).toBe(0);
});

hardeningCase('hostile provider', 'a refresh whose ID token comes from another issuer', async (t) => {
  const secrets = canaries();
  const outcome = await probe.refresh(t, async () => ({ body: tokenAnswer(secrets, await op.idToken(CLIENT_ID, { iss: 'https://evil.example/op' })) }), [secrets.accessToken]);
  expect(outcome.code).toBe('id_token_issuer');
  expect(outcome.rtKept).toBe(true);
});

hardeningCase('hostile provider', 'a 5 MiB token answer (bug: a 200 MiB token was cached)', async (t) => {
  const secrets = { accessToken: `at-canary-${'x'.repeat(5 * 1024 * 1024)}`, refreshToken: 'rt-canary-huge' };
  const outcome = await probe.signIn(t, async (nonce) => ({ body: tokenAnswer(secrets, await op.idToken(CLIENT_ID, { nonce })) }), ['rt-canary-huge']);
  expect(outcome.code).toBe('response_too_large');
  expect(outcome.leaks).toBe(0);
});

type DiscoveryCase = readonly [name: string, change: (document: Record<string, unknown>) => Record<string, unknown>];
const DISCOVERY_CASES: readonly DiscoveryCase[] = [
  ['discovery names another issuer (OpenID Discovery 4.3)', (d) => ({ ...d, issuer: 'https://evil.example/op' })],
  ['jwks_uri is http', (d) => ({ ...d, jwks_uri: String(d['jwks_uri']).replace('https:', 'http:') })],
  ['jwks_uri is not a URL', (d) => ({ ...d, jwks_uri: 'keys, somewhere' })],
  ['jwks_uri is missing', (d) => ({ ...d, jwks_uri: undefined })],
  ['token_endpoint is http', (d) => ({ ...d, token_endpoint: String(d['token_endpoint']).replace('https:', 'http:') })],
  ['authorization_endpoint is javascript:', (d) => ({ ...d, authorization_endpoint: 'javascript:alert(1)' })],
  ['device_authorization_endpoint is http', (d) => ({ ...d, device_authorization_endpoint: 'http://127.0.0.1/device' })],
];

for (const [index, [name, change]] of DISCOVERY_CASES.entries()) {
  hardeningCase('hostile provider', `${name}: refused before anyone is sent to sign in`, async (t) => {
    const issuerName = `discovery-case-${index}`;
    op.queue('discovery', { body: change(op.discoveryOf(issuerName)) });
    let opened = 0;
    const code = await t.mustRefuse(() =>
      probe.app(undefined, op.issuerNamed(issuerName)).acquireTokenInteractive(['api://hostile/read'], {
        broker: {
          open: async () => {
            opened += 1;
            return 'http://127.0.0.1:9/?code=never';
          },
        },
        redirectUri: 'http://127.0.0.1:9/',
      }),
    );
    expect(code).toBe('authority_discovery_failed');
    expect(opened).toBe(0);
  });
}
