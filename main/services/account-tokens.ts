/**
 * An account's tokens: silent acquisition under a per-account lock, the account's bookkeeping
 * around it (refreshing state, needs-sign-in marking, last error, events, saving the cache), and
 * the auto-refresh of pinned accounts.
 */
import type { AccountId, ProviderProfile } from '../../preload/contract';
import type { TokenSuccess } from '../auth';
import { AppError, OAuthServerError, secrets, toAppError, toErrorInfo } from '../errors';
import type { Timers } from '../clipboard/clipboard-service';
import type { AccountRecord, AccountRegistry } from './accounts';
import type { AccountViews } from './account-views';
import { AutoRefresher, type RefreshOutcome } from './auto-refresh';
import type { CachePersistence } from './cache-persistence';
import type { EventHub } from './event-hub';
import { KeyedLock } from './keyed-lock';
import { normaliseScopes, type ProfileRegistry } from './profiles';
import type { TokenService } from './tokens';

/** Options of {@link AccountTokens.acquire}; typed input, validated at the boundary. */
export interface AcquireOptions {
  /** Defaults to the profile's default scopes. */
  readonly scopes?: readonly string[];
  /** Skip the cached access token and redeem the refresh token. */
  readonly forceRefresh?: boolean;
  /** A cached access token expiring sooner than this is refreshed first. */
  readonly minValidSeconds?: number;
  /** Also return the account's ID token. */
  readonly withIdToken?: boolean;
}

/** A token and what the caller needs to know about it. */
export interface AcquiredToken {
  readonly token: TokenSuccess;
  /** Epoch seconds. */
  readonly expiresOn: number;
  readonly scopes: readonly string[];
  /** Present when asked for and one is cached. */
  readonly idToken?: string;
}

/** What {@link AccountTokens} works with. */
export interface AccountTokensDeps {
  readonly accounts: AccountRegistry;
  readonly profiles: ProfileRegistry;
  readonly tokens: TokenService;
  readonly persistence: CachePersistence;
  readonly views: () => AccountViews;
  readonly hub: EventHub;
  readonly timers: Timers;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly leadMinutes: () => number;
  readonly log: (line: string) => void;
}

/** Token acquisition per account, serialized per account, plus auto-refresh. */
export class AccountTokens {
  readonly #deps: AccountTokensDeps;
  // Serialized per account: two refreshes racing with one rotating refresh token would make the
  // provider see a reused token and revoke the whole grant (RFC 9700 §4.14.2).
  readonly #lock = new KeyedLock<AccountId>();
  readonly #refreshing = new Set<AccountId>();
  readonly #autoRefresh: AutoRefresher;

  constructor(deps: AccountTokensDeps) {
    this.#deps = deps;
    this.#autoRefresh = new AutoRefresher({
      timers: deps.timers,
      now: deps.now,
      leadMinutes: deps.leadMinutes,
      refresh: (id) => this.#autoRefreshOne(id),
    });
  }

  /** Whether the account's token is being fetched from the provider right now. */
  isRefreshing(accountId: AccountId): boolean {
    return this.#refreshing.has(accountId);
  }

  /** A token for the account: the cache when fresh enough, else the refresh token. */
  acquire(accountId: AccountId, options: AcquireOptions = {}): Promise<AcquiredToken> {
    const record = this.#deps.accounts.get(accountId);
    return this.#lock.run(record.id, () => this.#acquireLocked(record.id, options));
  }

  /**
   * Forgets the account — its tokens, its record, its auto-refresh — under its lock, so removal
   * waits for a refresh in flight.
   */
  remove(record: AccountRecord): Promise<void> {
    return this.#lock.run(record.id, async () => {
      this.cancel(record.id);
      const profile = this.#deps.profiles.find(record.profileId);
      if (profile) await this.#deps.tokens.remove(profile, record);
      this.#deps.accounts.remove(record.id);
      this.#refreshing.delete(record.id);
      this.#deps.persistence.persist();
    });
  }

  /** The account's profile; `not_found` when it was deleted. */
  profileOf(record: AccountRecord): ProviderProfile {
    const profile = this.#deps.profiles.find(record.profileId);
    if (!profile) throw new AppError('not_found', 'The provider profile of this account was deleted. Remove the account and add it again.');
    return profile;
  }

  /** Pins or unpins the account: pinned accounts that can still refresh are kept fresh. */
  setPinned(accountId: AccountId, pinned: boolean): AccountRecord {
    const record = this.#deps.accounts.update(this.#deps.accounts.get(accountId).id, { pinned });
    if (pinned && !record.needsSignIn) this.schedule(record);
    else this.cancel(record.id);
    return record;
  }

  /** Arms auto-refresh for a pinned account from its cached expiry. */
  schedule(record: AccountRecord): void {
    const profile = this.#deps.profiles.find(record.profileId);
    if (!profile) return;
    const status = this.#deps.tokens.statusFromCache(profile, record, this.#deps.now());
    this.#autoRefresh.schedule(record.id, status.kind === 'valid' ? status.expiresOn : undefined);
  }

  /** Re-arms auto-refresh right after a manual refresh. */
  scheduleAfterRefresh(accountId: AccountId, expiresOn: number): void {
    this.#autoRefresh.schedule(accountId, expiresOn, true);
  }

  /** Arms auto-refresh for every pinned account that can still refresh (start-up, lead time changed). */
  scheduleAll(): void {
    for (const record of this.#deps.accounts.list()) if (record.pinned && !record.needsSignIn) this.schedule(record);
  }

  /** Stops auto-refresh of the account. */
  cancel(accountId: AccountId): void {
    this.#autoRefresh.cancel(accountId);
  }

  /** Stops every timer and waits for acquisitions in flight. */
  async dispose(): Promise<void> {
    this.#autoRefresh.dispose();
    await this.#lock.settled();
  }

  async #acquireLocked(accountId: AccountId, options: AcquireOptions): Promise<AcquiredToken> {
    const { accounts, tokens, persistence, hub } = this.#deps;
    const views = this.#deps.views();
    const record = accounts.get(accountId);
    const profile = this.profileOf(record);
    const scopes = options.scopes && options.scopes.length > 0 ? normaliseScopes(options.scopes) : [...profile.defaultScopes];
    const fresh = tokens.hasFreshAccessToken(profile, record, scopes, this.#deps.now(), options.minValidSeconds ?? 0);
    const forceRefresh = options.forceRefresh === true || (!fresh && (options.minValidSeconds ?? 0) > 0);
    const network = forceRefresh || !fresh;
    if (network) {
      this.#refreshing.add(record.id);
      views.emitAccount(record.id);
    }
    let result;
    try {
      result = await tokens.acquireSilent(profile, record, scopes, forceRefresh);
    } catch (error) {
      const appError = toAppError(error);
      this.#refreshing.delete(record.id);
      accounts.update(record.id, { lastError: toErrorInfo(appError) });
      views.emitAccount(record.id);
      throw appError;
    } finally {
      this.#refreshing.delete(record.id);
      persistence.persist();
    }
    if (result === null) {
      const reason = persistence.noTokenReason();
      this.#markNeedsSignIn(record, reason, undefined);
      throw new AppError('needs_sign_in', reason);
    }
    if (result.error) {
      const error = new OAuthServerError(result, 'silent');
      if (error.code === 'needs_sign_in') {
        this.#markNeedsSignIn(record, error.message, error.claims, error);
      } else {
        accounts.update(record.id, { lastError: error.toInfo() });
        views.emitAccount(record.id);
      }
      throw error;
    }
    const token = result as TokenSuccess;
    secrets.add(token.access_token, token.refresh_token, token.id_token);
    const expiresOn = Math.floor(this.#deps.now() / 1000) + (typeof token.expires_in === 'number' ? token.expires_in : 0);
    const recovered = Boolean(record.needsSignIn || record.lastError || record.claimsChallenge);
    if (recovered) {
      accounts.update(record.id, { needsSignIn: undefined, lastError: undefined, claimsChallenge: undefined });
    }
    if (token.token_source === 'identity_provider') {
      this.#deps.log(`refreshed a token for account ${record.id}`);
      hub.emit({ type: 'token-refreshed', accountId: record.id, expiresOn });
    }
    // A success from the cache also clears a stale error badge (issue 9), so it is pushed too.
    if (network || recovered) views.emitAccount(record.id);
    const idToken = options.withIdToken ? (token.id_token ?? tokens.idTokenOf(profile, record)) : undefined;
    return { token, expiresOn, scopes, ...(idToken ? { idToken } : {}) };
  }

  async #autoRefreshOne(accountId: AccountId): Promise<RefreshOutcome> {
    if (!this.#deps.accounts.find(accountId)?.pinned) return { kind: 'needs-sign-in' };
    try {
      const acquired = await this.acquire(accountId, { forceRefresh: true });
      return { kind: 'refreshed', expiresOn: acquired.expiresOn };
    } catch (error) {
      const code = toAppError(error).code;
      return code === 'needs_sign_in' || code === 'not_found' ? { kind: 'needs-sign-in' } : { kind: 'retry' };
    }
  }

  #markNeedsSignIn(record: AccountRecord, reason: string, claimsChallenge: string | undefined, error?: OAuthServerError): void {
    const lastError = error ? error.toInfo() : { code: 'needs_sign_in' as const, message: reason };
    this.#deps.accounts.update(record.id, { needsSignIn: reason, claimsChallenge, lastError });
    this.cancel(record.id);
    this.#deps.log(`account ${record.id} needs sign-in`);
    this.#deps.hub.emit({ type: 'needs-sign-in', accountId: record.id, reason });
    this.#deps.views().emitAccount(record.id);
  }
}
