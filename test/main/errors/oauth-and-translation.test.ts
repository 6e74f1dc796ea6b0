import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../preload/contract';
import { AuthError, InteractionError } from '../../../main/auth';
import { AppError, describeOAuthError, INTERNAL_ERROR, isErrorCode, needsInteraction, OAuthServerError, secrets, toAppError, toErrorInfo } from '../../../main/errors';
import { PersistenceError } from '../../../main/persistence/errors';

describe('describeOAuthError', () => {
  it('keeps AADSTS codes with a plain explanation and drops trace lines', () => {
    const message = describeOAuthError({
      error: 'invalid_grant',
      error_description: 'AADSTS50126: Error validating credentials due to invalid username or password.\r\nTrace ID: 1\r\nCorrelation ID: 2',
      error_codes: [50126],
    });
    expect(message).toBe('AADSTS50126: invalid username or password.');
  });

  it('keeps the server text of an unknown AADSTS code', () => {
    expect(describeOAuthError({ error: 'invalid_request', error_description: 'AADSTS9999999: Something odd.\r\nTrace ID: x' })).toBe('AADSTS9999999: Something odd.');
  });

  it('explains plain OAuth errors and tells the user what to do', () => {
    expect(describeOAuthError({ error: 'invalid_grant' })).toBe('The saved sign-in is no longer valid. Sign in again.');
    expect(describeOAuthError({ error: 'weird_error', error_description: 'why' })).toBe('weird_error: why');
  });
});

describe('OAuthServerError', () => {
  it('turns dead refresh tokens, consent and claims challenges into needs_sign_in on silent calls', () => {
    expect(new OAuthServerError({ error: 'invalid_grant' }, 'silent').code).toBe('needs_sign_in');
    expect(new OAuthServerError({ error: 'consent_required' }, 'silent').code).toBe('needs_sign_in');
    expect(needsInteraction({ error: 'invalid_client', claims: '{"access_token":{}}' })).toBe(true);
    expect(new OAuthServerError({ error: 'temporarily_unavailable' }, 'silent').code).toBe('temporarily_unavailable');
  });

  it('a claims challenge quoting a held token is dropped (bug: stored in the settings file in plain text)', () => {
    const held = `rt-${crypto.randomUUID()}`;
    secrets.add(held);
    const claims = JSON.stringify({ access_token: { echoed: [held] } });
    const hostile = new OAuthServerError({ error: 'invalid_grant', claims }, 'silent');
    expect(hostile.claims).toBeUndefined();
    expect(hostile.code).toBe('needs_sign_in');
    // A real one (Entra's Conditional Access / CAE challenge) is kept byte for byte; non-objects are not claims.
    const real = '{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}';
    expect(new OAuthServerError({ error: 'invalid_grant', claims: real }, 'silent').claims).toBe(real);
    expect(new OAuthServerError({ error: 'invalid_grant', claims: 'not json' }, 'silent').claims).toBeUndefined();
  });

  it('keeps the OAuth code of an interactive failure, and closes the set with provider_error', () => {
    expect(new OAuthServerError({ error: 'access_denied' }, 'interactive').code).toBe('access_denied');
    expect(new OAuthServerError({ error: 'invalid_grant' }, 'interactive').code).toBe('invalid_grant');
    const odd = new OAuthServerError({ error: 'something_vendor_specific', error_description: 'nope' }, 'interactive');
    expect(odd.code).toBe('provider_error');
    expect(odd.error).toBe('something_vendor_specific');
  });

  it('carries error, suberror, the AADSTS number and its text as fields, and sends them in ErrorInfo', () => {
    const error = new OAuthServerError(
      { error: 'invalid_grant', suberror: 'bad_token', error_description: 'AADSTS70000: The grant was revoked.\r\nTrace ID: t', error_codes: [70000] },
      'silent',
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'needs_sign_in', error: 'invalid_grant', suberror: 'bad_token', aadsts: 70000 });
    expect(error.aadstsText).toMatch(/grant is invalid/);
    expect(toErrorInfo(error)).toEqual({
      code: 'needs_sign_in',
      message: error.message,
      provider: { error: 'invalid_grant', suberror: 'bad_token', aadsts: 70000, aadstsText: error.aadstsText },
    });
    // An unknown number keeps the provider's first line as its text.
    expect(new OAuthServerError({ error: 'invalid_request', error_description: 'AADSTS9999999: Something odd.' }, 'interactive').aadstsText).toBe('Something odd.');
  });
});

describe('toAppError / toErrorInfo (the one translator)', () => {
  it('keeps the codes of auth-core and persistence errors, with native cause', () => {
    const cancelled = new InteractionError('user_cancelled', 'closed');
    expect(toErrorInfo(cancelled)).toEqual({ code: 'user_cancelled', message: 'Sign-in was cancelled.' });
    expect(toAppError(cancelled).cause).toBe(cancelled);
    expect(toErrorInfo(new AuthError('invalid_authority', 'bad url'))).toEqual({ code: 'invalid_authority', message: 'bad url' });
    const persistence = new PersistenceError('io_error', 'disk full');
    expect(persistence).toBeInstanceOf(AppError);
    expect(toErrorInfo(persistence).code).toBe('io_error');
  });

  it('turns anything not written for people into the generic internal error', () => {
    expect(toErrorInfo('boom')).toBe(INTERNAL_ERROR);
    expect(toErrorInfo(new Error('plain'))).toBe(INTERNAL_ERROR);
    expect(toErrorInfo(Object.assign(new Error('x'), { code: 'ERR_SOMETHING' }))).toBe(INTERNAL_ERROR);
    expect(toErrorInfo({ code: 'invalid_argument', message: 'not an Error' })).toBe(INTERNAL_ERROR);
    expect(toErrorInfo(undefined)).toBe(INTERNAL_ERROR);
    expect(toErrorInfo(new AppError('internal_error', 'Something went wrong: /home/alice/.config'))).toBe(INTERNAL_ERROR);
    expect(toAppError(new TypeError('x')).message).toBe(INTERNAL_ERROR.message);
  });

  it('never lets a token through a message', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const opaque = 'A'.repeat(30) + 'b_c-D'.repeat(10);
    const info = toErrorInfo(new AuthError('http_error', `failed with ${jwt} and ${opaque}`));
    expect(info.message).not.toContain(jwt);
    expect(info.message).not.toContain(opaque);
    expect(new AppError('invalid_argument', `token ${jwt}`).message).toBe('token [redacted]');
  });

  it('redacts prefixed Google-style tokens and secret pairs in OAuth answers, which lastError carries to events and the settings file', () => {
    const accessToken = `ya29.a0AfB_byC${'x1'.repeat(60)}`;
    const refreshToken = `1//0g${'Yk'.repeat(45)}`;
    const code = `4/0AeaY${'z9'.repeat(30)}`;
    const message = new AppError('invalid_grant', `bad ${accessToken}; refresh_token=${refreshToken}; code ${code}; Authorization: Bearer abc.def`).message;
    for (const secret of [accessToken.slice(5), refreshToken.slice(3), code.slice(2), 'abc.def']) expect(message).not.toContain(secret);
    expect(describeOAuthError({ error: 'invalid_grant', error_description: `Token ${accessToken} is invalid` })).not.toContain(accessToken.slice(5));
    expect(describeOAuthError({ error: 'weird', error_description: `refresh_token=${refreshToken}` })).not.toContain(refreshToken.slice(3));
    expect(new OAuthServerError({ error: 'weird', error_description: `Token ${accessToken} is invalid` }, 'silent').message).not.toContain(accessToken.slice(5));
  });

  it('accepts only the contract codes', () => {
    for (const code of ERROR_CODES) expect(isErrorCode(code)).toBe(true);
    for (const code of ['', 'ENOENT', 'Invalid_Grant', 'constructor', 'toString']) expect(isErrorCode(code)).toBe(false);
  });
});
