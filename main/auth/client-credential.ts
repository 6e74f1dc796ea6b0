/**
 * Confidential client credentials: a secret, a certificate (signed JWT assertion), or a
 * ready-made assertion.
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { InvalidArgumentError } from './errors';

/** A certificate credential: PEM private key and the certificate's SHA-1 thumbprint (hex). */
export interface CertificateCredential {
  readonly privateKey: string;
  readonly thumbprint: string;
  readonly passphrase?: string;
  /** PEM of the public certificate; sent as `x5c` for subject-name/issuer authentication. */
  readonly publicCertificate?: string;
}

/** A pre-signed client assertion, or a function that makes a fresh one. */
export interface AssertionCredential {
  readonly clientAssertion: string | (() => string | Promise<string>);
}

/** What `clientCredential` accepts (MSAL Python's `client_credential`). */
export type ClientCredential = string | CertificateCredential | AssertionCredential;

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ASSERTION_LIFETIME = 600;
const ASSERTION_REUSE = 540;

/**
 * Builds the client-authentication part of a token request body.
 *
 * A string secret goes in the body as `client_secret` (not HTTP Basic), as MSAL does. A certificate
 * yields an RS256 assertion with `x5t`, re-signed every 540 s.
 */
export class ClientAuthenticator {
  private cached: { assertion: string; audience: string; madeAt: number } | undefined;
  private readonly key: KeyObject | undefined;

  constructor(
    private readonly clientId: string,
    private readonly credential: ClientCredential,
    private readonly clientClaims: Readonly<Record<string, unknown>> = {},
  ) {
    if (typeof credential === 'object' && 'privateKey' in credential) {
      try {
        this.key = createPrivateKey({ key: credential.privateKey, passphrase: credential.passphrase });
      } catch (cause) {
        throw new InvalidArgumentError('The certificate credential\'s private key could not be read (check the PEM and passphrase).', 'invalid_argument', { cause });
      }
      if (!/^[0-9a-fA-F]{40}$/.test(credential.thumbprint.replace(/:/g, ''))) {
        throw new InvalidArgumentError('The certificate thumbprint must be the 40-character SHA-1 hex digest.');
      }
    } else if (typeof credential !== 'string' && !(typeof credential === 'object' && credential && 'clientAssertion' in credential)) {
      throw new InvalidArgumentError('clientCredential must be a secret string, { privateKey, thumbprint } or { clientAssertion }.');
    }
  }

  /** Body fields that authenticate the client at `tokenEndpoint`. */
  async bodyFields(tokenEndpoint: string, nowSeconds: number): Promise<Record<string, string>> {
    const credential = this.credential;
    if (typeof credential === 'string') return { client_secret: credential };
    if ('clientAssertion' in credential) {
      const value = typeof credential.clientAssertion === 'function' ? await credential.clientAssertion() : credential.clientAssertion;
      return { client_assertion_type: JWT_BEARER, client_assertion: value };
    }
    const reusable = this.cached && this.cached.audience === tokenEndpoint && nowSeconds - this.cached.madeAt < ASSERTION_REUSE;
    if (!reusable) {
      this.cached = { assertion: await this.sign(credential, tokenEndpoint, nowSeconds), audience: tokenEndpoint, madeAt: nowSeconds };
    }
    return { client_assertion_type: JWT_BEARER, client_assertion: this.cached!.assertion };
  }

  private async sign(credential: CertificateCredential, audience: string, now: number): Promise<string> {
    const x5t = Buffer.from(credential.thumbprint.replace(/:/g, ''), 'hex').toString('base64url');
    const header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', x5t };
    if (credential.publicCertificate) header['x5c'] = pemCertificates(credential.publicCertificate);
    const payload = {
      aud: audience,
      iss: this.clientId,
      sub: this.clientId,
      exp: now + ASSERTION_LIFETIME,
      iat: now,
      jti: randomUUID(),
      ...this.clientClaims,
    };
    return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(this.key!);
  }
}

function pemCertificates(pem: string): string[] {
  const matches = pem.match(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g) ?? [];
  return matches.map((block) => block.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ''));
}
