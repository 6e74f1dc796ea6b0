import { describe, expect, it } from 'vitest';
import { readLaunchOptions } from '../../main/launch-options';
import { demoEnvironment } from '../../scripts/start';

describe('npm start', () => {
  it('hands the Electron app a demo provider that main/launch-options reads back whole', () => {
    const env = demoEnvironment({ oidcIssuer: 'https://localhost:40123/oidc', caPath: '/tmp/demo-ca.pem' }, 'tessera-public-web', ['api://tessera-demo/read']);
    const launch = readLaunchOptions(env, { isPackaged: false });
    expect(launch.demo?.caPath).toBe('/tmp/demo-ca.pem');
    expect(launch.demo?.profile).toMatchObject({
      authority: 'https://localhost:40123/oidc',
      clientId: 'tessera-public-web',
      redirectUri: 'https://localhost/redirect',
      defaultScopes: ['api://tessera-demo/read'],
    });
    // A packaged app ignores it: the demo provider exists only in a source checkout.
    expect(readLaunchOptions(env, { isPackaged: true }).demo).toBeUndefined();
  });
});
