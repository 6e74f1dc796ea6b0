/**
 * The people, applications and tenants the test identity provider knows by default.
 *
 * Everything here is fixed so tests and the demo provider can name them; nothing is secret outside
 * this machine.
 */
import { createHash } from 'node:crypto';

/** A user who can sign in. `sub` is the subject claim, `oid` the Entra object id. */
export interface TestUser {
  username: string;
  password: string;
  sub: string;
  oid: string;
  name: string;
  email?: string;
}

/** A registered application. A client without `clientSecret` (or with `public`) is public. */
export interface TestClient {
  clientId: string;
  clientSecret?: string;
  redirectUris: string[];
  public?: boolean;
  grants?: string[];
  /** How a confidential client authenticates at the token endpoint; default `client_secret_post`. */
  tokenEndpointAuthMethod?: 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt';
  /** `private_key_jwt` clients (a certificate credential): the public keys its assertions are signed with. */
  jwks?: { keys: Record<string, unknown>[] };
}

/** The resource server every access token is issued for unless a client asks for another. */
export const DEMO_API = 'api://tessera-demo';

/**
 * Scopes the demo API accepts.
 *
 * `User.Read` is accepted as well, so Entra-style scope strings work; its tokens are still for the
 * demo API (there is no Graph here).
 */
export const DEMO_API_SCOPES: readonly string[] = [
  `${DEMO_API}/read`,
  `${DEMO_API}/write`,
  `${DEMO_API}/.default`,
  'User.Read',
];

/** The grant type of the On-Behalf-Of flow. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The grant type of the device authorization flow (RFC 8628). */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The default users: alice and bob of contoso. */
export const DEFAULT_USERS: readonly TestUser[] = [
  {
    username: 'alice@contoso.com',
    password: 'alice-password',
    sub: 'alice-sub-6a1f0c',
    oid: '6a1f0c2e-4b1d-4f5a-9d3e-1a2b3c4d5e01',
    name: 'Alice Example',
    email: 'alice@contoso.com',
  },
  {
    username: 'bob@contoso.com',
    password: 'bob-password',
    sub: 'bob-sub-7b2e1d',
    oid: '7b2e1d3f-5c2e-4a6b-8e4f-2b3c4d5e6f02',
    name: 'Bob Example',
    email: 'bob@contoso.com',
  },
];

/** Public client id (auth code + PKCE, refresh, password, device code). */
export const PUBLIC_CLIENT_ID = 'tessera-public';
/** Public client whose redirect is `https://localhost/redirect` (exact match). */
export const PUBLIC_WEB_CLIENT_ID = 'tessera-public-web';
/** Confidential client id. */
export const CONFIDENTIAL_CLIENT_ID = 'tessera-confidential';
/** Confidential client that authenticates with HTTP Basic, as oidc-agent does (the bench's peer). */
export const BASIC_AUTH_CLIENT_ID = 'tessera-oidc-agent';
/** Resource server client that may introspect tokens. */
export const API_CLIENT_ID = 'tessera-api';

/** The default clients: public, confidential and the introspecting API. */
export const DEFAULT_CLIENTS: readonly TestClient[] = [
  {
    clientId: PUBLIC_CLIENT_ID,
    public: true,
    // Loopback redirects match on any port (RFC 8252 §7.3); oidc-provider does that for native
    // clients but compares the rest as text, so both `http://localhost:PORT` and `…:PORT/` are listed.
    redirectUris: ['http://localhost', 'http://localhost/', 'http://127.0.0.1', 'http://127.0.0.1/'],
    grants: ['authorization_code', 'refresh_token', 'password', DEVICE_CODE_GRANT],
  },
  {
    // oidc-provider refuses https loopback redirects on native clients, so this one is a web client.
    clientId: PUBLIC_WEB_CLIENT_ID,
    public: true,
    redirectUris: ['https://localhost/redirect'],
    grants: ['authorization_code', 'refresh_token'],
  },
  {
    clientId: CONFIDENTIAL_CLIENT_ID,
    clientSecret: 'tessera-confidential-secret',
    redirectUris: ['https://localhost/redirect', 'http://localhost/callback'],
    grants: ['client_credentials', 'authorization_code', 'refresh_token', 'password', JWT_BEARER_GRANT],
  },
  {
    // oidc-agent sends client credentials with HTTP Basic (RFC 6749 §2.3.1) and signs in with the password grant.
    clientId: BASIC_AUTH_CLIENT_ID,
    clientSecret: 'tessera-oidc-agent-secret',
    redirectUris: ['http://localhost:4242/'],
    grants: ['password', 'refresh_token', 'authorization_code'],
    tokenEndpointAuthMethod: 'client_secret_basic',
  },
  {
    clientId: API_CLIENT_ID,
    clientSecret: 'tessera-api-secret',
    redirectUris: [],
    grants: ['client_credentials'],
  },
];

/** The tenant id of `contoso`, fixed so tests can write it down. */
const CONTOSO_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

/**
 * The GUID tenant id of a tenant name.
 *
 * `contoso` has a fixed id; other names get a stable id derived from the name.
 */
export function tenantIdFor(tenant: string): string {
  if (tenant === 'contoso') return CONTOSO_TENANT_ID;
  const hex = createHash('sha256').update(`tenant:${tenant}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
