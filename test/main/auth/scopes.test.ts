import { describe, expect, it } from 'vitest';
import { decorateScopes, scopeParam, sortScopes, validateExcludeScopes } from '../../../main/auth/scopes';
import { InvalidArgumentError } from '../../../main/auth/errors';

describe('scope decoration', () => {
  it('adds the reserved scopes and sorts as Python does (uppercase first)', () => {
    expect(scopeParam(decorateScopes(['User.Read']))).toBe('User.Read offline_access openid profile');
  });

  it('drops excluded scopes', () => {
    expect(scopeParam(decorateScopes(['User.Read'], ['offline_access']))).toBe('User.Read openid profile');
  });

  it('refuses reserved scopes passed by the caller with a typed error', () => {
    const call = () => decorateScopes(['openid', 'User.Read']);
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(expect.objectContaining({ code: 'reserved_scope' }));
  });

  it('accepts the client id as a scope (B2C) and a Set', () => {
    expect(decorateScopes(new Set(['my-client-id']))).toEqual(['my-client-id', 'offline_access', 'openid', 'profile']);
  });

  it('refuses a string where a list is expected', () => {
    expect(() => decorateScopes('User.Read' as unknown as string[])).toThrow(/list of strings/);
  });

  it('sorts by code point like Python, not by locale or UTF-16 code unit', () => {
    expect(sortScopes(['b', 'B', 'a', 'A'])).toEqual(['A', 'B', 'a', 'b']);
    // U+FF00 < U+1F600 by code point, though the emoji's first code unit (0xD83D) is smaller.
    expect(sortScopes(['\u{1F600}', '\uFF00'])).toEqual(['\uFF00', '\u{1F600}']);
  });

  it('validates excludeScopes like MSAL', () => {
    expect(() => validateExcludeScopes('offline_access')).toThrow(/list of strings/);
    expect(() => validateExcludeScopes(['openid'])).toThrow(/openid/);
    expect(validateExcludeScopes(['offline_access'])).toEqual(['offline_access']);
  });
});
