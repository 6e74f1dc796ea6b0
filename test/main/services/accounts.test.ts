import { describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../../main/persistence/settings-store';
import { ACCOUNTS_KEY, AccountRegistry, type AccountRecord } from '../../../main/services/accounts';

/** A settings store that counts writes: each write rewrites the whole settings file. */
class CountingStore implements KeyValueStore {
  writes = 0;
  readonly #data = new Map<string, unknown>();
  get(key: string): unknown {
    return structuredClone(this.#data.get(key));
  }
  set(key: string, value: unknown): void {
    this.writes += 1;
    this.#data.set(key, structuredClone(value));
  }
  delete(key: string): void {
    this.writes += 1;
    this.#data.delete(key);
  }
}

function record(i: number): AccountRecord {
  return {
    id: `a${i}`,
    profileId: 'p',
    homeAccountId: `h${i}`,
    environment: 'login.example.com',
    realm: 'r',
    localAccountId: `h${i}`,
    username: `user${i}@contoso.com`,
    pinned: false,
    addedAt: 0,
  };
}

describe('AccountRegistry', () => {
  it('marks every account as needing sign-in with one settings write, not one per account', () => {
    const store = new CountingStore();
    store.set(ACCOUNTS_KEY, Array.from({ length: 200 }, (_, i) => record(i)));
    const registry = new AccountRegistry(store);
    const reason = 'The saved sign-ins could not be read. Sign in again.';

    store.writes = 0;
    registry.updateAll({ needsSignIn: reason, lastError: { code: 'needs_sign_in', message: reason } });
    expect(store.writes).toBe(1);
    expect(new AccountRegistry(store).list().every((r) => r.needsSignIn === reason)).toBe(true);

    // Nothing changes: nothing is written.
    registry.updateAll({ needsSignIn: reason, lastError: { code: 'needs_sign_in', message: reason } });
    expect(store.writes).toBe(1);
  });

  it('removes optional fields patched with undefined and skips writes that change nothing', () => {
    const store = new CountingStore();
    store.set(ACCOUNTS_KEY, [{ ...record(1), needsSignIn: 'x' }]);
    const registry = new AccountRegistry(store);
    store.writes = 0;
    expect(registry.update('a1', { needsSignIn: undefined })).not.toHaveProperty('needsSignIn');
    expect(registry.update('a1', { pinned: false })).toBe(registry.find('a1'));
    expect(store.writes).toBe(1);
  });
});
