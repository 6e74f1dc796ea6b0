/**
 * PKCE, state and nonce generation (RFC 7636), with Node's crypto.
 */
import { createHash, randomInt } from 'node:crypto';

const VERIFIER_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A PKCE verifier and its S256 challenge. */
export interface Pkce {
  readonly codeVerifier: string;
  readonly codeChallenge: string;
  readonly codeChallengeMethod: 'S256';
}

function randomFrom(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/**
 * Generate a PKCE pair: a 43-character verifier and `base64url(sha256(verifier))`.
 *
 * 43 characters from the unreserved set is the RFC 7636 minimum and what MSAL sends.
 */
export function generatePkce(): Pkce {
  const codeVerifier = randomFrom(VERIFIER_ALPHABET, 43);
  return { codeVerifier, codeChallenge: pkceChallenge(codeVerifier), codeChallengeMethod: 'S256' };
}

/** The S256 challenge of a verifier. */
export function pkceChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

/** A random `state` or `nonce`: 16 ASCII letters, as MSAL generates them. */
export function randomLetters(length = 16): string {
  return randomFrom(LETTERS, length);
}

/** The nonce as it goes on the wire: MSAL sends the SHA-256 hex digest, not the raw value. */
export function hashNonce(nonce: string): string {
  return createHash('sha256').update(nonce, 'utf8').digest('hex');
}
