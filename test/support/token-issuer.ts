/**
 * An in-memory token source for the integrations' tests: our own `GetToken` interface, implemented
 * without the app, so kubectl, git and the Azure SDKs can be run for real against it.
 *
 * `createTokenSource` hands out random opaque tokens for a few fixed accounts and remembers each
 * one (account, scopes, integration, expiry), so a stand-in server can check the bearer token it
 * receives. `startTokenIssuer` serves the same source over loopback HTTP, for integrations that run
 * in a child process (a kubectl plugin, a git helper); `test/support/token-issuer-client.ts` is the
 * child's side.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GetToken, TokenAccount, TokenGrant, TokenRequest } from '../../cli/integrations/get-token';

/** The accounts every token source knows. */
export const ISSUER_ACCOUNTS: readonly TokenAccount[] = [
  { id: 'acct-alice', username: 'alice@contoso.com', tenant: '11111111-2222-3333-4444-555555555555', subscription: '99999999-8888-7777-6666-555555555555' },
  { id: 'acct-bob', username: 'bob@fabrikam.com', tenant: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' },
  { id: 'acct-carol', username: 'carol@example.org' },
];

/** A token the source handed out. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly account: TokenAccount;
  readonly scopes: readonly string[];
  readonly integration: TokenRequest['integration'];
  readonly expiresOn: number;
}

/** A refusal, shaped like the app's errors (a code and a message). */
export class IssuerError extends Error {
  override readonly name = 'IssuerError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** An in-memory token source. */
export interface TokenSource {
  readonly getToken: GetToken;
  /** Every request, in order (account, scopes, integration). */
  readonly requests: TokenRequest[];
  readonly issued: IssuedToken[];
  /** Lifetime of the next tokens, in seconds (default 3600). */
  lifetimeSeconds: number;
  /** When set, every request is refused with this code (e.g. `consent_denied`). */
  refuseWith: string | undefined;
  /** The token's record, if this source issued it. */
  lookup(accessToken: string): IssuedToken | undefined;
  /** Issued here and not expired. */
  isValid(accessToken: string): boolean;
}

const DEFAULT_SCOPES = ['api://tessera-demo/read'];

function findAccount(name: string | undefined): TokenAccount {
  if (name === undefined) return ISSUER_ACCOUNTS[0] as TokenAccount;
  const lower = name.toLowerCase();
  const account = ISSUER_ACCOUNTS.find((candidate) => candidate.id === name || candidate.username.toLowerCase() === lower);
  if (!account) throw new IssuerError('not_found', 'No account has that name. Run `tessera accounts` to list them.');
  return account;
}

/** Creates an in-memory token source. */
export function createTokenSource(): TokenSource {
  const byToken = new Map<string, IssuedToken>();
  const source: TokenSource = {
    requests: [],
    issued: [],
    lifetimeSeconds: 3600,
    refuseWith: undefined,
    getToken: async (request): Promise<TokenGrant> => {
      source.requests.push(request);
      if (source.refuseWith !== undefined) throw new IssuerError(source.refuseWith, 'The request was refused in Tessera.');
      const account = findAccount(request.account);
      const scopes = request.scopes && request.scopes.length > 0 ? [...request.scopes] : request.resource ? [`${request.resource}/.default`] : DEFAULT_SCOPES;
      const issued: IssuedToken = {
        accessToken: `tk_${randomBytes(24).toString('base64url')}`,
        account,
        scopes,
        integration: request.integration,
        expiresOn: Math.floor(Date.now() / 1000) + source.lifetimeSeconds,
      };
      source.issued.push(issued);
      byToken.set(issued.accessToken, issued);
      return { accessToken: issued.accessToken, tokenType: 'Bearer', expiresOn: issued.expiresOn, scopes, account };
    },
    lookup: (accessToken) => byToken.get(accessToken),
    isValid: (accessToken) => {
      const issued = byToken.get(accessToken);
      return issued !== undefined && issued.expiresOn > Date.now() / 1000;
    },
  };
  return source;
}

/** A token source served over loopback HTTP (POST a `TokenRequest` as JSON). */
export interface TokenIssuer extends TokenSource {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a {@link TokenSource} on 127.0.0.1 for child processes. */
export async function startTokenIssuer(): Promise<TokenIssuer> {
  const source = createTokenSource();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown): void => {
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      let parsed: TokenRequest;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as TokenRequest;
      } catch {
        reply(400, { code: 'invalid_request', message: 'not JSON' });
        return;
      }
      source.getToken(parsed).then(
        (grant) => reply(200, grant),
        (error: unknown) => reply(400, { code: error instanceof IssuerError ? error.code : 'internal', message: error instanceof Error ? error.message : 'failed' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(source, {
    url: `http://127.0.0.1:${port}/token`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
