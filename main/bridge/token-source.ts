/**
 * Where the bridge gets tokens: the app core's internal `acquireAccessToken` — typed input, the same
 * bookkeeping as the UI's calls. Only access tokens (and ID tokens when asked) come back; refresh
 * tokens never leave the core.
 */
import type { AccountId, AccountView, AppEvent, AppInfo, ProviderProfile, StorageStatus } from '../../preload/contract';
import type { AccessTokenGrant, AccessTokenOptions } from '../services/app-core-types';

/** Options of a hand-out: the core's `acquireAccessToken` options. */
export type AcquireOptions = AccessTokenOptions;
export type { AccessTokenGrant };

/** The parts of the app core the bridge uses. */
export interface BridgeCore {
  getAppInfo(): Promise<AppInfo>;
  listAccounts(): Promise<readonly AccountView[]>;
  listProfiles(): Promise<readonly ProviderProfile[]>;
  getStorageStatus(): Promise<StorageStatus>;
  reauthenticate(accountId: AccountId): Promise<AccountView>;
  subscribe(listener: (event: AppEvent) => void): () => void;
  acquireAccessToken(accountId: AccountId, options: AcquireOptions): Promise<AccessTokenGrant>;
}

/** Acquires a token for the bridge: the core's own hand-out (lock, needs-sign-in marking, events). */
export function acquireForBridge(core: BridgeCore, accountId: AccountId, options: AcquireOptions): Promise<AccessTokenGrant> {
  return core.acquireAccessToken(accountId, options);
}
