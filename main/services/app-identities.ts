/**
 * App identities: the "account" of a profile whose grant is `app` (client credentials, RFC 6749
 * §4.4 — the Azure CLI's `login --service-principal`). Adding one gets a first token from
 * `acquireTokenForClient`, which proves the client id and secret (or certificate) work, and
 * remembers it as an account; later tokens come through `AccountTokens` like any account's.
 */
import type { ProviderProfile, SignInProgress } from '../../preload/contract';
import { AppError, OAuthServerError, secrets, toAppError, toErrorInfo } from '../errors';
import { accountIdFor, type AccountRecord, type AccountRegistry } from './accounts';
import type { CachePersistence } from './cache-persistence';
import type { EventHub } from './event-hub';
import type { TokenService } from './tokens';

/** What {@link addAppIdentity} works with. */
export interface AppIdentityDeps {
  readonly tokens: TokenService;
  readonly accounts: AccountRegistry;
  readonly persistence: CachePersistence;
  readonly hub: EventHub;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** Told once the identity is remembered (schedule refresh, push the list). */
  readonly onSignedIn: (record: AccountRecord) => void;
}

/**
 * Gets a fresh app-only token for `profile` and remembers its app identity (the same record again
 * when it exists). Progress is pushed as `sign-in-progress`, as for a person's sign-in.
 */
export async function addAppIdentity(deps: AppIdentityDeps, profile: ProviderProfile): Promise<AccountRecord> {
  const progress = (p: SignInProgress): void => deps.hub.emit({ type: 'sign-in-progress', progress: p });
  try {
    progress({ kind: 'redeeming', profileId: profile.id });
    const result = await deps.tokens.acquireForApp(profile, profile.defaultScopes, true);
    if (!result.error) secrets.add(result.access_token);
    deps.persistence.persist();
    if (result.error) throw new OAuthServerError(result, 'interactive');
    const identity = await deps.tokens.appIdentityOf(profile);
    const id = accountIdFor(profile.id, identity.homeAccountId, identity.environment);
    // Replaces the record whole (keeping pin and added time), so a last failure's marks go.
    const record = deps.accounts.upsert({ id, profileId: profile.id, ...identity, pinned: false, addedAt: deps.now() });
    deps.log(`added app identity ${id} (profile ${profile.id})`);
    progress({ kind: 'done', profileId: profile.id, accountId: id });
    deps.onSignedIn(record);
    return record;
  } catch (error) {
    const appError = error instanceof AppError ? error : toAppError(error);
    deps.log(`adding an app identity failed: ${appError.code}`);
    progress({ kind: 'failed', profileId: profile.id, error: toErrorInfo(appError) });
    throw appError;
  }
}
