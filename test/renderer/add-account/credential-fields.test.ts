import { describe, expect, it } from 'vitest';
import type { ProviderProfile } from '../../../preload/contract';
import { credentialDraft, initialCredentials } from '../../../renderer/add-account/credential-fields';

const robot: ProviderProfile = {
  id: 'p-1',
  name: 'Deploy robot',
  kind: 'oidc',
  preset: 'custom-oidc',
  clientId: 'robot',
  authority: 'https://issuer.example',
  defaultScopes: ['api://x/.default'],
  signInMethod: 'system-browser',
  grant: 'app',
  clientAuth: { kind: 'secret', saved: true },
  caFile: '/etc/ssl/lab-ca.pem',
};

describe('credential fields of the profile form', () => {
  it('sends a secret only when one was typed: editing with an empty field keeps the saved one', () => {
    const editing = initialCredentials({ profile: robot, mode: 'edit' });
    expect(editing).toMatchObject({ grant: 'app', kind: 'secret', saved: true, secret: '', caFile: '/etc/ssl/lab-ca.pem' });
    expect(credentialDraft(editing)).toEqual({ grant: 'app', clientAuth: { kind: 'secret' }, caFile: '/etc/ssl/lab-ca.pem' });
    expect(credentialDraft({ ...editing, secret: 'n3w-secret' })).toEqual({ grant: 'app', clientAuth: { kind: 'secret' }, clientSecret: 'n3w-secret', caFile: '/etc/ssl/lab-ca.pem' });
  });

  it('a copy does not inherit the saved secret', () => {
    expect(initialCredentials({ profile: robot, mode: 'duplicate' }).saved).toBe(false);
  });

  it('a certificate sends its thumbprint, and its key only when pasted', () => {
    const state = { ...initialCredentials(undefined), grant: 'app' as const, kind: 'certificate' as const, thumbprint: ' ab12 ' };
    expect(credentialDraft(state)).toEqual({ grant: 'app', clientAuth: { kind: 'certificate', thumbprint: 'ab12' } });
    expect(credentialDraft({ ...state, privateKey: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----' }).privateKey).toContain('BEGIN PRIVATE KEY');
  });

  it('a user profile has no credential unless "has a secret" is ticked; unticking removes it', () => {
    const plain = initialCredentials(undefined);
    expect(credentialDraft(plain)).toEqual({});
    expect(credentialDraft({ ...plain, userSecret: true, secret: 'g00gle-secret' })).toEqual({ clientAuth: { kind: 'secret' }, clientSecret: 'g00gle-secret' });
    const google = initialCredentials({ profile: { ...robot, grant: undefined, caFile: undefined }, mode: 'edit' });
    expect(google.userSecret).toBe(true);
    expect(credentialDraft({ ...google, userSecret: false })).toEqual({});
  });
});
