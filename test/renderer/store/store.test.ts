// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { connectEvents, createAppStore } from '../../../renderer/store';
import { createFakeApi, makeAccount } from '../support/fake-api';

describe('app store', () => {
  it('loads accounts, profiles, presets, settings and app info', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    const store = createAppStore(fake.api);
    await store.getState().loadAll();
    const state = store.getState();
    expect(state.accounts.map((account) => account.id)).toEqual(['a']);
    expect(state.accountsLoaded).toBe(true);
    expect(state.profiles[0]?.id).toBe('demo');
    expect(state.presets.length).toBe(2);
    expect(state.settings?.clipboardClearSeconds).toBe(60);
    expect(state.appInfo?.mode).toBe('browser');
    expect(state.storage?.mode).toBe('encrypted');
  });

  it('applies pushes from main', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' }), makeAccount({ id: 'b' })]);
    const store = createAppStore(fake.api);
    connectEvents(store, fake.api);
    await store.getState().loadAccounts();

    fake.emit({ type: 'token-refreshed', accountId: 'a', expiresOn: 2_000_000_000 });
    expect(store.getState().accounts[0]?.status).toEqual({ kind: 'valid', expiresOn: 2_000_000_000 });

    fake.emit({ type: 'needs-sign-in', accountId: 'b', reason: 'The refresh token was revoked.' });
    expect(store.getState().accounts[1]?.status).toEqual({ kind: 'needs-sign-in', reason: 'The refresh token was revoked.' });

    fake.emit({ type: 'account-updated', account: makeAccount({ id: 'c' }) });
    expect(store.getState().accounts.map((account) => account.id)).toEqual(['a', 'b', 'c']);

    fake.emit({ type: 'accounts-changed', accounts: [makeAccount({ id: 'z' })] });
    expect(store.getState().accounts.map((account) => account.id)).toEqual(['z']);

    fake.emit({ type: 'storage-status', status: { mode: 'memory-only', backend: 'basic_text', reason: 'No keyring.' } });
    expect(store.getState().storage?.mode).toBe('memory-only');

    fake.emit({ type: 'clipboard-cleared' });
    expect(store.getState().toasts.at(-1)?.message).toBe('Clipboard cleared.');
  });

  it('copies in main and toasts when the clipboard clears', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    const store = createAppStore(fake.api);
    expect(await store.getState().copyToken('a', { format: 'bearer', scopes: ['x'] })).toBe(true);
    expect(fake.callsOf('copyToken')[0]?.args[0]).toEqual({ accountId: 'a', format: 'bearer', scopes: ['x'] });
    const toast = store.getState().toasts.at(-1);
    expect(toast?.kind).toBe('success');
    expect(toast?.message).toMatch(/^Authorization header copied\. Clipboard clears at /);
    expect(toast?.clearsAt).toBeGreaterThan(Date.now());
  });

  it('drops the revealed token when the details panel closes', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    const store = createAppStore(fake.api);
    store.getState().openDetails('a');
    await store.getState().revealToken();
    expect(store.getState().revealed?.accessToken).toBe('opaque-token-value');
    store.getState().closeDetails();
    expect(store.getState().revealed).toBeNull();
    expect(store.getState().detailsFor).toBeNull();
  });

  it('ignores a token that arrives after the panel closed', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    const store = createAppStore(fake.api);
    store.getState().openDetails('a');
    const pending = store.getState().revealToken();
    store.getState().closeDetails();
    await pending;
    expect(store.getState().revealed).toBeNull();
  });

  it('tracks sign-in progress and keeps the provider error', async () => {
    const fake = createFakeApi();
    fake.holdSignIn = true;
    const store = createAppStore(fake.api);
    connectEvents(store, fake.api);
    const pending = store.getState().addAccount('demo', 'system-browser');
    expect(store.getState().signIn.kind).toBe('starting');
    fake.emit({ type: 'sign-in-progress', progress: { kind: 'waiting-for-user', profileId: 'demo', method: 'system-browser', host: 'localhost:8443' } });
    expect(store.getState().signIn).toEqual({ kind: 'waiting-for-user', profileId: 'demo', method: 'system-browser', host: 'localhost:8443' });
    fake.finishSignIn({ ok: false, error: { code: 'invalid_grant', message: 'AADSTS50126: Error validating credentials due to invalid username or password.' } });
    expect(await pending).toBeUndefined();
    expect(store.getState().signIn).toMatchObject({ kind: 'failed', error: { code: 'invalid_grant' } });
    // A late push must not bring a finished flow back.
    fake.emit({ type: 'sign-in-progress', progress: { kind: 'redeeming', profileId: 'demo' } });
    expect(store.getState().signIn.kind).toBe('failed');
  });

  it('marks an account busy while it refreshes and toasts a failure', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    const store = createAppStore(fake.api);
    await store.getState().loadAccounts();
    fake.failNext('refreshAccount', { code: 'network_error', message: 'The provider could not be reached.' });
    const pending = store.getState().refreshAccount('a');
    expect(store.getState().busyAccounts.has('a')).toBe(true);
    await pending;
    expect(store.getState().busyAccounts.has('a')).toBe(false);
    expect(store.getState().toasts.at(-1)).toMatchObject({ kind: 'error', message: 'Refresh failed: The provider could not be reached.' });
  });

  it('removes an account and closes its details', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' }), makeAccount({ id: 'b' })]);
    const store = createAppStore(fake.api);
    await store.getState().loadAccounts();
    store.getState().openDetails('a');
    expect(await store.getState().removeAccount('a')).toBe(true);
    expect(store.getState().accounts.map((account) => account.id)).toEqual(['b']);
    expect(store.getState().detailsFor).toBeNull();
  });

  it('returns field errors instead of saving an invalid profile', async () => {
    const fake = createFakeApi();
    fake.validation = { valid: false, fieldErrors: { clientId: 'Enter the application (client) id.' } };
    const store = createAppStore(fake.api);
    const outcome = await store.getState().saveProfile({ name: 'x', kind: 'oidc', preset: 'custom-oidc', clientId: '', authority: 'https://a', defaultScopes: [], signInMethod: 'system-browser' });
    expect(outcome.saved).toBeUndefined();
    expect(outcome.validation?.fieldErrors.clientId).toBe('Enter the application (client) id.');
    expect(fake.callsOf('saveProfile')).toHaveLength(0);
  });
});
