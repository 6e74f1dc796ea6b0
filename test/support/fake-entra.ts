/**
 * An Entra-shaped authority on a `RecordingHttpClient`: discovery, signing keys, instance
 * metadata, and ID tokens signed with a real key — for wire-level unit tests of the client.
 *
 * Integration tests use the real provider in `test/support/idp`; this one lets a test script the
 * server's every answer (errors, HTML pages, tampered tokens).
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { JWK, CryptoKey } from 'jose';
import { RecordingHttpClient, jsonResponse } from './recording-http-client';

export const HOST = 'login.microsoftonline.com';
export const TENANT = 'contoso';
export const TENANT_ID = '11111111-2222-3333-4444-555555555555';
export const CLIENT_ID = 'my_client_id';
export const UID = 'uid';
export const UTID = 'utid';

/** base64url JSON, as Entra's `client_info`. */
export function clientInfo(uid = UID, utid = UTID): string {
  return Buffer.from(JSON.stringify({ uid, utid })).toString('base64url');
}

export interface FakeEntra {
  readonly http: RecordingHttpClient;
  readonly authority: string;
  readonly tokenEndpoint: string;
  readonly issuer: string;
  /** An ID token signed by the fake's key. */
  idToken(claims?: Record<string, unknown>, options?: { key?: CryptoKey; kid?: string }): Promise<string>;
  /** A key the fake does not publish (for tampering tests). */
  readonly strangerKey: CryptoKey;
  /** A successful token response body with a fresh ID token. */
  tokenResponse(overrides?: Record<string, unknown>, idClaims?: Record<string, unknown>): Promise<Record<string, unknown>>;
  tokenPosts(): ReturnType<RecordingHttpClient['requestsOf']>;
}

// RSA key generation is slow; one pair per test file is enough.
let pairs: Promise<[Awaited<ReturnType<typeof generateKeyPair>>, Awaited<ReturnType<typeof generateKeyPair>>]> | undefined;
function keyPairs() {
  pairs ??= Promise.all([generateKeyPair('RS256'), generateKeyPair('RS256')]);
  return pairs;
}

/** Build a fake Entra tenant on a new recording client. */
export async function createFakeEntra(options: { host?: string; tenant?: string } = {}): Promise<FakeEntra> {
  const host = options.host ?? HOST;
  const tenant = options.tenant ?? TENANT;
  const http = new RecordingHttpClient();
  const [{ privateKey, publicKey }, stranger] = await keyPairs();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  const base = `https://${host}/${TENANT_ID}`;
  const issuer = `https://${host}/${TENANT_ID}/v2.0`;
  const tokenEndpoint = `${base}/oauth2/v2.0/token`;
  http.onGet(`https://${host}/${tenant}/v2.0/.well-known/openid-configuration`, jsonResponse({
    issuer,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: tokenEndpoint,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    jwks_uri: `https://${host}/${TENANT_ID}/discovery/v2.0/keys`,
  }));
  http.onGet(`https://${host}/${TENANT_ID}/discovery/v2.0/keys`, jsonResponse({ keys: [jwk] }));
  http.onGet('https://login.microsoftonline.com/common/discovery/instance', jsonResponse({
    tenant_discovery_endpoint: `https://${host}/${tenant}/v2.0/.well-known/openid-configuration`,
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host, 'login.windows.net', 'sts.windows.net'] }],
  }));
  http.onGet(`https://${host}/common/userrealm/`, jsonResponse({ account_type: 'Managed' }));

  const idToken = async (claims: Record<string, unknown> = {}, opts: { key?: CryptoKey; kid?: string } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: issuer,
      aud: CLIENT_ID,
      sub: 'subject',
      oid: 'object1234',
      tid: TENANT_ID,
      preferred_username: 'john@contoso.com',
      name: 'John Doe',
      iat: now,
      nbf: now,
      exp: now + 3600,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'key-1' })
      .sign(opts.key ?? privateKey);
  };

  return {
    http,
    authority: `https://${host}/${tenant}`,
    tokenEndpoint,
    issuer,
    idToken,
    strangerKey: stranger.privateKey,
    async tokenResponse(overrides = {}, idClaims = {}) {
      return {
        token_type: 'Bearer',
        scope: 'User.Read openid profile offline_access',
        expires_in: 3600,
        ext_expires_in: 3600,
        access_token: `at-${randomUUID()}`,
        refresh_token: `rt-${randomUUID()}`,
        id_token: await idToken(idClaims),
        client_info: clientInfo(),
        ...overrides,
      };
    },
    tokenPosts: () => http.requestsOf('POST', tokenEndpoint),
  };
}
