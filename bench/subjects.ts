/**
 * The two libraries under test behind one small interface, so the bench drives both the same way.
 *
 * Both are configured for the test provider's plain OIDC issuer, the public client
 * `tessera-public` and one API scope, and sign in with the password grant.
 */
import {
  PublicClientApplication as MsalPublicClientApplication,
  ProtocolMode,
  type AccountInfo,
} from '@azure/msal-node';
import { PublicClientApplication, SerializableTokenCache, type Account, type TokenSuccess } from '../main/auth';
import type { TestIdp, TestUser } from '../test/support/idp';
import { createMsalNetworkClient } from './msal-network-client';
import type { TemplateAccount } from './synthetic-cache';

/** Which library a subject wraps. */
export type LibraryName = 'tessera' | '@azure/msal-node';

/** The public client both libraries use. */
export const CLIENT_ID = 'tessera-public';

/** The scope every token request and lookup asks for. */
export const SCOPES: readonly string[] = ['api://tessera-demo/read'];

/** What one silent acquisition returned, reduced to what the checks need. */
export interface SilentOutcome {
  readonly accessToken: string;
  readonly fromCache: boolean;
}

/** One library, signed in as one real account. */
export interface BenchSubject {
  readonly library: LibraryName;
  /** The real account as this library stored it (the template for padding). */
  readonly account: TemplateAccount;
  /** The cache as this library serializes it. */
  exportCache(): string;
  /** Empties the cache, keeping what the app learnt about the authority (untimed). */
  clearCache(): void;
  /**
   * The library's own `deserialize` of `json`, nothing else.
   *
   * msal-node's merges into what is in memory and ours replaces it, so callers `clearCache()` first.
   */
  deserializeCache(json: string): void;
  /** Whether `accessToken` is the one the sign-in cached (keeps the token itself out of reach of logs). */
  isSignInToken(accessToken: string): boolean;
  /** Accounts the library lists from its cache (`getAccounts` / `getAllAccounts`). */
  accountCount(): Promise<number>;
  /**
   * `acquireTokenSilent` for the real account and `SCOPES`.
   *
   * The account object is the one the library gave back at sign-in, reused across cache reloads
   * (an app keeps it too), so no account listing runs inside the timing.
   */
  silent(): Promise<SilentOutcome>;
  /**
   * Ours only: changes the cache's revision without changing its contents (the app metadata entry
   * stored again as it is), so the next `silent()` cannot use the cache-hit memo and runs the full
   * lookup: scope sorting, key building, the index walk, the expiry check.
   */
  forgetHits?(): void;
  close(): Promise<void>;
}

/** Thrown when a library does not behave as the comparison assumes; the bench then exits non-zero. */
export class BenchCheckError extends Error {
  override readonly name = 'BenchCheckError';
}

/** Signs `user` in with our `PublicClientApplication` and wraps it. */
export async function createTesseraSubject(idp: TestIdp, user: TestUser): Promise<BenchSubject> {
  const cache = new SerializableTokenCache();
  const app = new PublicClientApplication(CLIENT_ID, { oidcAuthority: idp.oidcIssuer, verify: idp.caPath, tokenCache: cache });
  const result = await app.acquireTokenByUsernamePassword(user.username, user.password, [...SCOPES]);
  if (result.error !== undefined) throw new BenchCheckError(`tessera: password sign-in failed: ${result.error}`);
  const signInToken = result.access_token;

  const [account]: Account[] = await app.getAccounts(user.username);
  if (!account) throw new BenchCheckError('tessera: the signed-in account is not in the cache');
  return {
    library: 'tessera',
    account: { homeAccountId: account.home_account_id, username: account.username },
    exportCache: () => cache.serialize(),
    clearCache: () => cache.deserialize('{}'),
    deserializeCache: (json) => cache.deserialize(json),
    isSignInToken: (accessToken) => accessToken === signInToken,
    accountCount: async () => (await app.getAccounts()).length,
    async silent() {
      const hit: TokenSuccess | null = await app.acquireTokenSilent(SCOPES, account);
      if (!hit) throw new BenchCheckError('tessera: acquireTokenSilent returned nothing');
      return { accessToken: hit.access_token, fromCache: hit.token_source === 'cache' };
    },
    forgetHits() {
      for (const entry of cache.search('AppMetadata', {})) cache.modify('AppMetadata', entry, entry);
    },
    close: async () => undefined,
  };
}

/** Signs `user` in with msal-node in OIDC protocol mode and wraps it. */
export async function createMsalNodeSubject(idp: TestIdp, user: TestUser): Promise<BenchSubject> {
  const network = createMsalNetworkClient(idp.caCertPem);
  const app = new MsalPublicClientApplication({
    // msal-node validates non-Microsoft hosts against knownAuthorities (host with port).
    auth: { clientId: CLIENT_ID, authority: idp.oidcIssuer, knownAuthorities: [new URL(idp.oidcIssuer).host] },
    system: { networkClient: network, protocolMode: ProtocolMode.OIDC },
  });
  const result = await app.acquireTokenByUsernamePassword({ username: user.username, password: user.password, scopes: [...SCOPES] });
  if (!result?.account) throw new BenchCheckError('@azure/msal-node: password sign-in returned no account');
  const homeAccountId = result.account.homeAccountId;
  const signInToken = result.accessToken;
  const tokenCache = app.getTokenCache();
  const account: AccountInfo = result.account;
  return {
    library: '@azure/msal-node',
    account: { homeAccountId, username: account.username },
    exportCache: () => tokenCache.serialize(),
    // clearCache keeps msal-node's authority metadata entries, so no discovery request follows.
    clearCache: () => app.clearCache(),
    deserializeCache: (json) => tokenCache.deserialize(json),
    isSignInToken: (accessToken) => accessToken === signInToken,
    accountCount: async () => (await tokenCache.getAllAccounts()).length,
    async silent() {
      // msal-node throws instead of returning null; a throw fails the bench as intended.
      const hit = await app.acquireTokenSilent({ account, scopes: [...SCOPES] });
      return { accessToken: hit.accessToken, fromCache: hit.fromCache };
    },
    close: () => network.close(),
  };
}
