import { describe, expect, it } from 'vitest';
import { TransportError } from '../../../main/auth/errors';
import { parseJsonResponse } from '../../../main/auth/response';

const SECRET = 'rt-secret-value-123';

function catchError(fn: () => unknown): TransportError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error('expected a TransportError');
}

describe('parseJsonResponse', () => {
  it('returns a JSON object, including a 4xx OAuth error body', () => {
    expect(parseJsonResponse({ status: 200, text: '{"a":1}', headers: {} }, 'token endpoint')).toEqual({ a: 1 });
    expect(
      parseJsonResponse({ status: 400, text: '{"error":"invalid_grant"}', headers: {} }, 'token endpoint'),
    ).toEqual({ error: 'invalid_grant' });
  });

  it('throws http_error with the status for 5xx, without the body in the message', () => {
    const error = catchError(() =>
      parseJsonResponse({ status: 503, text: `{"refresh_token":"${SECRET}"}`, headers: {} }, 'token endpoint'),
    );
    expect(error.code).toBe('http_error');
    expect(error.status).toBe(503);
    expect(error.message).toContain('token endpoint');
    expect(error.message).not.toContain(SECRET);
  });

  it('throws http_error for an empty non-2xx body', () => {
    const error = catchError(() => parseJsonResponse({ status: 404, text: '  ', headers: {} }, 'discovery'));
    expect(error.code).toBe('http_error');
    expect(error.status).toBe(404);
  });

  it('throws malformed_response for an HTML page and names the status', () => {
    const error = catchError(() =>
      parseJsonResponse({ status: 200, text: `<html>${SECRET}</html>`, headers: { 'content-type': 'text/html' } }, 'discovery document'),
    );
    expect(error.code).toBe('malformed_response');
    expect(error.message).toContain('The discovery document returned an HTML page (HTTP 200)');
    expect(error.message).not.toContain(SECRET);
  });

  it('throws malformed_response for broken JSON and keeps the body out of message and cause', () => {
    const error = catchError(() =>
      parseJsonResponse({ status: 200, text: `{"access_token":"${SECRET}"`, headers: {} }, 'token endpoint'),
    );
    expect(error.code).toBe('malformed_response');
    expect(error.message).toContain('malformed JSON (HTTP 200)');
    expect(error.message).not.toContain(SECRET);
    expect(String((error.cause as Error).message)).not.toContain(SECRET);
  });

  it('throws malformed_response for arrays, primitives and an empty 2xx body', () => {
    for (const text of ['[1,2]', '"x"', '42', 'null', '']) {
      expect(catchError(() => parseJsonResponse({ status: 200, text, headers: {} }, 'x')).code).toBe('malformed_response');
    }
  });
});
