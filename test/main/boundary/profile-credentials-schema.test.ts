/**
 * The boundary schema of a profile draft's app-identity, secret and CA fields: shape and size only
 * (meaning is checked by the services), and no message ever echoes a received value.
 */
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_LIMITS } from '../../../preload/contract';
import { parseArguments } from '../../../main/boundary/schema';

const appDraft = {
  name: 'Deploy robot',
  kind: 'oidc',
  preset: 'custom-oidc',
  clientId: 'robot',
  authority: 'https://issuer.example',
  defaultScopes: ['api://x/.default'],
  signInMethod: 'system-browser',
  grant: 'app',
  clientAuth: { kind: 'certificate', thumbprint: 'ab'.repeat(20) },
  privateKey: '-----BEGIN PRIVATE KEY-----\r\nMIIB\nAAAA\n-----END PRIVATE KEY-----\n',
  caFile: '/etc/ssl/lab-ca.pem',
};

function message(args: unknown[]): string {
  try {
    parseArguments('saveProfile', args);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('profile draft: app identity, client secret and custom CA fields', () => {
  it('accepts them, a multi-line PEM key included, and the "saved" flag main reported', () => {
    expect(parseArguments('saveProfile', [appDraft])).toEqual([appDraft]);
    const edited = { ...appDraft, id: 'p-1', clientAuth: { kind: 'secret', saved: true }, privateKey: undefined, clientSecret: 's3cret-value', demoProvider: true };
    const { privateKey: _dropped, ...withoutKey } = edited;
    expect(parseArguments('validateProfile', [withoutKey])).toEqual([withoutKey]);
  });

  it('refuses wrong shapes with the field named and the value never echoed', () => {
    const secret = 'never-echo-this-secret';
    expect(message([{ ...appDraft, grant: 'robot' }])).toMatch(/^Profile kind must be one of user, app/);
    expect(message([{ ...appDraft, clientAuth: { kind: 'password' } }])).toMatch(/^Client credential kind must be one of secret, certificate/);
    expect(message([{ ...appDraft, clientAuth: { kind: 'secret', secret } }])).toMatch(/^The client credential has a field Tessera does not know/);
    const tooLong = message([{ ...appDraft, clientSecret: secret.repeat(100) }]);
    expect(tooLong).toBe(`Client secret must have at most ${CREDENTIAL_LIMITS.clientSecretLength} characters.`);
    expect(message([{ ...appDraft, clientSecret: `${secret}\u0000` }])).not.toContain(secret);
    expect(message([{ ...appDraft, privateKey: `${secret}\u0007` }])).toBe('Private key must be the text of a PEM file.');
    expect(message([{ ...appDraft, caFile: 'x'.repeat(CREDENTIAL_LIMITS.filePathLength + 1) }])).toMatch(/^Custom CA certificate must have at most/);
  });
});
