/**
 * `ConfidentialClientApplication`: services and web apps that hold a credential.
 */
import { randomUUID } from 'node:crypto';
import { ClientApplication } from './application';
import { InvalidArgumentError } from './errors';
import { assertScopeList, scopeParam, sortScopes } from './scopes';
import type { ClientApplicationOptions, TokenResult } from './types';

/**
 * A client with a secret, a certificate, or a client assertion.
 */
export class ConfidentialClientApplication extends ClientApplication {
  constructor(clientId: string, options: ClientApplicationOptions) {
    if (!options || options.clientCredential === undefined || options.clientCredential === null) {
      throw new InvalidArgumentError('A confidential client needs clientCredential (a secret, a certificate, or a client assertion).');
    }
    super(clientId, options);
  }

  /**
   * An app-only token (client credentials grant), from the cache when one is valid.
   *
   * Scopes are sent as given (e.g. `https://graph.microsoft.com/.default`), not decorated. The
   * token goes to the regional endpoint when `azureRegion` is set or detected.
   */
  async acquireTokenForClient(scopes: readonly string[], options: { claimsChallenge?: string; forceRefresh?: boolean } = {}): Promise<TokenResult> {
    assertScopeList(scopes);
    if (options.forceRefresh) {
      throw new InvalidArgumentError('acquireTokenForClient does not take forceRefresh; pass a claimsChallenge to bypass the cache.');
    }
    const central = await this.authority();
    const correlationId = randomUUID();
    const lookup = this.lookupAccessToken(scopes, central, null, !!options.claimsChallenge, correlationId, ClientApplication.ACQUIRE_TOKEN_FOR_CLIENT_ID);
    if (lookup.hit) return lookup.hit;
    const regional = await this.regionalAuthority();
    const result = await this.requestToken({
      // MSAL caches regional tokens under the configured host; only the endpoint is regional.
      authority: central,
      tokenEndpoint: regional?.tokenEndpoint,
      grantType: 'client_credentials',
      apiId: ClientApplication.ACQUIRE_TOKEN_FOR_CLIENT_ID,
      correlationId,
      refreshReason: lookup.reason,
      data: { scope: scopeParam(scopes), claims: this.claims(options.claimsChallenge) },
      scopes: sortScopes(scopes),
    });
    if (result.error && lookup.fallback) return lookup.fallback;
    return result;
  }

  /**
   * Exchange a user's token for one to call a downstream API (OAuth 2.0 On-Behalf-Of).
   */
  async acquireTokenOnBehalfOf(userAssertion: string, scopes: readonly string[], options: { claimsChallenge?: string } = {}): Promise<TokenResult> {
    if (typeof userAssertion !== 'string' || userAssertion === '') {
      throw new InvalidArgumentError('userAssertion must be the incoming access token.');
    }
    const decorated = this.decorate(scopes);
    const authority = await this.authority();
    return this.requestToken({
      authority,
      grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      apiId: ClientApplication.ACQUIRE_TOKEN_ON_BEHALF_OF_ID,
      data: {
        assertion: userAssertion,
        requested_token_use: 'on_behalf_of',
        scope: scopeParam(decorated),
        claims: this.claims(options.claimsChallenge),
      },
      scopes: decorated,
    });
  }
}
