/**
 * The child process's side of `test/support/token-issuer.ts`: a `GetToken` that asks the test's
 * token issuer over loopback HTTP, standing in for the app's channel client.
 */
import type { GetToken, TokenGrant } from '../../cli/integrations/get-token';

/** A refusal from the issuer, with the app-style code it sent. */
class IssuerRefusal extends Error {
  override readonly name = 'IssuerRefusal';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** A `GetToken` backed by the issuer at `url`. */
export function issuerGetToken(url: string): GetToken {
  return async (request) => {
    const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request) });
    const body = (await response.json()) as TokenGrant | { code: string; message: string };
    if (!response.ok || !('accessToken' in body)) {
      const refusal = body as { code?: string; message?: string };
      throw new IssuerRefusal(refusal.code ?? 'internal', refusal.message ?? 'The issuer refused.');
    }
    return body;
  };
}
