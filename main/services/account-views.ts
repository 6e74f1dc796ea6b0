/**
 * What the renderer and the tray see of an account (`AccountView`: no secrets), and the pushes
 * that carry those views.
 */
import type { AccountId, AccountStatus, AccountView, ProviderProfile } from '../../preload/contract';
import type { AccountRecord, AccountRegistry } from './accounts';
import type { CachePersistence } from './cache-persistence';
import type { EventHub } from './event-hub';
import type { ProfileRegistry } from './profiles';
import type { TokenService } from './tokens';

/** What {@link AccountViews} reads. */
export interface AccountViewsDeps {
  readonly accounts: AccountRegistry;
  readonly profiles: ProfileRegistry;
  readonly tokens: TokenService;
  readonly persistence: CachePersistence;
  readonly hub: EventHub;
  /** Whether the account's token is being fetched right now. */
  readonly isRefreshing: (accountId: AccountId) => boolean;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/** Builds views from records, profiles and the cache, and pushes them. */
export class AccountViews {
  readonly #deps: AccountViewsDeps;

  constructor(deps: AccountViewsDeps) {
    this.#deps = deps;
  }

  /** The view of one record. */
  view(record: AccountRecord): AccountView {
    const profile = this.#deps.profiles.find(record.profileId);
    return {
      id: record.id,
      profileId: record.profileId,
      profileName: profile?.name ?? 'Deleted profile',
      providerKind: profile?.kind ?? 'oidc',
      username: record.username,
      ...(record.displayName ? { displayName: record.displayName } : {}),
      ...(record.tenant ? { tenant: record.tenant } : {}),
      status: this.#status(record, profile),
      pinned: record.pinned,
      storage: this.#deps.persistence.mode,
      ...(record.lastError ? { lastError: record.lastError } : {}),
      ...(profile?.grant === 'app' ? { appIdentity: true } : {}),
    };
  }

  /** Every account's view, in the order they were added. */
  views(): AccountView[] {
    return this.#deps.accounts.list().map((record) => this.view(record));
  }

  /** Pushes `account-updated` for one account (nothing when it is gone). */
  emitAccount(accountId: AccountId): void {
    const record = this.#deps.accounts.find(accountId);
    if (record) this.#deps.hub.emit({ type: 'account-updated', account: this.view(record) });
  }

  /** Pushes the whole list. */
  emitAccounts(): void {
    this.#deps.hub.emit({ type: 'accounts-changed', accounts: this.views() });
  }

  #status(record: AccountRecord, profile: ProviderProfile | undefined): AccountStatus {
    if (this.#deps.isRefreshing(record.id)) return { kind: 'refreshing' };
    if (record.needsSignIn) return { kind: 'needs-sign-in', reason: record.needsSignIn };
    if (!profile) return { kind: 'unknown' };
    const status = this.#deps.tokens.statusFromCache(profile, record, this.#deps.now());
    // An app identity's reason is its own (a missing secret), not a lost sign-in.
    return status.kind === 'needs-sign-in' && profile.grant !== 'app' ? { kind: 'needs-sign-in', reason: this.#deps.persistence.noTokenReason() } : status;
  }
}
