// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { connectEvents, createAppStore } from '../../../renderer/store';
import { createFakeApi, makeAccount } from '../support/fake-api';

describe('events slice', () => {
  it('drops a revealed token when its account is removed elsewhere (tray, another browser tab)', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' }), makeAccount({ id: 'b' })]);
    const store = createAppStore(fake.api);
    connectEvents(store, fake.api);
    await store.getState().loadAccounts();
    store.getState().openDetails('a');
    await store.getState().revealToken();
    expect(store.getState().revealed).not.toBeNull();

    fake.emit({ type: 'accounts-changed', accounts: [makeAccount({ id: 'a' })] });
    expect(store.getState().revealed).not.toBeNull();

    fake.emit({ type: 'accounts-changed', accounts: [makeAccount({ id: 'b' })] });
    expect(store.getState().detailsFor).toBeNull();
    expect(store.getState().revealed).toBeNull();
  });
});
