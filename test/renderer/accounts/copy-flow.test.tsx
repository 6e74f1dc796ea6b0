// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/app';
import { createFakeApi, makeAccount } from '../support/fake-api';
import { renderWithStore } from '../support/render-app';

afterEach(cleanup);

describe('copy token', () => {
  it('copies the default scopes as a raw token and toasts when the clipboard clears', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Copy token raw for alice@contoso.com' }));
    const toast = await screen.findByTestId('toast');
    expect(toast.textContent).toMatch(/Access token copied\. Clipboard clears at \d{1,2}:\d{2}:\d{2}/);
    expect(fake.callsOf('copyToken')[0]?.args[0]).toEqual({ accountId: 'a', format: 'raw' });
    // The token itself never reaches the renderer for a copy.
    expect(document.body.innerHTML).not.toContain(fake.token.accessToken);
  });

  it('copies other scopes as an Authorization header from the scope picker', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Copy options for alice@contoso.com' }));
    const dialog = await screen.findByRole('dialog', { name: 'Copy token for alice@contoso.com' });
    const scopes = within(dialog).getByLabelText('Scopes') as HTMLInputElement;
    expect(scopes.value).toBe('api://tessera-demo/read api://tessera-demo/write');
    fireEvent.click(within(dialog).getByRole('button', { name: 'api://tessera-demo/write' }));
    expect(scopes.value).toBe('api://tessera-demo/write');
    fireEvent.click(within(dialog).getByLabelText('Authorization: Bearer … header'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.callsOf('copyToken')[0]?.args[0]).toEqual({ accountId: 'a', format: 'bearer', scopes: ['api://tessera-demo/write'] });
    expect((await screen.findByTestId('toast')).textContent).toMatch(/^Authorization header copied/);
    // The main button now says what it copies.
    const main = screen.getByRole('button', { name: 'Copy token header for alice@contoso.com' });
    expect(main.textContent).toBe('Copy token header for alice@contoso.com');
    fireEvent.click(main);
    await waitFor(() => expect(fake.callsOf('copyToken')).toHaveLength(2));
    expect(fake.callsOf('copyToken')[1]?.args[0]).toEqual({ accountId: 'a', format: 'bearer' });
  });

  it('says when the clipboard will not be cleared, and shows copy errors', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    const { store } = renderWithStore(<App />, fake);
    fake.failNext('copyToken', { code: 'needs_sign_in', message: 'Sign in again to get a token for these scopes.' });
    fireEvent.click(await screen.findByRole('button', { name: 'Copy token raw for alice@contoso.com' }));
    expect((await screen.findByTestId('toast')).textContent).toContain('Copying the token failed: Sign in again to get a token for these scopes.');
    store.getState().dismissToast(store.getState().toasts[0]?.id ?? 0);
    fake.settings = { ...fake.settings, clipboardClearSeconds: 0 };
    fireEvent.click(screen.getByRole('button', { name: 'Copy token raw for alice@contoso.com' }));
    await waitFor(() => expect(screen.getByTestId('toast').textContent).toContain('The clipboard will not be cleared.'));
  });
});

describe('copy options errors', () => {
  it('shows a refused scope next to the Scopes field, in words about scopes, not in a toast', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    const { store } = renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Copy options for alice@contoso.com' }));
    const dialog = await screen.findByRole('dialog', { name: 'Copy token for alice@contoso.com' });
    fake.failNext('copyToken', { code: 'invalid_scope', message: 'The provider did not grant these scopes to this sign-in. Sign in for these scopes, or check how the provider spells them.' });
    fireEvent.change(within(dialog).getByLabelText('Scopes'), { target: { value: 'api://tessera-demo/admin' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Copy' }));
    const error = await within(dialog).findByTestId('copy-error');
    expect(error.textContent).toContain('this account has not consented to these scopes yet');
    const scopes = within(dialog).getByLabelText('Scopes');
    expect(scopes.getAttribute('aria-invalid')).toBe('true');
    expect(scopes.getAttribute('aria-describedby')?.split(' ')).toContain(error.id);
    expect(store.getState().toasts).toEqual([]);
    // Other errors keep main's own message.
    fake.failNext('copyToken', { code: 'network_error', message: 'The provider could not be reached. Check the network and try again.' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(within(dialog).getByTestId('copy-error').textContent).toBe('The provider could not be reached. Check the network and try again.'));
  });
});

describe('incremental consent from the copy options', () => {
  it('offers "Sign in for these scopes" for consent_required, signs in for them, then copies', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    const { store } = renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Copy options for alice@contoso.com' }));
    const dialog = await screen.findByRole('dialog', { name: 'Copy token for alice@contoso.com' });
    // A silent call reports consent_required as needs_sign_in, with the provider's value alongside.
    fake.failNext('copyToken', { code: 'needs_sign_in', message: 'The app needs your consent for these permissions. Sign in again to consent.', provider: { error: 'consent_required' } });
    fireEvent.change(within(dialog).getByLabelText('Scopes'), { target: { value: 'api://tessera-demo/admin' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Copy' }));
    const error = await within(dialog).findByTestId('copy-error');
    expect(error.textContent).not.toContain('check the scopes of the profile');
    expect(error.textContent).toMatch(/^Scopes: /);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in for these scopes' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.callsOf('signInForScopes').map((call) => call.args)).toEqual([['a', ['api://tessera-demo/admin']]]);
    expect(fake.callsOf('copyToken').at(-1)?.args[0]).toEqual({ accountId: 'a', format: 'raw', scopes: ['api://tessera-demo/admin'] });
    expect(store.getState().toasts.map((toast) => toast.kind)).toEqual(['success']);
  });

  it('keeps a failed sign-in for the scopes next to the field, and offers no sign-in for other errors', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    const { store } = renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Copy options for alice@contoso.com' }));
    const dialog = await screen.findByRole('dialog', { name: 'Copy token for alice@contoso.com' });
    fake.failNext('copyToken', { code: 'invalid_scope', message: 'The provider does not accept these scopes.' });
    fireEvent.change(within(dialog).getByLabelText('Scopes'), { target: { value: 'api://tessera-demo/admin' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Copy' }));
    await within(dialog).findByRole('button', { name: 'Sign in for these scopes' });
    fake.failNext('signInForScopes', { code: 'user_cancelled', message: 'The browser sign-in was cancelled.' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in for these scopes' }));
    await waitFor(() => expect(within(dialog).getByTestId('copy-error').textContent).toBe('Scopes: the sign-in for these scopes was cancelled. Nothing was copied.'));
    expect(within(dialog).queryByRole('button', { name: 'Sign in for these scopes' })).toBeNull();
    expect(fake.callsOf('copyToken')).toHaveLength(1);
    expect(store.getState().toasts).toEqual([]);
  });
});

describe('remove account', () => {
  it('asks for confirmation first', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Remove alice@contoso.com' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove account?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep' }));
    expect(fake.callsOf('removeAccount')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Remove alice@contoso.com' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Remove account' }));
    await screen.findByRole('button', { name: 'Add your first account' });
    expect(fake.callsOf('removeAccount')[0]?.args).toEqual(['a']);
  });

  it('closes a dialog with Escape', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Remove alice@contoso.com' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.contains(document.activeElement)).toBe(true);
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
