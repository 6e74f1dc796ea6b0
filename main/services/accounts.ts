/**
 * Account metadata: what the app remembers about each signed-in account besides its tokens.
 *
 * Kept in the settings store (profile id, identity keys, username for display, pinned, the last
 * "needs sign-in" reason); never a token. The tokens live in the one shared, encrypted MSAL cache.
 */
import { createHash } from 'node:crypto';
import type { AccountId, ErrorInfo, ProfileId, SignInMethod } from '../../preload/contract';
import type { Account } from '../auth';
import { AppError, isErrorCode } from '../errors';
import type { KeyValueStore } from '../persistence/settings-store';

/** The settings-store key of the account list. */
export const ACCOUNTS_KEY = 'accounts';

/** Who signed in, as learned from a token response and the cache. */
export interface SignedInIdentity {
  /** MSAL's `home_account_id` (`uid.utid` on Entra, `sub` elsewhere). */
  readonly homeAccountId: string;
  /** MSAL's `environment`: the authority host. */
  readonly environment: string;
  readonly realm: string;
  readonly localAccountId: string;
  readonly username: string;
  readonly displayName?: string;
  readonly tenant?: string;
}

/** One account as remembered between runs. No secrets. */
export interface AccountRecord extends SignedInIdentity {
  readonly id: AccountId;
  readonly profileId: ProfileId;
  readonly pinned: boolean;
  /** Set when only an interactive sign-in can help; the reason is shown to the user. */
  readonly needsSignIn?: string;
  /** A claims challenge to pass to the next interactive sign-in (Conditional Access, CAE). */
  readonly claimsChallenge?: string;
  readonly lastError?: ErrorInfo;
  /** How the account last signed in; "Sign in again" uses a device code again when it did (SSH, headless). */
  readonly signedInWith?: SignInMethod;
  /** Epoch milliseconds. */
  readonly addedAt: number;
}

/**
 * The id of an account: a hash of profile, home account id and environment.
 *
 * The same person in two profiles (two providers, or two app registrations) gets two ids, so
 * accounts never collide across providers.
 */
export function accountIdFor(profileId: ProfileId, homeAccountId: string, environment: string): AccountId {
  return createHash('sha256').update(`${profileId}\n${homeAccountId}\n${environment}`, 'utf8').digest('hex').slice(0, 32);
}

/** The auth core's account object for a record (enough for silent calls and removal). */
export function toAuthAccount(record: AccountRecord): Account {
  return {
    home_account_id: record.homeAccountId,
    environment: record.environment,
    realm: record.realm,
    local_account_id: record.localAccountId,
    username: record.username,
    authority_type: 'MSSTS',
  };
}

/**
 * The account records in the settings store, in the order they were added.
 *
 * Writes go straight to the store, which persists atomically.
 */
export class AccountRegistry {
  readonly #store: KeyValueStore;
  #records: AccountRecord[];

  constructor(store: KeyValueStore) {
    this.#store = store;
    const raw = store.get(ACCOUNTS_KEY);
    this.#records = Array.isArray(raw) ? raw.filter(isRecord).map(withKnownErrorCode) : [];
  }

  /** All records. */
  list(): readonly AccountRecord[] {
    return this.#records;
  }

  /** The record, or `undefined`. */
  find(id: AccountId): AccountRecord | undefined {
    return this.#records.find((r) => r.id === id);
  }

  /** The record; throws `not_found` for unknown ids. */
  get(id: AccountId): AccountRecord {
    const record = this.find(id);
    if (!record) throw new AppError('not_found', 'This account is no longer signed in here. Refresh the list.');
    return record;
  }

  /** Adds the record, or replaces the one with the same id (keeping its pin and added time). */
  upsert(record: AccountRecord): AccountRecord {
    const existing = this.find(record.id);
    const next = existing ? { ...record, pinned: existing.pinned, addedAt: existing.addedAt } : record;
    this.#write(existing ? this.#records.map((r) => (r.id === record.id ? next : r)) : [...this.#records, next]);
    return next;
  }

  /** Applies `patch` to a record; `undefined` values remove optional fields. */
  update(id: AccountId, patch: AccountPatch): AccountRecord {
    const current = this.get(id);
    const next = patched(current, patch);
    if (next !== current) this.#write(this.#records.map((r) => (r.id === id ? next : r)));
    return next;
  }

  /**
   * Applies `patch` to every record, in one write.
   *
   * One write, not one per account: every write rewrites the whole settings file (which, in the
   * desktop app, also holds the encrypted token cache).
   */
  updateAll(patch: AccountPatch): void {
    const next = this.#records.map((r) => patched(r, patch));
    if (next.some((r, i) => r !== this.#records[i])) this.#write(next);
  }

  /**
   * Passes every stored message (needs-sign-in reason, last error) through `redactText`, in one
   * write: a settings file written before a secret was known may quote it.
   */
  redactMessages(redactText: (text: string) => string): void {
    const next = this.#records.map((r) =>
      patched(r, {
        ...(r.needsSignIn ? { needsSignIn: redactText(r.needsSignIn) } : {}),
        ...(r.lastError ? { lastError: { ...r.lastError, message: redactText(r.lastError.message) } } : {}),
      }),
    );
    if (next.some((r, i) => r !== this.#records[i])) this.#write(next);
  }

  /** Forgets the record. */
  remove(id: AccountId): void {
    this.#write(this.#records.filter((r) => r.id !== id));
  }

  #write(next: AccountRecord[]): void {
    this.#store.set(ACCOUNTS_KEY, next);
    this.#records = next;
  }
}

/** A change to a record: `undefined` values remove optional fields. */
type AccountPatch = Partial<Omit<AccountRecord, 'id'>>;

// `record` itself when the patch changes nothing, so callers can skip the write.
function patched(record: AccountRecord, patch: AccountPatch): AccountRecord {
  const merged: Record<string, unknown> = { ...record, ...patch };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  const next = merged as unknown as AccountRecord;
  return JSON.stringify(next) === JSON.stringify(record) ? record : next;
}

function isRecord(value: unknown): value is AccountRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return ['id', 'profileId', 'homeAccountId', 'environment', 'username'].every((k) => typeof r[k] === 'string') && typeof r['pinned'] === 'boolean';
}

// A file written by an older version may hold a `lastError` code the contract no longer has.
function withKnownErrorCode(record: AccountRecord): AccountRecord {
  const error = record.lastError as { code?: unknown; message?: unknown } | undefined;
  if (error === undefined || (isErrorCode(error.code) && typeof error.message === 'string')) return record;
  const { lastError: _dropped, ...rest } = record;
  return rest;
}
