/**
 * Where the bridge gets tokens: the app core.
 *
 * The core's internal `acquireAccessToken` (see the team's agreed interface) is used when the core
 * has it; until then the same behaviour is built from `revealToken` and `refreshAccount`, which
 * covers the profile's default scopes fully and other scopes without forced refresh.
 */
import type { AccountId, AccountView, AppEvent, AppInfo, ProviderProfile, RevealedToken, StorageStatus, TokenRequest } from '../../preload/contract';
import type { AccessTokenGrant, AccessTokenOptions } from '../services/app-core-types';
import { BridgeError } from './errors';

/** Options of a hand-out: the core's `acquireAccessToken` options. */
export type AcquireOptions = AccessTokenOptions;
export type { AccessTokenGrant };

/** The parts of the app core the bridge uses. */
export interface BridgeCore {
  getAppInfo(): Promise<AppInfo>;
  listAccounts(): Promise<readonly AccountView[]>;
  listProfiles(): Promise<readonly ProviderProfile[]>;
  getStorageStatus(): Promise<StorageStatus>;
  revealToken(request: TokenRequest): Promise<RevealedToken>;
  refreshAccount(accountId: AccountId): Promise<AccountView>;
  reauthenticate(accountId: AccountId): Promise<AccountView>;
  subscribe(listener: (event: AppEvent) => void): () => void;
  /** The core's internal hand-out method, once it has one. */
  acquireAccessToken?(accountId: AccountId, options: AcquireOptions): Promise<AccessTokenGrant>;
}

/**
 * Acquires a token for the bridge.
 *
 * `profileDefaultScopes` tells the fallback whether a forced refresh can be served
 * (`refreshAccount` refreshes the default scopes only).
 */
export async function acquireForBridge(
  core: BridgeCore,
  accountId: AccountId,
  options: AcquireOptions,
  profileDefaultScopes: readonly string[],
  now: () => number = Date.now,
): Promise<AccessTokenGrant> {
  if (typeof core.acquireAccessToken === 'function') return core.acquireAccessToken(accountId, options);
  if (options.withIdToken) throw new BridgeError('unsupported', 'This Tessera cannot hand out ID tokens yet. Update Tessera.');
  const scopes = options.scopes && options.scopes.length > 0 ? options.scopes : undefined;
  const defaults = scopes === undefined || sameScopes(scopes, profileDefaultScopes);
  const reveal = async (): Promise<AccessTokenGrant> => {
    const token = await core.revealToken({ accountId, ...(scopes ? { scopes } : {}) });
    return { accessToken: token.accessToken, tokenType: token.tokenType, expiresOn: token.expiresOn, scopes: token.scopes };
  };
  const refresh = async (): Promise<AccessTokenGrant> => {
    if (!defaults) throw new BridgeError('unsupported', 'This Tessera can force a refresh only for the profile’s default scopes. Leave out --scope, or update Tessera.');
    await core.refreshAccount(accountId);
    return reveal();
  };
  if (options.forceRefresh) return refresh();
  const grant = await reveal();
  const minValid = options.minValidSeconds ?? 0;
  if (minValid > 0 && grant.expiresOn - Math.floor(now() / 1000) < minValid) return refresh();
  return grant;
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(b);
  return a.length === b.length && a.every((scope) => set.has(scope));
}
