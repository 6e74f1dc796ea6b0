import { describe, expect, it } from 'vitest';
import { MIN_SECRET_LENGTH, redact, SecretRegistry, secrets } from '../../../main/errors';

describe('redact by shape (the second net)', () => {
  it('removes JWTs, bearer values, secret pairs and long opaque strings', () => {
    const jwt = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.';
    expect(redact(`token ${jwt} end`)).toBe('token [redacted] end');
    expect(redact('Authorization: Bearer abc.def-ghi')).toBe('Authorization: Bearer [redacted]');
    expect(redact('code=SplxlOBeZQQYbYS6WxSbIA&state=xyz')).toBe('code=[redacted]&state=xyz');
    expect(redact('{"client_secret": "s3cr3t"}')).toBe('{"client_secret": "[redacted]"}');
    expect(redact(`rt ${'A'.repeat(40)}`)).toBe('rt [redacted]');
  });

  it('keeps tenant GUIDs, URLs and ordinary words, and caps the length', () => {
    const guid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    expect(redact(`Tenant ${guid} was not found.`)).toBe(`Tenant ${guid} was not found.`);
    expect(redact('See https://login.microsoftonline.com/common/oauth2/nativeclient')).toContain('nativeclient');
    expect(redact('x '.repeat(400)).length).toBeLessThanOrEqual(500);
  });
});

describe('redact by value (issue 8: tokens that do not look like tokens)', () => {
  // Shapes the shape rules let through: a UUID, a short opaque value, dot-separated segments.
  const shapes = ['5a1c2f3e-7b8d-4e9f-a0b1-c2d3e4f5a6b7', 'Zq9x-Lm2p', 'abc.def.ghi', 'tok en+/=?&'];

  it('removes a registered value as it is, URL-encoded, form-encoded and JSON-escaped', () => {
    const registry = new SecretRegistry();
    registry.add(...shapes);
    for (const value of shapes) {
      for (const form of [value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2), JSON.stringify(value).slice(1, -1)]) {
        const out = registry.removeFrom(`Invalid refresh token: ${form}.`, '[redacted]');
        expect(out, form).toBe('Invalid refresh token: [redacted].');
      }
    }
  });

  it('is what the one redactor applies first, so a registered GUID is removed although GUIDs survive the shape rules', () => {
    const token = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(redact(`Invalid refresh token: ${token}`)).toContain(token);
    secrets.add(token);
    expect(redact(`Invalid refresh token: ${token}`)).toBe('Invalid refresh token: [redacted]');
    expect(redact(`{"error_description":"Invalid refresh token: ${JSON.stringify(token).slice(1, -1)}"}`)).not.toContain(token);
  });

  it('ignores values too short to be a secret, which would redact ordinary words', () => {
    const registry = new SecretRegistry();
    registry.add('a'.repeat(MIN_SECRET_LENGTH - 1), undefined, 42, '');
    expect(registry.size).toBe(0);
  });
});
