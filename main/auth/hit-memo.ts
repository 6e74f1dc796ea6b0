/**
 * The memo behind a repeated silent cache hit: which access token the silent algorithm chose for
 * one account and one scope list, and until when that choice is sure to stand.
 *
 * `ClientApplication.lookupAccessToken` (./application.ts) searches the cache (scope sorting, key
 * building, index walk, expiry purge) and picks the first access token valid for at least the
 * 5-minute skew. Asked again with the same inputs, it picks the same token for as long as
 * - the cache has not changed (its `revision`), since the candidates and their order depend only
 *   on the contents;
 * - the clock has not gone back before the first answer, nor past the first moment the answer
 *   could differ: the chosen token entering the skew, its `refresh_on` passing (an aging token
 *   is refreshed), or any access token expiring (a search would purge it, which is a change).
 * Within that window the memo's answer equals a full lookup's, minus the work.
 */

/** A token the silent algorithm chose, with the window in which it would choose it again. */
export interface MemoizedHit {
  readonly accessToken: unknown;
  readonly tokenType: unknown;
  /** `expires_on` as an integer (epoch seconds). */
  readonly expiresOn: number;
  /** `refresh_on` as an integer, when the entry has one. */
  readonly refreshOn: number | undefined;
  /** The memo holds for `from ≤ now ≤ until` (epoch seconds). */
  readonly from: number;
  readonly until: number;
}

interface Slot {
  readonly scopes: readonly string[];
  readonly hit: MemoizedHit;
}

// Bounds, so a caller asking for ever new scope lists cannot grow the memo without end between
// two cache changes. Past them the oldest slot (or every account) is dropped: only speed is lost.
const SLOTS_PER_ACCOUNT = 8;
const MAX_ACCOUNTS = 1024;

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Memoized cache hits of one client application for its configured authority, by home account id
 * and the exact scope list the caller passed (same strings, same order).
 *
 * Everything is forgotten when the cache's revision moves, so a memo never outlives the contents
 * it was read from.
 */
export class HitMemo {
  #revision = Number.NaN;
  readonly #byAccount = new Map<string | null, Slot[]>();

  /** The memoized hit for these inputs if it still holds at `now` in cache revision `revision`. */
  get(homeAccountId: string | null, scopes: readonly string[], revision: number, now: number): MemoizedHit | undefined {
    if (revision !== this.#revision) return undefined;
    const slots = this.#byAccount.get(homeAccountId);
    if (slots === undefined) return undefined;
    for (const slot of slots) {
      if (!sameScopes(slot.scopes, scopes)) continue;
      const { hit } = slot;
      return now >= hit.from && now <= hit.until ? hit : undefined;
    }
    return undefined;
  }

  /** Remember `hit` for these inputs, read from the cache at `revision`. */
  set(homeAccountId: string | null, scopes: readonly string[], revision: number, hit: MemoizedHit): void {
    if (revision !== this.#revision) {
      this.#byAccount.clear();
      this.#revision = revision;
    }
    let slots = this.#byAccount.get(homeAccountId);
    if (slots === undefined) {
      if (this.#byAccount.size >= MAX_ACCOUNTS) this.#byAccount.clear();
      this.#byAccount.set(homeAccountId, (slots = []));
    }
    const index = slots.findIndex((slot) => sameScopes(slot.scopes, scopes));
    if (index >= 0) slots.splice(index, 1);
    else if (slots.length >= SLOTS_PER_ACCOUNT) slots.shift();
    // A copy: the caller may reuse and change its array.
    slots.push({ scopes: [...scopes], hit });
  }

  /** Forget everything. */
  clear(): void {
    this.#byAccount.clear();
    this.#revision = Number.NaN;
  }
}
