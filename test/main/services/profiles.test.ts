import { describe, expect, it } from 'vitest';
import type { ProfileDraft } from '../../../preload/contract';
import type { KeyValueStore } from '../../../main/persistence/settings-store';
import { checkProfileFields, ENTRA_NATIVE_REDIRECT_URI, ProfileRegistry, toProfile } from '../../../main/services/profiles';

const entra: ProfileDraft = {
  name: 'Work',
  kind: 'entra',
  preset: 'entra',
  clientId: '3f2b6a1e-8c4d-4e7f-9a0b-1c2d3e4f5a6b',
  authority: 'https://login.microsoftonline.com/organizations',
  defaultScopes: ['User.Read'],
  signInMethod: 'embedded',
};

describe('checkProfileFields', () => {
  it('accepts a well-formed Entra profile and defaults its embedded redirect URI', () => {
    expect(checkProfileFields(entra)).toEqual({});
    expect(toProfile(entra, 'p1').redirectUri).toBe(ENTRA_NATIVE_REDIRECT_URI);
  });

  it('names each field whose meaning is wrong (shape is the boundary schema\'s job)', () => {
    const errors = checkProfileFields({
      ...entra,
      clientId: 'abc',
      authority: 'https://login.microsoftonline.com/{tenant}',
      defaultScopes: ['User.Read', 'offline_access'],
      redirectUri: 'javascript:alert(1)',
    });
    expect(Object.keys(errors).sort()).toEqual(['authority', 'clientId', 'defaultScopes', 'redirectUri']);
    expect(errors.authority).toMatch(/placeholders/);
  });

  it('checks OIDC issuers and redirect URIs', () => {
    const oidc: ProfileDraft = { ...entra, kind: 'oidc', preset: 'okta', clientId: '0oa1b2c3', authority: 'https://example.okta.com/oauth2/default', signInMethod: 'system-browser' };
    expect(checkProfileFields(oidc)).toEqual({});
    expect(checkProfileFields({ ...oidc, authority: 'https://example.okta.com/?x=1' }).authority).toMatch(/query/);
    expect(checkProfileFields({ ...oidc, signInMethod: 'embedded' }).redirectUri).toMatch(/redirect URI/);
    expect(checkProfileFields({ ...oidc, signInMethod: 'embedded', redirectUri: 'com.example.app:/callback' })).toEqual({});
  });

  it('normalises drafts: trims, drops reserved scopes, forces the system browser for Google', () => {
    const profile = toProfile({ ...entra, kind: 'oidc', preset: 'google', name: ' G ', defaultScopes: ['email', 'openid', ' email '] }, 'g');
    expect(profile).toMatchObject({ name: 'G', defaultScopes: ['email'], signInMethod: 'system-browser' });
  });
});

/** A {@link KeyValueStore} in memory. */
class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, unknown>();
  get(key: string): unknown {
    return this.data.get(key);
  }
  set(key: string, value: unknown): void {
    this.data.set(key, structuredClone(value));
  }
  delete(key: string): void {
    this.data.delete(key);
  }
}

describe('extra authorize parameters', () => {
  it('cannot override state, nonce, PKCE or the redirect URI that bind a response to its request', () => {
    const registry = new ProfileRegistry(new MemoryStore(), undefined);
    for (const name of ['state', 'nonce', 'code_challenge', 'code_challenge_method', 'redirect_uri', 'client_id', 'response_type', 'response_mode']) {
      expect(() => registry.save({ ...entra, extraAuthorizeParameters: { [name]: 'attacker-chosen' } })).toThrow(/is set by Tessera/);
    }
    expect(registry.list()).toEqual([]);
    // Provider quirks stay possible (Google's access_type and prompt).
    expect(registry.save({ ...entra, extraAuthorizeParameters: { access_type: 'offline', prompt: 'consent' } }).extraAuthorizeParameters).toEqual({
      access_type: 'offline',
      prompt: 'consent',
    });
    // A stored profile from before this rule loses the reserved names when loaded.
    expect(toProfile({ ...entra, extraAuthorizeParameters: { state: 'fixed', audience: 'api' } }, 'old').extraAuthorizeParameters).toEqual({ audience: 'api' });
  });
});

describe('checkProfileFields for app identities', () => {
  const app: ProfileDraft = { ...entra, grant: 'app', clientAuth: { kind: 'secret' }, defaultScopes: ['https://graph.microsoft.com/.default'], authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com' };

  it('accepts an Entra app identity in one tenant, without a redirect URI', () => {
    expect(checkProfileFields({ ...app, signInMethod: 'embedded', redirectUri: undefined })).toEqual({});
  });

  it('asks for one tenant, a scope, a credential and a well-formed thumbprint, in plain words', () => {
    expect(checkProfileFields({ ...app, authority: 'https://login.microsoftonline.com/organizations' }).authority).toMatch(/one tenant.*instead of "organizations"/);
    expect(checkProfileFields({ ...app, defaultScopes: [] }).defaultScopes).toMatch(/https:\/\/graph.microsoft.com\/.default/);
    expect(checkProfileFields({ ...app, clientAuth: undefined }).clientSecret).toMatch(/client secret or a certificate/);
    expect(checkProfileFields({ ...app, clientAuth: { kind: 'certificate', thumbprint: 'xyz' } }).thumbprint).toMatch(/40 hexadecimal/);
  });
});
