/**
 * Generated malformed answers for the "malformed responses" row: discovery documents, key sets and
 * token answers, each one that the auth core must refuse.
 *
 * Deterministic (a seeded generator), so a failing case has a stable name. Three layers of damage:
 * the body as a whole (not JSON, not an object, truncated, HTML, deeply nested), the status, and
 * single fields (missing, of another type, an unusable value). Values that the auth core accepts on
 * purpose (`expires_in` as a numeric string, as MSAL Python does) are not generated.
 */
import type { JWK } from 'jose';
import type { ScriptedAnswer } from '../../support/hostile-provider';

/** A seeded PRNG (mulberry32): the same cases on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One generated case: a name and the answer (built late, when it needs the flow's nonce). */
export interface MalformedCase {
  readonly name: string;
  readonly answer: (context: { readonly nonce: string; readonly idToken: string }) => ScriptedAnswer;
}

// Bodies that are not a JSON object, whatever the endpoint.
const JUNK_BODIES: readonly (readonly [string, string])[] = [
  ['empty body', ''],
  ['whitespace', '   \n'],
  ['null', 'null'],
  ['an array', '[]'],
  ['an array of objects', '[{"access_token":"x"}]'],
  ['a string', '"access_token"'],
  ['a number', '42'],
  ['true', 'true'],
  ['an HTML page', '<!doctype html><html><body><h1>Sign in to the Wi-Fi</h1></body></html>'],
  ['an HTML fragment', '<p>Bad gateway</p>'],
  ['XML', '<?xml version="1.0"?><error>invalid</error>'],
  ['single quotes', "{'error': 'invalid_grant'}"],
  ['a trailing comma', '{"error": "invalid_grant",}'],
  ['NaN', '{"expires_in": NaN}'],
  ['an unterminated string', '{"access_token": "abc'],
  ['binary', '\u0000\u0001\u0002\u00ff\ufffd'],
  ['deeply nested arrays', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ['deeply nested objects', `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`],
  ['two JSON objects', '{"a":1}{"b":2}'],
];

// Values of the wrong type, or the right type with nothing usable in it.
const WRONG_TYPES: readonly (readonly [string, unknown])[] = [
  ['a number', 42],
  ['null', null],
  ['an array', ['https://x.example']],
  ['an object', { url: 'https://x.example' }],
  ['true', true],
  ['an empty string', ''],
];

const BAD_URLS: readonly (readonly [string, string])[] = [
  ['http', 'http://127.0.0.1/insecure'],
  ['not a URL', 'not a url'],
  ['a relative path', '/token'],
  ['javascript:', 'javascript:alert(1)'],
  ['file:', 'file:///etc/passwd'],
  ['data:', 'data:application/json,{}'],
  ['https without a host', 'https://'],
  ['ftp', 'ftp://127.0.0.1/token'],
  ['ws', 'ws://127.0.0.1/token'],
];

const FAILURE_STATUSES: readonly number[] = [301, 302, 307, 400, 401, 403, 404, 410, 429, 500, 502, 503, 504];

/** Cut JSON text at `n` random places (never at its end). */
function truncations(text: string, n: number, random: () => number): string[] {
  const out = new Set<string>();
  while (out.size < n) out.add(text.slice(0, 1 + Math.floor(random() * (text.length - 2))));
  return [...out];
}

function json(body: unknown): string {
  return JSON.stringify(body);
}

/** Discovery documents, each for an issuer of its own, built from `base` (the valid document). */
export function malformedDiscovery(base: Readonly<Record<string, unknown>>, random: () => number): MalformedCase[] {
  const cases: MalformedCase[] = [];
  const add = (name: string, answer: ScriptedAnswer): void => void cases.push({ name: `discovery: ${name}`, answer: () => answer });
  for (const [name, body] of JUNK_BODIES) add(`body is ${name}`, { body });
  for (const status of FAILURE_STATUSES) add(`HTTP ${status} with a valid document`, { status, body: base });
  for (const text of truncations(json(base), 150, random)) add(`truncated at ${text.length}`, { body: text });
  const required = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'];
  for (const field of required) {
    const { [field]: _removed, ...without } = base;
    add(`${field} missing`, { body: without });
    for (const [name, value] of WRONG_TYPES) add(`${field} is ${name}`, { body: { ...base, [field]: value } });
    if (field !== 'issuer') for (const [name, value] of BAD_URLS) add(`${field} is ${name}`, { body: { ...base, [field]: value } });
  }
  for (const [name, value] of [...BAD_URLS, ...WRONG_TYPES.filter(([n]) => n !== 'null' && n !== 'an empty string')]) {
    add(`device_authorization_endpoint is ${name}`, { body: { ...base, device_authorization_endpoint: value } });
  }
  const issuer = String(base['issuer']);
  for (const [name, other] of [
    ['another host', issuer.replace('127.0.0.1', 'localhost')],
    ['another path', `${issuer}/other`],
    ['a parent path', issuer.slice(0, issuer.lastIndexOf('/'))],
    ['http', issuer.replace('https:', 'http:')],
    ['another case in the path', issuer.toUpperCase().replace('HTTPS://', 'https://')],
    ['with a query', `${issuer}?x=1`],
  ] as const) {
    add(`issuer is ${name}`, { body: { ...base, issuer: other } });
  }
  return cases;
}

/** Key sets that hold no usable key for the ID token's `kid` (`k1`, RS256). */
export function malformedJwks(valid: JWK, stranger: JWK, random: () => number): MalformedCase[] {
  const cases: MalformedCase[] = [];
  const add = (name: string, answer: ScriptedAnswer): void => void cases.push({ name: `jwks: ${name}`, answer: () => answer });
  for (const [name, body] of JUNK_BODIES) add(`body is ${name}`, { body });
  for (const status of FAILURE_STATUSES) add(`HTTP ${status} with the valid key set`, { status, body: { keys: [valid] } });
  for (const text of truncations(json({ keys: [valid] }), 150, random)) add(`truncated at ${text.length}`, { body: text });
  add('no keys member', { body: {} });
  for (const [name, value] of WRONG_TYPES) add(`keys is ${name}`, { body: { keys: value } });
  add('keys is empty', { body: { keys: [] } });
  add('a stranger\'s key under our kid', { body: { keys: [{ ...stranger, kid: 'k1' }] } });
  add('only keys with other kids', { body: { keys: [{ ...valid, kid: 'k2' }, { ...stranger, kid: 'k3' }] } });
  for (const [name, change] of [
    ['kty EC', { kty: 'EC' }],
    ['kty oct', { kty: 'oct', k: 'c2VjcmV0' }],
    ['kty missing', { kty: undefined }],
    ['kty a number', { kty: 7 }],
    ['n missing', { n: undefined }],
    ['e missing', { e: undefined }],
    ['n empty', { n: '' }],
    ['n not base64url', { n: '!!!not base64!!!' }],
    ['n a number', { n: 12345 }],
    ['e a number', { e: 65537 }],
    ['n truncated', { n: String(valid.n).slice(0, 20) }],
    ['e zero', { e: 'AA' }],
    ['alg ES256', { alg: 'ES256' }],
    ['alg none', { alg: 'none' }],
    ['alg HS256', { alg: 'HS256' }],
    ['use enc', { use: 'enc' }],
    ['key_ops encrypt only', { key_ops: ['encrypt'] }],
    ['n of the stranger', { n: stranger.n }],
  ] as const) {
    add(`our key with ${name}`, { body: { keys: [{ ...valid, ...change }] } });
  }
  return cases;
}

/** Token answers to a sign-in; each one must be refused and must write nothing. */
export function malformedTokenAnswers(random: () => number): MalformedCase[] {
  const cases: MalformedCase[] = [];
  const add = (name: string, answer: MalformedCase['answer']): void => void cases.push({ name: `token: ${name}`, answer });
  const good = (idToken: string, at = `at-canary-${Math.floor(random() * 1e12)}`): Record<string, unknown> => ({
    token_type: 'Bearer',
    expires_in: 3600,
    access_token: at,
    refresh_token: `rt-canary-${Math.floor(random() * 1e12)}`,
    id_token: idToken,
  });
  for (const [name, body] of JUNK_BODIES) add(`body is ${name}`, () => ({ body }));
  for (const status of FAILURE_STATUSES) {
    add(`HTTP ${status} with a complete token answer`, ({ idToken }) => ({ status, body: good(idToken) }));
    add(`HTTP ${status} with an empty body`, () => ({ status, body: '' }));
    add(`HTTP ${status} with an HTML page`, () => ({ status, body: '<html><body>error</body></html>', headers: { 'content-type': 'text/html' } }));
  }
  // Truncations of a real answer: the ID token is long, so most cuts land inside it.
  for (let i = 0; i < 150; i += 1) {
    const cut = random();
    add(`truncated at ${Math.round(cut * 100)}%`, ({ idToken }) => {
      const text = json(good(idToken));
      return { body: text.slice(0, Math.max(1, Math.floor(cut * (text.length - 1)))) };
    });
  }
  for (const field of ['access_token', 'id_token']) {
    add(`${field} missing`, ({ idToken }) => {
      const { [field]: _removed, ...rest } = good(idToken);
      return { body: rest };
    });
    for (const [name, value] of WRONG_TYPES) add(`${field} is ${name}`, ({ idToken }) => ({ body: { ...good(idToken), [field]: value } }));
  }
  for (const [name, value] of WRONG_TYPES.filter(([n]) => n !== 'null' && n !== 'an empty string')) {
    add(`refresh_token is ${name}`, ({ idToken }) => ({ body: { ...good(idToken), refresh_token: value } }));
    add(`error is ${name} beside a token`, ({ idToken }) => ({ body: { ...good(idToken), error: value } }));
  }
  for (const [field, values] of [
    ['expires_in', ['soon', 'NaN', '1e999', {}, [], true, '']],
    ['ext_expires_in', ['later', {}, [1], '3600.5s']],
    ['refresh_in', ['x', {}, ['1']]],
  ] as const) {
    for (const value of values) add(`${field} is ${JSON.stringify(value)}`, ({ idToken }) => ({ body: { ...good(idToken), [field]: value } }));
  }
  // ID tokens that are not JWTs, or JWTs whose parts are damaged.
  const damages: readonly (readonly [string, (token: string) => string])[] = [
    ['one part', (t) => t.split('.')[0] ?? ''],
    ['two parts', (t) => t.split('.').slice(0, 2).join('.')],
    ['four parts', (t) => `${t}.extra`],
    ['an empty signature', (t) => `${t.slice(0, t.lastIndexOf('.'))}.`],
    ['a header that is not JSON', (t) => `${Buffer.from('not json').toString('base64url')}.${t.split('.').slice(1).join('.')}`],
    ['a payload that is not JSON', (t) => { const [h, , s] = t.split('.'); return `${h}.${Buffer.from('not json').toString('base64url')}.${s}`; }],
    ['a payload that is an array', (t) => { const [h, , s] = t.split('.'); return `${h}.${Buffer.from('[1,2]').toString('base64url')}.${s}`; }],
    ['spaces', (t) => t.replace(/\./g, ' . ')],
    ['a flipped signature byte', (t) => { const s = t.slice(t.lastIndexOf('.') + 1); const flipped = (s[5] === 'A' ? 'B' : 'A'); return `${t.slice(0, t.lastIndexOf('.') + 1)}${s.slice(0, 5)}${flipped}${s.slice(6)}`; }],
    ['a JWE-shaped token', () => 'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d'],
    ['base64 padding', (t) => t.replace(/\./g, '==.')],
  ];
  for (const [name, damage] of damages) add(`id_token has ${name}`, ({ idToken }) => ({ body: { ...good(damage(idToken)) } }));
  // Random byte damage in the ID token's signed parts: any change breaks the signature.
  for (let i = 0; i < 350; i += 1) {
    const where = random();
    const char = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[Math.floor(random() * 64)] ?? 'A';
    add(`id_token with a changed character at ${Math.round(where * 1000) / 10}% of its signed part`, ({ idToken }) => {
      const signed = idToken.slice(0, idToken.lastIndexOf('.'));
      // Not the last character of a part: its low bits may be padding that decoders ignore.
      let at = Math.floor(where * (signed.length - 1));
      if (signed[at] === '.') at += 1;
      if (signed[at + 1] === '.') at -= 1;
      const replacement = signed[at] === char ? (char === 'A' ? 'B' : 'A') : char;
      return { body: good(`${signed.slice(0, at)}${replacement}${idToken.slice(at + 1)}`) };
    });
  }
  return cases;
}
