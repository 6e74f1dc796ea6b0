import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generatePkce, hashNonce, pkceChallenge, randomLetters } from '../../../main/auth/pkce';

describe('PKCE, state and nonce', () => {
  it('makes a 43-character verifier from the unreserved set and its S256 challenge', () => {
    const pkce = generatePkce();
    expect(pkce.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
    expect(pkce.codeChallengeMethod).toBe('S256');
    expect(pkce.codeChallenge).toBe(createHash('sha256').update(pkce.codeVerifier).digest('base64url'));
    expect(pkce.codeChallenge).not.toContain('=');
  });

  it('matches the RFC 7636 appendix B example', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 16-letter states that differ', () => {
    const a = randomLetters();
    expect(a).toMatch(/^[A-Za-z]{16}$/);
    expect(randomLetters()).not.toBe(a);
  });

  it('sends the nonce as its SHA-256 hex digest', () => {
    expect(hashNonce('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
