import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_CLIENT_ID, isDemoCertificate, readLaunchOptions } from '../../main/launch-options';

describe('readLaunchOptions', () => {
  it('ignores every TESSERA_ variable in a packaged app', () => {
    expect(readLaunchOptions({ TESSERA_TEST_HOOKS: '1', TESSERA_DEMO: '1', TESSERA_USER_DATA_DIR: '/tmp/x' }, { isPackaged: true })).toEqual({ testHooks: false });
  });

  it('reads hooks, user data and the demo provider in a source checkout', () => {
    const options = readLaunchOptions(
      { TESSERA_TEST_HOOKS: '1', TESSERA_USER_DATA_DIR: '/tmp/x', TESSERA_DEMO: '1', TESSERA_DEMO_ISSUER: 'https://localhost:9999/oidc', TESSERA_DEMO_SCOPES: 'a b', TESSERA_DEMO_CA: '/tmp/ca.pem' },
      { isPackaged: false },
    );
    expect(options).toEqual({
      testHooks: true,
      userDataDir: '/tmp/x',
      demo: {
        caPath: '/tmp/ca.pem',
        profile: expect.objectContaining({ kind: 'oidc', authority: 'https://localhost:9999/oidc', clientId: DEFAULT_DEMO_CLIENT_ID, defaultScopes: ['a', 'b'], signInMethod: 'embedded' }),
      },
    });
  });

  it('has no demo provider and no hooks unless asked', () => {
    expect(readLaunchOptions({ TESSERA_TEST_HOOKS: 'true' }, { isPackaged: false })).toEqual({ testHooks: false });
  });
});

describe('isDemoCertificate', () => {
  const demo = { issuer: 'https://localhost:9999/oidc', caPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' };
  it('trusts the demo CA for the demo host only', () => {
    expect(isDemoCertificate({ hostname: 'localhost', issuerPem: '-----BEGIN CERTIFICATE-----\r\nAAAA\r\n-----END CERTIFICATE-----' }, demo)).toBe(true);
    expect(isDemoCertificate({ hostname: 'localhost', issuerPem: '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----' }, demo)).toBe(false);
    expect(isDemoCertificate({ hostname: 'login.example.com', issuerPem: demo.caPem }, demo)).toBe(false);
    expect(isDemoCertificate({ hostname: 'localhost', issuerPem: undefined }, demo)).toBe(false);
    expect(isDemoCertificate({ hostname: 'evil.example', issuerPem: demo.caPem }, { ...demo, issuer: 'https://evil.example/' })).toBe(false);
  });
});
