import { describe, expect, it } from 'vitest';
import {
  Authority,
  canonicalize,
  detectRegion,
  regionalAuthorityHost,
  WELL_KNOWN_AUTHORITY_HOSTS,
} from '../../../main/auth/authority';
import { AuthorityError, TransportError } from '../../../main/auth/errors';
import { ThrottledHttpClient } from '../../../main/auth/throttled-http-client';
import { jsonResponse, RecordingHttpClient, textResponse } from '../../support/recording-http-client';

function openidConfig(base: string, tenant = 'tid-123'): Record<string, unknown> {
  return {
    issuer: `${base}/${tenant}/v2.0`,
    authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
  };
}

async function rejection(promise: Promise<unknown>): Promise<AuthorityError | TransportError> {
  try {
    await promise;
  } catch (error) {
    return error as AuthorityError;
  }
  throw new Error('expected a rejection');
}

/** The error `fn` throws; fails the test when it throws nothing. */
function thrown(fn: () => unknown): AuthorityError {
  try {
    fn();
  } catch (error) {
    return error as AuthorityError;
  }
  throw new Error('expected an error');
}

describe('canonicalize', () => {
  it('returns host without port, the tenant and a canonical URL with the port', () => {
    const { url, instance, tenant } = canonicalize('https://Login.Example.TEST:8443/Contoso/?x=1#y');
    expect(instance).toBe('login.example.test');
    expect(tenant).toBe('Contoso');
    expect(url.href).toBe('https://login.example.test:8443/Contoso');
  });

  it('gives a path-less CIAM URL its onmicrosoft.com tenant', () => {
    const { url, tenant } = canonicalize('https://contoso.ciamlogin.com/');
    expect(tenant).toBe('contoso.onmicrosoft.com');
    expect(url.href).toBe('https://contoso.ciamlogin.com/contoso.onmicrosoft.com');
  });

  it('rejects http, loopback http, path-less and garbage URLs', () => {
    for (const bad of ['http://login.example.test/t', 'http://127.0.0.1/t', 'http://localhost:3000/t', 'https://login.example.test', 'https://login.example.test/', 'nope']) {
      const error = thrown(() => canonicalize(bad));
      expect(error, bad).toBeInstanceOf(AuthorityError);
      expect(error.code, bad).toBe('invalid_authority');
    }
  });
});

describe('Authority.create (Entra)', () => {
  it('skips instance discovery on a well-known host and reads the endpoints', async () => {
    const http = new RecordingHttpClient();
    const base = 'https://login.microsoftonline.com';
    http.onGet(`${base}/contoso/v2.0/.well-known/openid-configuration`, jsonResponse(openidConfig(base)));
    const authority = await Authority.create(`${base}/contoso/`, http);
    expect(WELL_KNOWN_AUTHORITY_HOSTS).toContain('login.microsoftonline.com');
    expect(http.requests.map((r) => r.url)).toEqual([`${base}/contoso/v2.0/.well-known/openid-configuration`]);
    expect(authority.tenant).toBe('tid-123');
    expect(authority.instance).toBe('login.microsoftonline.com');
    expect(authority.canonicalUrl).toBe(`${base}/contoso`);
    expect(authority.tokenEndpoint).toBe(`${base}/tid-123/oauth2/v2.0/token`);
    expect(authority.deviceAuthorizationEndpoint).toBe(`${base}/tid-123/oauth2/v2.0/devicecode`);
    expect(authority.endSessionEndpoint).toBe(`${base}/tid-123/oauth2/v2.0/logout`);
    expect(authority.jwksUri).toBe(`${base}/tid-123/discovery/v2.0/keys`);
    expect(authority.issuer).toBe(`${base}/tid-123/v2.0`);
    expect(authority.metadata.token_endpoint).toBe(authority.tokenEndpoint);
    expect(authority.isAdfs || authority.isB2c || authority.isKnownToDeveloper).toBe(false);
  });

  it('runs instance discovery on an unknown host, keeping the port in every URL', async () => {
    const http = new RecordingHttpClient();
    const idp = 'https://127.0.0.1:8443';
    const discovery = 'https://127.0.0.1:9443/common/discovery/instance';
    http.onGet(discovery, (req) =>
      jsonResponse({ tenant_discovery_endpoint: `${idp}/t1/v2.0/.well-known/openid-configuration`, seen: req.params }),
    );
    http.onGet(`${idp}/t1/v2.0/.well-known/openid-configuration`, jsonResponse(openidConfig(idp, 't1')));
    const authority = await Authority.create(`${idp}/t1`, http, { instanceDiscovery: discovery });
    expect(http.requests[0]?.params).toEqual({
      authorization_endpoint: `${idp}/t1/oauth2/v2.0/authorize`,
      'api-version': '1.0',
    });
    expect(authority.instance).toBe('127.0.0.1');
    expect(authority.userRealmDiscoveryUrl('alice@example.test')).toBe(
      `${idp}/common/userrealm/alice%40example.test?api-version=1.0`,
    );
  });

  it('maps invalid_instance to untrusted_authority', async () => {
    const http = new RecordingHttpClient();
    http.onGet('https://login.microsoftonline.com/common/discovery/instance', jsonResponse({ error: 'invalid_instance' }, 400));
    const error = await rejection(Authority.create('https://evil.example.test/t', http));
    expect(error).toBeInstanceOf(AuthorityError);
    expect(error.code).toBe('untrusted_authority');
  });

  it('skips instance discovery when validateAuthority or instanceDiscovery is false, and for B2C and ADFS', async () => {
    const http = new RecordingHttpClient();
    http.onGet('https://', (req) => {
      const base = new URL(req.url).origin;
      return jsonResponse(openidConfig(base));
    });
    await Authority.create('https://custom.example.test/t', http, { validateAuthority: false });
    await Authority.create('https://custom2.example.test/t', http, { instanceDiscovery: false });
    const b2c = await Authority.create('https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin', http);
    const b2cByPath = await Authority.create('https://login.example.test/tenant/b2c_1_policy', http);
    const adfs = await Authority.create('https://adfs.example.test/adfs/', http);
    expect(http.requests.map((r) => r.url)).toEqual([
      'https://custom.example.test/t/v2.0/.well-known/openid-configuration',
      'https://custom2.example.test/t/v2.0/.well-known/openid-configuration',
      'https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin/v2.0/.well-known/openid-configuration',
      'https://login.example.test/tenant/b2c_1_policy/v2.0/.well-known/openid-configuration',
      'https://adfs.example.test/adfs/.well-known/openid-configuration',
    ]);
    expect([b2c.isB2c, b2cByPath.isB2c, adfs.isAdfs, adfs.isKnownToDeveloper]).toEqual([true, true, true, true]);
  });

  it('reports a 4xx discovery as authority_discovery_failed telling to check the tenant', async () => {
    const http = new RecordingHttpClient();
    http.onGet('https://login.microsoftonline.com/', jsonResponse({ error: 'invalid_tenant' }, 400));
    const error = await rejection(Authority.create('https://login.microsoftonline.com/no-such-tenant', http));
    expect(error.code).toBe('authority_discovery_failed');
    expect(error.message).toMatch(/tenant/);
  });

  it('reports HTML and malformed JSON as malformed_response, and 5xx as http_error', async () => {
    const html = new RecordingHttpClient().onGet('https://login.microsoftonline.com/', textResponse('<html>portal</html>', 200, { 'content-type': 'text/html' }));
    expect((await rejection(Authority.create('https://login.microsoftonline.com/t', html))).code).toBe('malformed_response');
    const broken = new RecordingHttpClient().onGet('https://login.microsoftonline.com/', textResponse('{"issuer":'));
    expect((await rejection(Authority.create('https://login.microsoftonline.com/t', broken))).code).toBe('malformed_response');
    const down = new RecordingHttpClient().onGet('https://login.microsoftonline.com/', textResponse('oops', 503));
    const error = await rejection(Authority.create('https://login.microsoftonline.com/t', down));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('http_error');
  });

  it('refuses discovery documents whose endpoints are not https', async () => {
    const http = new RecordingHttpClient().onGet('https://login.microsoftonline.com/', jsonResponse({
      ...openidConfig('https://login.microsoftonline.com'),
      token_endpoint: 'http://login.microsoftonline.com/t/oauth2/v2.0/token',
    }));
    expect((await rejection(Authority.create('https://login.microsoftonline.com/t', http))).code).toBe('authority_discovery_failed');
  });

  it('memoizes discovery per underlying client, so two apps fetch once', async () => {
    const http = new RecordingHttpClient();
    const base = 'https://memo.example.test:7443';
    http.onGet(base, jsonResponse(openidConfig(base)));
    const app1 = new ThrottledHttpClient(http, { defaultThrottleTime: 60 });
    const app2 = new ThrottledHttpClient(http, { defaultThrottleTime: 60 });
    await Authority.create(`${base}/t`, app1, { validateAuthority: false });
    await Authority.create(`${base}/t`, app2, { validateAuthority: false });
    expect(http.requests).toHaveLength(1);
    expect(http.requests[0]?.url).toBe(`${base}/t/v2.0/.well-known/openid-configuration`);
  });

  it('does not memoize an HTML answer', async () => {
    let html = true;
    const base = 'https://portal.example.test';
    const http = new RecordingHttpClient().onGet(base, () =>
      html ? textResponse('<html>sign in to wifi</html>') : jsonResponse(openidConfig(base)),
    );
    expect((await rejection(Authority.create(`${base}/t`, http, { validateAuthority: false }))).code).toBe('malformed_response');
    html = false;
    expect((await Authority.create(`${base}/t`, http, { validateAuthority: false })).tenant).toBe('tid-123');
  });

  it('does not memoize failures', async () => {
    let fail = true;
    const base = 'https://flaky.example.test';
    const http = new RecordingHttpClient().onGet(base, () => (fail ? textResponse('', 503) : jsonResponse(openidConfig(base))));
    await rejection(Authority.create(`${base}/t`, http, { validateAuthority: false }));
    fail = false;
    await Authority.create(`${base}/t`, http, { validateAuthority: false });
    expect(http.requests).toHaveLength(2);
  });
});

describe('aliases', () => {
  const metadata = {
    metadata: [
      { preferred_network: 'login.microsoftonline.com', aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'] },
      { preferred_network: '127.0.0.1', aliases: ['127.0.0.1', 'localhost'] },
    ],
  };

  it('returns the other hosts of the group, fetched once, with MSAL query parameters', async () => {
    const http = new RecordingHttpClient();
    const endpoint = 'https://127.0.0.1:9443/common/discovery/instance';
    http.onGet(endpoint, (req) =>
      req.params['api-version'] === '1.1'
        ? jsonResponse(metadata)
        : jsonResponse({ tenant_discovery_endpoint: 'https://127.0.0.1:8443/t/v2.0/.well-known/openid-configuration' }),
    );
    http.onGet('https://127.0.0.1:8443/', jsonResponse(openidConfig('https://127.0.0.1:8443', 't')));
    http.onGet('https://localhost:8443/', jsonResponse(openidConfig('https://localhost:8443', 't')));
    const authority = await Authority.create('https://127.0.0.1:8443/t', http, { instanceDiscovery: endpoint });
    expect(await authority.getAliases()).toEqual(['localhost']);
    expect(await authority.getAliases()).toEqual(['localhost']);
    const aliasRequests = http.requests.filter((r) => r.params['api-version'] === '1.1');
    expect(aliasRequests).toHaveLength(1);
    expect(aliasRequests[0]?.params.authorization_endpoint).toBe('https://login.microsoftonline.com/common/oauth2/authorize');

    const other = await authority.withInstance('localhost');
    expect(other.instance).toBe('localhost');
    expect(other.canonicalUrl).toBe('https://localhost:8443/t');
    expect(other.tenant).toBe('t');
    expect(await other.getAliases()).toEqual([]);
  });

  it('are [] when instance discovery is off or the authority is known to the developer', async () => {
    const http = new RecordingHttpClient().onGet('https://', (req) => jsonResponse(openidConfig(new URL(req.url).origin)));
    const off = await Authority.create('https://login.microsoftonline.com/t', http, { instanceDiscovery: false });
    const trusted = await Authority.create('https://login.microsoftonline.com/t', http, { validateAuthority: false });
    expect(await off.getAliases()).toEqual([]);
    expect(await trusted.getAliases()).toEqual([]);
    expect(http.requests.every((r) => !r.url.includes('discovery/instance'))).toBe(true);
  });
});

describe('Authority.create (generic OIDC)', () => {
  const issuer = 'https://127.0.0.1:8443/oidc';

  it('discovers from {issuer}/.well-known/openid-configuration with no instance discovery', async () => {
    const http = new RecordingHttpClient().onGet(`${issuer}/.well-known/openid-configuration`, jsonResponse({
      issuer,
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      introspection_endpoint: `${issuer}/token/introspection`,
    }));
    const authority = await Authority.create(`${issuer}/`, http, { isOidc: true });
    expect(http.requests).toHaveLength(1);
    expect(authority.isOidc && authority.isKnownToDeveloper).toBe(true);
    expect(authority.issuer).toBe(issuer);
    expect(authority.introspectionEndpoint).toBe(`${issuer}/token/introspection`);
    expect(authority.instance).toBe('127.0.0.1');
    expect(await authority.getAliases()).toEqual([]);
  });

  it('accepts an issuer that differs only by a trailing slash', async () => {
    const slashIssuer = 'https://localhost:8443';
    const http = new RecordingHttpClient().onGet(`${slashIssuer}/.well-known/openid-configuration`, jsonResponse({
      issuer: `${slashIssuer}/`,
      authorization_endpoint: `${slashIssuer}/auth`,
      token_endpoint: `${slashIssuer}/token`,
      jwks_uri: `${slashIssuer}/jwks`,
    }));
    const authority = await Authority.create(slashIssuer, http, { isOidc: true });
    expect(authority.canonicalUrl).toBe(slashIssuer);
    expect(authority.tenant).toBe('token');
  });

  it('rejects a discovery document naming another issuer', async () => {
    const http = new RecordingHttpClient().onGet(`${issuer}2/`, jsonResponse({
      issuer: 'https://attacker.example.test',
      authorization_endpoint: `${issuer}2/auth`,
      token_endpoint: `${issuer}2/token`,
      jwks_uri: `${issuer}2/jwks`,
    }));
    const error = await rejection(Authority.create(`${issuer}2`, http, { isOidc: true }));
    expect(error).toBeInstanceOf(AuthorityError);
    expect(error.code).toBe('authority_discovery_failed');
  });

  it('requires https', async () => {
    const error = await rejection(Authority.create('http://127.0.0.1:8080', new RecordingHttpClient(), { isOidc: true }));
    expect(error.code).toBe('invalid_authority');
  });
});

describe('regions', () => {
  it('builds regional hosts as MSAL does', () => {
    expect(regionalAuthorityHost('login.microsoftonline.com', 'westus')).toBe('westus.login.microsoft.com');
    expect(regionalAuthorityHost('sts.windows.net', 'westus')).toBe('westus.login.microsoft.com');
    expect(regionalAuthorityHost('login.chinacloudapi.cn', 'chinaeast')).toBe('chinaeast.login.chinacloudapi.cn');
  });

  it('follows azureRegion, MSAL_FORCE_REGION, REGION_NAME and then IMDS (loopback only)', async () => {
    const imdsUrl = 'http://127.0.0.1:1/metadata/instance/compute/location?format=text&api-version=2021-01-01';
    const http = new RecordingHttpClient().onGet(imdsUrl, textResponse('eastus2\n'));
    expect(await detectRegion({ azureRegion: 'westus', http, imdsUrl, env: {} })).toBe('westus');
    expect(await detectRegion({ azureRegion: false, http, imdsUrl, env: { MSAL_FORCE_REGION: 'x' } })).toBeUndefined();
    expect(await detectRegion({ azureRegion: null, http, imdsUrl, env: { MSAL_FORCE_REGION: 'centralus' } })).toBe('centralus');
    expect(await detectRegion({ http, imdsUrl, env: {} })).toBeUndefined();
    expect(await detectRegion({ azureRegion: true, http, imdsUrl, env: { REGION_NAME: 'East Us 2' } })).toBe('eastus2');
    expect(http.requests).toHaveLength(0);
    expect(await detectRegion({ azureRegion: true, http, imdsUrl, env: {} })).toBe('eastus2');
    expect(http.requests[0]?.headers).toEqual({ Metadata: 'true' });
  });

  it('gives undefined when IMDS fails, hangs or answers something that is not a region', async () => {
    const failing = new RecordingHttpClient().onGet('http://127.0.0.1:1/', () => {
      throw new Error('connect ECONNREFUSED');
    });
    const imdsUrl = 'http://127.0.0.1:1/location';
    expect(await detectRegion({ azureRegion: true, http: failing, imdsUrl, env: {} })).toBeUndefined();
    const hanging = new RecordingHttpClient().onGet('http://127.0.0.1:1/', () => new Promise(() => {}));
    expect(await detectRegion({ azureRegion: true, http: hanging, imdsUrl, env: {}, timeoutMs: 20 })).toBeUndefined();
    const weird = new RecordingHttpClient().onGet('http://127.0.0.1:1/', textResponse('evil.example.test/x'));
    expect(await detectRegion({ azureRegion: true, http: weird, imdsUrl, env: {} })).toBeUndefined();
  });
});
