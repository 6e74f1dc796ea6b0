// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/app';
import { describeSignInFailure } from '../../../renderer/add-account/sign-in-messages';
import { createFakeApi, makeAccount } from '../support/fake-api';
import { renderWithStore } from '../support/render-app';

afterEach(cleanup);

async function openAddAccount(): Promise<HTMLElement> {
  fireEvent.click(await screen.findByRole('button', { name: 'Add account' }));
  return screen.findByRole('dialog', { name: 'Add account' });
}

describe('add account', () => {
  it('signs in with the demo profile through the system browser, with progress', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    fake.holdSignIn = true;
    renderWithStore(<App />, fake);
    const dialog = await openAddAccount();
    await within(dialog).findByRole('radio', { name: /Demo provider/ });
    // Browser mode has no embedded window.
    expect((within(dialog).getByLabelText(/App window/) as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    expect((await within(dialog).findByTestId('sign-in-progress')).textContent).toContain('Opening the sign-in page');
    fake.emit({ type: 'sign-in-progress', progress: { kind: 'waiting-for-user', profileId: 'demo', method: 'system-browser', host: 'localhost:8443' } });
    await waitFor(() => expect(within(dialog).getByTestId('sign-in-progress').textContent).toContain('Finish signing in at localhost:8443 in your browser'));
    expect(fake.callsOf('addAccount')[0]?.args[0]).toEqual({ profileId: 'demo', method: 'system-browser' });
    fake.finishSignIn({ ok: true, value: makeAccount({ id: 'new', username: 'alice@contoso.com' }) });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect((await screen.findByTestId('toast')).textContent).toContain('Signed in as alice@contoso.com.');
  });

  it('signs in with a device code: shows the code, its address and a countdown; main copies the code', async () => {
    const fake = createFakeApi();
    fake.holdSignIn = true;
    renderWithStore(<App />, fake);
    const dialog = await openAddAccount();
    await within(dialog).findByRole('radio', { name: /Demo provider/ });
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Device code' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    expect(fake.callsOf('addAccount')[0]?.args[0]).toEqual({ profileId: 'demo', method: 'device-code' });
    const expiresAt = Date.now() + 14 * 60_000 + 30_000;
    fake.emit({ type: 'sign-in-progress', progress: { kind: 'device-code', profileId: 'demo', host: 'localhost:8443', userCode: 'WDJB-MJHT', verificationUri: 'https://localhost:8443/device', verificationUriComplete: 'https://localhost:8443/device?user_code=WDJB-MJHT', expiresAt } });
    const box = await within(dialog).findByTestId('device-code');
    expect(within(box).getByTestId('device-user-code').textContent).toBe('WDJB-MJHT');
    expect(within(box).getByTestId('device-verification-uri').getAttribute('href')).toBe('https://localhost:8443/device?user_code=WDJB-MJHT');
    expect(within(box).getByTestId('device-code-countdown').textContent).toMatch(/^The code expires in 14:(29|30)\.$/);
    fireEvent.click(within(box).getByRole('button', { name: 'Copy the code' }));
    await within(box).findByText('The code was copied.');
    expect(fake.callsOf('copyDeviceCode').map((call) => call.args)).toEqual([['user-code']]);
    // Only this sign-in's code can be copied; main says so when none is waiting.
    fake.failNext('copyDeviceCode', { code: 'not_found', message: 'No device code sign-in is waiting: start the sign-in again to get a code.' });
    fireEvent.click(within(box).getByRole('button', { name: 'Copy the address' }));
    await within(box).findByText('The address could not be copied: No device code sign-in is waiting: start the sign-in again to get a code.');
    fake.finishSignIn({ ok: false, error: { code: 'device_code_expired', message: 'The code expired before the sign-in was finished at localhost:8443. Start again to get a new code.' } });
    const failure = await within(dialog).findByTestId('sign-in-error');
    expect(failure.textContent).toContain('The code expired');
    expect(within(dialog).queryByTestId('device-code')).toBeNull();
  });

  it('shows a clear message when the user cancels', async () => {
    const fake = createFakeApi();
    fake.holdSignIn = true;
    renderWithStore(<App />, fake);
    const dialog = await openAddAccount();
    await within(dialog).findByRole('radio', { name: /Demo provider/ });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Cancel sign-in' }));
    const error = await within(dialog).findByTestId('sign-in-error');
    expect(error.textContent).toContain('Sign-in cancelled');
    expect((within(dialog).getByRole('button', { name: 'Try again' }) as HTMLButtonElement).disabled).toBe(false);
    expect(within(dialog).queryByRole('button', { name: 'Cancel sign-in' })).toBeNull();
  });

  it('shows the AADSTS code and text of a provider error', async () => {
    const fake = createFakeApi();
    fake.failNext('addAccount', {
      code: 'invalid_client',
      message: 'AADSTS700016: the app (client id) was not found in this tenant; check the client id and tenant.',
      provider: { error: 'invalid_client', aadsts: 700016 },
    });
    renderWithStore(<App />, fake);
    const dialog = await openAddAccount();
    await within(dialog).findByRole('radio', { name: /Demo provider/ });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    const error = await within(dialog).findByTestId('sign-in-error');
    expect(error.textContent).toContain('The provider refused the sign-in (AADSTS700016)');
    expect(error.textContent).toContain('the app (client id) was not found in this tenant');
  });

  it('describes timeouts', () => {
    expect(describeSignInFailure({ code: 'interaction_timeout', message: 'x' }).title).toBe('Sign-in timed out');
  });

  it('creates a profile, showing validation errors next to their fields', async () => {
    const fake = createFakeApi();
    fake.validation = { valid: false, fieldErrors: { authority: 'The tenant was not found (AADSTS90002).', clientId: 'Enter the application (client) id.' } };
    renderWithStore(<App />, fake);
    const dialog = await openAddAccount();
    fireEvent.click(within(dialog).getByRole('button', { name: '+ New profile…' }));
    const form = await screen.findByRole('form', { name: 'New provider profile' });
    fireEvent.change(within(form).getByLabelText('Profile name'), { target: { value: 'Contoso' } });
    fireEvent.change(within(form).getByLabelText('Tenant (id or domain)'), { target: { value: 'contoso.onmicrosoft.com' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Check and save' }));

    const tenant = within(form).getByLabelText('Tenant (id or domain)');
    await waitFor(() => expect(tenant.getAttribute('aria-invalid')).toBe('true'));
    const tenantError = document.getElementById(tenant.getAttribute('aria-describedby')?.split(' ').find((id) => id.endsWith('-error')) ?? '');
    expect(tenantError?.textContent).toBe('The tenant was not found (AADSTS90002).');
    const clientId = within(form).getByLabelText('Client id');
    expect(clientId.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(clientId.getAttribute('aria-describedby') ?? '')?.textContent).toBe('Enter the application (client) id.');
    expect(within(form).getByLabelText('Profile name').getAttribute('aria-invalid')).toBeNull();
    expect(fake.callsOf('validateProfile')[0]?.args[0]).toMatchObject({ name: 'Contoso', kind: 'entra', preset: 'entra', authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com', defaultScopes: ['User.Read'], signInMethod: 'system-browser' });
    expect(fake.callsOf('saveProfile')).toHaveLength(0);

    fake.validation = { valid: true, fieldErrors: {}, issuer: 'https://login.microsoftonline.com/x/v2.0' };
    fireEvent.change(within(form).getByLabelText('Client id'), { target: { value: '11111111-2222-3333-4444-555555555555' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Check and save' }));
    const back = await screen.findByRole('dialog', { name: 'Add account' });
    expect((within(back).getByRole('radio', { name: /Contoso/ }) as HTMLInputElement).checked).toBe(true);
    expect(fake.callsOf('saveProfile')).toHaveLength(1);
  });
});

describe('settings', () => {
  it('changes the clipboard clear time and default sign-in method', async () => {
    const fake = createFakeApi();
    fake.mode = 'electron';
    fake.storage = { mode: 'encrypted', backend: 'gnome_libsecret' };
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    const clear = within(dialog).getByLabelText('Clear the clipboard after (seconds)');
    fireEvent.change(clear, { target: { value: '30' } });
    fireEvent.blur(clear);
    fireEvent.change(within(dialog).getByLabelText('Linux password store'), { target: { value: 'gnome-libsecret' } });
    fireEvent.click(within(dialog).getByLabelText(/weak encryption/));
    await waitFor(() => expect(fake.settings).toMatchObject({ clipboardClearSeconds: 30, linuxPasswordStore: 'gnome-libsecret', allowWeakEncryption: true }));
    expect(within(dialog).getByTestId('storage-status').textContent).toContain('Encrypted (gnome_libsecret)');
  });

  it('explains a wrong number next to its field instead of dropping it', async () => {
    const fake = createFakeApi();
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    const clear = within(dialog).getByLabelText('Clear the clipboard after (seconds)');
    const errorOf = (): string | null | undefined => document.getElementById(`${clear.id}-error`)?.textContent;
    for (const [typed, message] of [
      ['-5', 'Use 0 to 3600 seconds.'],
      ['2.5', 'Use whole seconds (no fractions), from 0 to 3600.'],
      ['soon', 'Enter a number of seconds from 0 to 3600.'],
    ] as const) {
      fireEvent.change(clear, { target: { value: typed } });
      fireEvent.blur(clear);
      expect(errorOf()).toBe(message);
      expect(clear.getAttribute('aria-invalid')).toBe('true');
    }
    expect(fake.callsOf('updateSettings')).toHaveLength(0);
    fireEvent.change(clear, { target: { value: '30' } });
    fireEvent.blur(clear);
    await waitFor(() => expect(fake.settings.clipboardClearSeconds).toBe(30));
    expect(clear.getAttribute('aria-invalid')).toBeNull();
    expect(await within(dialog).findByText('Saved.')).not.toBeNull();
  });

  it('shows browser mode only what applies to it, without keyring advice', async () => {
    const fake = createFakeApi();
    fake.storage = { mode: 'memory-only', backend: 'browser-mode-memory', reason: 'The OS keyring is not available: install gnome-keyring.' };
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    await waitFor(() => expect(within(dialog).getByTestId('storage-status').textContent).toContain('npm start -- --persist-tokens'));
    expect(within(dialog).queryByLabelText('Linux password store')).toBeNull();
    expect(within(dialog).queryByLabelText(/weak encryption/)).toBeNull();
    expect(within(dialog).queryByLabelText('Default sign-in method')).toBeNull();
    expect(within(dialog).getByTestId('storage-status').textContent).not.toContain('keyring is not available');
  });
});
