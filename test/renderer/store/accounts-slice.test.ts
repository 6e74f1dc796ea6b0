// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { connectEvents, createAppStore } from '../../../renderer/store';
import { createFakeApi, makeAccount } from '../support/fake-api';

describe('accounts slice', () => {
  it('keeps the refresh pushed during "pin" when the older answer to "pin" arrives after it', async () => {
    const expired = makeAccount({ id: 'a', status: { kind: 'expired' } });
    const fake = createFakeApi([expired]);
    const store = createAppStore(fake.api);
    connectEvents(store, fake.api);
    await store.getState().loadAccounts();

    const pinning = store.getState().setPinned('a', true);
    // Main refreshes the pinned account at once and pushes it before the answer is read.
    const refreshed = { ...expired, pinned: true, status: { kind: 'valid', expiresOn: Math.floor(Date.now() / 1000) + 3600 } } as const;
    fake.emit({ type: 'account-updated', account: refreshed });
    await pinning;
    expect(store.getState().accounts[0]?.status).toEqual(refreshed.status);
  });

  it('does not bring back an account removed while its action ran', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' }), makeAccount({ id: 'b' })]);
    const store = createAppStore(fake.api);
    connectEvents(store, fake.api);
    await store.getState().loadAccounts();

    const refreshing = store.getState().refreshAccount('a');
    fake.emit({ type: 'accounts-changed', accounts: [makeAccount({ id: 'b' })] });
    await refreshing;
    expect(store.getState().accounts.map((account) => account.id)).toEqual(['b']);
  });
});
