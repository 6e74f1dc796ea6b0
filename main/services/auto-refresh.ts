/**
 * Keeps pinned accounts' tokens fresh: each is refreshed a set time before it expires.
 *
 * Timers and clock are injected, so tests drive it without waiting.
 */
import type { AccountId } from '../../preload/contract';
import type { Timers } from '../clipboard/clipboard-service';

/** What one refresh attempt reports back. */
export type RefreshOutcome =
  | { readonly kind: 'refreshed'; readonly expiresOn: number }
  /** Only the user can fix it (dead refresh token): stop until the account is signed in again. */
  | { readonly kind: 'needs-sign-in' }
  /** Network trouble and the like: try again later. */
  | { readonly kind: 'retry' };

/** Options of {@link AutoRefresher}. */
export interface AutoRefresherOptions {
  readonly timers: Timers;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Minutes before expiry at which to refresh (read on every scheduling, so settings apply at once). */
  readonly leadMinutes: () => number;
  /** Refreshes the account's default-scope token, bypassing the access-token cache. */
  readonly refresh: (accountId: AccountId) => Promise<RefreshOutcome>;
}

/** Shortest gap between two refreshes of one account, so a token shorter-lived than the lead time cannot cause a storm. */
export const MIN_REFRESH_INTERVAL_MS = 30_000;
/** Wait after a transient failure. */
export const RETRY_AFTER_MS = 60_000;

/**
 * One timer per pinned account.
 *
 * `schedule(id, expiresOn)` arms (or re-arms) the account's timer for `expiresOn - lead`; an
 * expired or unknown expiry refreshes at once. After a refresh it re-arms itself from the new
 * expiry; after `needs-sign-in` it stops; after a transient failure it retries in a minute.
 */
export class AutoRefresher {
  readonly #options: AutoRefresherOptions;
  readonly #timers = new Map<AccountId, unknown>();
  #disposed = false;

  constructor(options: AutoRefresherOptions) {
    this.#options = options;
  }

  /** Accounts with an armed timer. */
  get scheduled(): readonly AccountId[] {
    return [...this.#timers.keys()];
  }

  /** Arms the account's timer; `expiresOn` in epoch seconds, `undefined` when no token is cached. */
  schedule(accountId: AccountId, expiresOn: number | undefined, justRefreshed = false): void {
    if (this.#disposed) return;
    const now = this.#options.now();
    let delay = expiresOn === undefined ? 0 : expiresOn * 1000 - this.#options.leadMinutes() * 60_000 - now;
    if (justRefreshed && delay < MIN_REFRESH_INTERVAL_MS) {
      // The new token lives shorter than the lead time: refresh halfway through, but not in a loop.
      const remaining = expiresOn === undefined ? 0 : expiresOn * 1000 - now;
      delay = Math.max(MIN_REFRESH_INTERVAL_MS, remaining / 2);
    }
    this.#arm(accountId, Math.max(0, delay));
  }

  /** Stops refreshing the account. */
  cancel(accountId: AccountId): void {
    const handle = this.#timers.get(accountId);
    if (handle !== undefined) this.#options.timers.clearTimeout(handle);
    this.#timers.delete(accountId);
  }

  /** Stops every timer. */
  dispose(): void {
    this.#disposed = true;
    for (const id of [...this.#timers.keys()]) this.cancel(id);
  }

  #arm(accountId: AccountId, delay: number): void {
    this.cancel(accountId);
    const handle = this.#options.timers.setTimeout(() => {
      if (this.#timers.get(accountId) !== handle) return;
      this.#timers.delete(accountId);
      void this.#run(accountId);
    }, delay);
    this.#timers.set(accountId, handle);
  }

  async #run(accountId: AccountId): Promise<void> {
    let outcome: RefreshOutcome;
    try {
      outcome = await this.#options.refresh(accountId);
    } catch {
      outcome = { kind: 'retry' };
    }
    if (this.#disposed) return;
    if (outcome.kind === 'refreshed') this.schedule(accountId, outcome.expiresOn, true);
    else if (outcome.kind === 'retry') this.#arm(accountId, RETRY_AFTER_MS);
  }
}
