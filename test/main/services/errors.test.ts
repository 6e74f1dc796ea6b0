import { describe, expect, it } from 'vitest';
import { AuthError, InteractionError } from '../../../main/auth/errors';
import { PersistenceError } from '../../../main/persistence/errors';
import { AppError, describeOAuthError, fromTokenError, needsInteraction, redactSecrets, toErrorInfo } from '../../../main/services/errors';

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
    expect(describeOAuthError({ error: 'invalid_request', error_description: 'AADSTS9999999: Something odd.\r\nTrace ID: x' })).toBe(
      'AADSTS9999999: Something odd.',
    );
  });

  it('explains plain OAuth errors and tells the user what to do', () => {
    expect(describeOAuthError({ error: 'invalid_grant' })).toBe('The saved sign-in is no longer valid. Sign in again.');
    expect(describeOAuthError({ error: 'weird_error', error_description: 'why' })).toBe('weird_error: why');
  });
});

describe('fromTokenError', () => {
  it('turns dead refresh tokens, consent and claims challenges into needs_sign_in', () => {
    expect(fromTokenError({ error: 'invalid_grant' }).code).toBe('needs_sign_in');
    expect(fromTokenError({ error: 'consent_required' }).code).toBe('needs_sign_in');
    expect(needsInteraction({ error: 'invalid_client', claims: '{"access_token":{}}' })).toBe(true);
    expect(fromTokenError({ error: 'temporarily_unavailable' }).code).toBe('temporarily_unavailable');
  });
});

describe('toErrorInfo', () => {
  it('keeps the codes of auth-core and persistence errors', () => {
    expect(toErrorInfo(new InteractionError('user_cancelled', 'closed'))).toEqual({ code: 'user_cancelled', message: 'Sign-in was cancelled.' });
    expect(toErrorInfo(new AuthError('invalid_authority', 'bad url'))).toEqual({ code: 'invalid_authority', message: 'bad url' });
    expect(toErrorInfo(new PersistenceError('io_error', 'disk full')).code).toBe('io_error');
    expect(toErrorInfo('boom')).toEqual({ code: 'internal_error', message: 'Something went wrong.' });
  });

  it('never lets a token through a message', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const opaque = 'A'.repeat(30) + 'b_c-D'.repeat(10);
    const info = toErrorInfo(new Error(`failed with ${jwt} and ${opaque}`));
    expect(info.message).not.toContain(jwt);
    expect(info.message).not.toContain(opaque);
    expect(new AppError('x', `token ${jwt}`).message).toBe('token [redacted]');
    // URLs and ordinary words survive.
    expect(redactSecrets('See https://login.microsoftonline.com/common/oauth2/nativeclient')).toContain('nativeclient');
  });
});

describe('redactSecrets (services)', () => {
  it('redacts prefixed Google-style tokens and secret pairs, which lastError would carry to events and the settings file', () => {
    const accessToken = `ya29.a0AfB_byC${'x1'.repeat(60)}`;
    const refreshToken = `1//0g${'Yk'.repeat(45)}`;
    const code = `4/0AeaY${'z9'.repeat(30)}`;
    const message = new AppError('invalid_grant', `bad ${accessToken}; refresh_token=${refreshToken}; code ${code}; Authorization: Bearer abc.def`).message;
    for (const secret of [accessToken.slice(5), refreshToken.slice(3), code.slice(2), 'abc.def']) expect(message).not.toContain(secret);
    // describeOAuthError feeds needs-sign-in reasons and lastError directly, without an AppError.
    expect(describeOAuthError({ error: 'invalid_grant', error_description: `Token ${accessToken} is invalid` })).not.toContain(accessToken.slice(5));
    expect(describeOAuthError({ error: 'weird', error_description: `refresh_token=${refreshToken}` })).not.toContain(refreshToken.slice(3));
    expect(fromTokenError({ error: 'weird', error_description: `Token ${accessToken} is invalid` }).message).not.toContain(accessToken.slice(5));
  });
});
