import { describe, expect, it } from 'vitest';
import { AuthError } from '../../../main/auth/errors';
import { INTERNAL_ERROR, redactSecrets, toErrorInfo } from '../../../main/ipc/error-info';

describe('redactSecrets', () => {
  it('removes JWTs, bearer values, secret pairs and long opaque strings', () => {
    const jwt = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.';
    expect(redactSecrets(`token ${jwt} end`)).toBe('token [redacted] end');
    expect(redactSecrets('Authorization: Bearer abc.def-ghi')).toBe('Authorization: Bearer [redacted]');
    expect(redactSecrets('code=SplxlOBeZQQYbYS6WxSbIA&state=xyz')).toBe('code=[redacted]&state=xyz');
    expect(redactSecrets('{"client_secret": "s3cr3t"}')).toBe('{"client_secret": "[redacted]"}');
    expect(redactSecrets(`rt ${'A'.repeat(40)}`)).toBe('rt [redacted]');
  });

  it('keeps tenant GUIDs and ordinary words, and caps the length', () => {
    const guid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    expect(redactSecrets(`Tenant ${guid} was not found.`)).toBe(`Tenant ${guid} was not found.`);
    expect(redactSecrets('x '.repeat(400)).length).toBeLessThanOrEqual(500);
  });
});

describe('toErrorInfo', () => {
  it('keeps a snake_case code', () => {
    expect(toErrorInfo(new AuthError('user_cancelled', 'Sign-in was cancelled.'))).toEqual({ code: 'user_cancelled', message: 'Sign-in was cancelled.' });
  });

  it('turns anything else into the generic internal error', () => {
    expect(toErrorInfo(new Error('plain'))).toBe(INTERNAL_ERROR);
    expect(toErrorInfo(Object.assign(new Error('x'), { code: 'ERR_SOMETHING' }))).toBe(INTERNAL_ERROR);
    expect(toErrorInfo({ code: 'fake', message: 'not an Error' })).toBe(INTERNAL_ERROR);
    expect(toErrorInfo(undefined)).toBe(INTERNAL_ERROR);
    expect(toErrorInfo(Object.assign(new Error('Something went wrong: /home/alice/.config'), { code: 'internal_error' }))).toBe(INTERNAL_ERROR);
  });
});
