// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/app';
import { issuerFromInput, parameterProblem } from '../../../renderer/add-account/profile-form';
import { createFakeApi, makeAccount, type FakeApi } from '../support/fake-api';
import { renderWithStore } from '../support/render-app';

afterEach(cleanup);

function withCustomProfile(fake: FakeApi): FakeApi {
  fake.profiles.push({
    id: 'contoso',
    name: 'Contoso',
    kind: 'oidc',
    preset: 'custom-oidc',
    clientId: 'contoso-app',
    authority: 'https://idp.contoso.com',
    defaultScopes: ['api://contoso/read'],
    signInMethod: 'system-browser',
    extraAuthorizeParameters: { audience: 'api://contoso' },
  });
  fake.presets.push({ id: 'auth0', label: 'Auth0', kind: 'oidc', authorityTemplate: 'https://{yourTenant}.auth0.com/', defaultScopes: ['email'], signInMethod: 'system-browser', extraAuthorizeParameters: { audience: '{yourApiIdentifier}' } });
  return fake;
}

async function openAddAccount(): Promise<HTMLElement> {
  fireEvent.click(await screen.findByRole('button', { name: 'Add account' }));
  const dialog = await screen.findByRole('dialog', { name: 'Add account' });
  await within(dialog).findByRole('radio', { name: /Contoso/ });
  return dialog;
}

/** Opens the "New provider profile" form from the Add account dialog, with `provider` chosen. */
async function openNewProfileForm(dialog: HTMLElement, provider: string): Promise<HTMLElement> {
  fireEvent.click(within(dialog).getByRole('button', { name: '+ New profile…' }));
  const form = await screen.findByRole('form', { name: 'New provider profile' });
  fireEvent.change(within(form).getByLabelText('Provider'), { target: { value: provider } });
  return form;
}

describe('profile management', () => {
  it('edits a profile in place, keeping its id and its extra parameters', async () => {
    const fake = withCustomProfile(createFakeApi());
    renderWithStore(<App />, fake);
    const dialog = await openAddAccount();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Edit Contoso' }));
    const form = await screen.findByRole('form', { name: 'Edit provider profile' });
    expect((within(form).getByLabelText('Profile name') as HTMLInputElement).value).toBe('Contoso');
    expect((within(form).getByLabelText('Issuer URL') as HTMLInputElement).value).toBe('https://idp.contoso.com');
    expect((within(form).getByLabelText('API audience') as HTMLInputElement).value).toBe('api://contoso');
    fireEvent.change(within(form).getByLabelText('Profile name'), { target: { value: 'Contoso (prod)' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Check and save changes' }));
    await screen.findByRole('dialog', { name: 'Add account' });
    expect(fake.callsOf('saveProfile')[0]?.args[0]).toMatchObject({ id: 'contoso', name: 'Contoso (prod)', authority: 'https://idp.contoso.com', clientId: 'contoso-app', extraAuthorizeParameters: { audience: 'api://contoso' } });
  });

  it('duplicates a profile as a new one, and deletes a profile after asking', async () => {
    const fake = withCustomProfile(createFakeApi());
    renderWithStore(<App />, fake);
    const dialog = await openAddAccount();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Duplicate Contoso' }));
    const form = await screen.findByRole('form', { name: 'New provider profile' });
    expect((within(form).getByLabelText('Profile name') as HTMLInputElement).value).toBe('Contoso (copy)');
    fireEvent.click(within(form).getByRole('button', { name: 'Check and save' }));
    const back = await screen.findByRole('dialog', { name: 'Add account' });
    const draft = fake.callsOf('saveProfile')[0]?.args[0] as Record<string, unknown>;
    expect(draft).toMatchObject({ name: 'Contoso (copy)', clientId: 'contoso-app' });
    expect(draft.id).toBeUndefined();

    fireEvent.click(within(back).getByRole('button', { name: 'Delete Contoso' }));
    const confirm = within(back).getByRole('group', { name: 'Delete Contoso?' });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Keep profile' }));
    expect(fake.callsOf('deleteProfile')).toHaveLength(0);
    fireEvent.click(within(back).getByRole('button', { name: 'Delete Contoso' }));
    fireEvent.click(within(within(back).getByRole('group', { name: 'Delete Contoso?' })).getByRole('button', { name: 'Delete profile' }));
    await waitFor(() => expect(fake.callsOf('deleteProfile')[0]?.args).toEqual(['contoso']));
    // The built-in demo profile can be copied but not edited or deleted.
    expect(within(back).queryByRole('button', { name: 'Edit Demo provider' })).toBeNull();
    expect(within(back).queryByRole('button', { name: 'Delete Demo provider' })).toBeNull();
  });

  it('will not delete a profile that still has accounts, and says why', async () => {
    const fake = withCustomProfile(createFakeApi([makeAccount({ id: 'a', profileId: 'contoso', profileName: 'Contoso' })]));
    renderWithStore(<App />, fake);
    const dialog = await openAddAccount();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete Contoso' }));
    const confirm = within(dialog).getByRole('group', { name: 'Delete Contoso?' });
    expect(confirm.textContent).toContain('Contoso has 1 signed-in account: remove it from the list first.');
    expect((within(confirm).getByRole('button', { name: 'Delete profile' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('asks Auth0 for its API audience and refuses reserved parameter names next to the row', async () => {
    const fake = withCustomProfile(createFakeApi());
    renderWithStore(<App />, fake);
    const form = await openNewProfileForm(await openAddAccount(), 'auth0');
    const audience = within(form).getByLabelText('API audience') as HTMLInputElement;
    expect(audience.value).toBe('');
    expect(audience.placeholder).toBe('{yourApiIdentifier}');
    fireEvent.change(within(form).getByLabelText('Profile name'), { target: { value: 'Auth0' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Check and save' }));
    expect(audience.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(audience.getAttribute('aria-describedby') ?? '')?.textContent).toBe('Enter a value for "audience", or remove the row.');
    expect(fake.callsOf('validateProfile')).toHaveLength(0);

    fireEvent.change(audience, { target: { value: 'https://api.example.com' } });
    fireEvent.click(within(form).getByRole('button', { name: '+ Add parameter' }));
    fireEvent.change(within(form).getByLabelText('Name of new parameter'), { target: { value: 'state' } });
    const stateName = within(form).getByLabelText('Name of state');
    expect(document.getElementById(stateName.getAttribute('aria-describedby') ?? '')?.textContent).toBe('Tessera sets "state" on every sign-in; remove this row.');
    fireEvent.click(within(form).getByRole('button', { name: 'Remove state' }));
    fireEvent.change(within(form).getByLabelText('Issuer URL'), { target: { value: 'https://contoso.auth0.com/.well-known/openid-configuration' } });
    expect(within(form).getByText("Using the issuer https://contoso.auth0.com (the discovery document's address was pasted).")).not.toBeNull();
    fireEvent.click(within(form).getByRole('button', { name: 'Check and save' }));
    await waitFor(() => expect(fake.callsOf('validateProfile')).toHaveLength(1));
    expect(fake.callsOf('validateProfile')[0]?.args[0]).toMatchObject({ preset: 'auth0', authority: 'https://contoso.auth0.com', extraAuthorizeParameters: { audience: 'https://api.example.com' } });
  });

  it('offers "Device code" as a profile\'s sign-in method, saves it, keeps it on edit in browser mode, and not for an app identity', async () => {
    const fake = withCustomProfile(createFakeApi());
    renderWithStore(<App />, fake);
    const form = await openNewProfileForm(await openAddAccount(), 'custom-oidc');
    const methods = within(form).getByRole('group', { name: 'Sign in with' });
    expect(within(methods).getAllByRole('radio').map((radio) => radio.parentElement?.textContent)).toEqual(['App window (not available in browser mode)', 'System browser', 'Device code']);
    const deviceCode = within(methods).getByRole('radio', { name: 'Device code' }) as HTMLInputElement;
    expect(document.getElementById(deviceCode.getAttribute('aria-describedby') ?? '')?.textContent).toContain('enter a code on any device');
    fireEvent.click(deviceCode);
    expect(deviceCode.checked).toBe(true);
    fireEvent.change(within(form).getByLabelText('Profile name'), { target: { value: 'Build server' } });
    fireEvent.change(within(form).getByLabelText('Issuer URL'), { target: { value: 'https://idp.contoso.com' } });
    fireEvent.change(within(form).getByLabelText('Client id'), { target: { value: 'build-app' } });
    fireEvent.change(within(form).getByLabelText('Default scopes'), { target: { value: 'api://contoso/read' } });
    // No redirect URI: that is for the app window only.
    expect(within(form).queryByLabelText('Redirect URI (as registered)')).toBeNull();
    fireEvent.click(within(form).getByRole('button', { name: 'Check and save' }));
    const back = await screen.findByRole('dialog', { name: 'Add account' });
    expect(fake.callsOf('saveProfile')[0]?.args[0]).toMatchObject({ name: 'Build server', signInMethod: 'device-code' });
    // The new profile is picked, and so is its default way to sign in.
    expect((within(back).getByRole('radio', { name: 'Device code' }) as HTMLInputElement).checked).toBe(true);

    // Editing it in browser mode keeps "Device code" (it is usable here; only the app window is not).
    const saved = fake.profiles.find((profile) => profile.name === 'Build server');
    expect(saved?.signInMethod).toBe('device-code');
    fireEvent.click(within(back).getByRole('button', { name: 'Edit Build server' }));
    const edit = await screen.findByRole('form', { name: 'Edit provider profile' });
    expect((within(edit).getByRole('radio', { name: 'Device code' }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(edit).getByRole('button', { name: 'Check and save changes' }));
    await screen.findByRole('dialog', { name: 'Add account' });
    expect(fake.callsOf('saveProfile')[1]?.args[0]).toMatchObject({ name: 'Build server', signInMethod: 'device-code' });

    // An app identity has no user sign-in: no method to choose.
    const appForm = await openNewProfileForm(await screen.findByRole('dialog', { name: 'Add account' }), 'custom-oidc');
    fireEvent.click(within(appForm).getByLabelText('App identity (service principal: client credentials)'));
    expect(within(appForm).queryByRole('group', { name: 'Sign in with' })).toBeNull();
    expect(within(appForm).queryByRole('radio', { name: 'Device code' })).toBeNull();
  });

  it('checks parameter rows and pasted discovery addresses', () => {
    expect(issuerFromInput(' https://idp.example.com/tenant/.well-known/openid-configuration ')).toBe('https://idp.example.com/tenant');
    expect(issuerFromInput('https://idp.example.com/')).toBe('https://idp.example.com/');
    expect(parameterProblem({ name: 'nonce', value: 'x' })).toContain('Tessera sets "nonce"');
    expect(parameterProblem({ name: 'audience', value: '{yourApiIdentifier}' })).toBe('Replace {yourApiIdentifier} with the real value.');
    expect(parameterProblem({ name: 'bad name', value: 'x' })).toContain('letters, digits');
    expect(parameterProblem({ name: '', value: '' })).toBeUndefined();
    expect(parameterProblem({ name: 'access_type', value: 'offline' })).toBeUndefined();
  });
});
