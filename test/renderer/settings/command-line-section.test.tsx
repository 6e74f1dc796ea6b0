// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/app';
import { COPY_LINES } from '../../../renderer/settings/command-line-section';
import { createFakeApi, makeAccount, type FakeApi } from '../support/fake-api';
import { renderWithStore } from '../support/render-app';

afterEach(cleanup);

async function openSection(fake: FakeApi): Promise<HTMLElement> {
  renderWithStore(<App />, fake);
  fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
  const settings = await screen.findByRole('dialog', { name: 'Settings' });
  return within(settings).getByRole('region', { name: 'Command line (tessera)' });
}

describe('Settings: Command line (tessera)', () => {
  it('shows the socket when running, and the reason when not', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    const section = await openSection(fake);
    await waitFor(() => expect(within(section).getByTestId('bridge-status').textContent).toBe('Running: the tessera command reaches Tessera at /run/user/1000/tessera/bridge.sock.'));
    cleanup();

    const down = createFakeApi([makeAccount({ id: 'a' })]);
    down.bridge.running = false;
    down.bridge.reason = 'Browser mode was started without the token bridge.';
    const off = await openSection(down);
    await waitFor(() => expect(within(off).getByTestId('bridge-status').textContent).toBe('Not running: Browser mode was started without the token bridge.'));
    expect((within(off).getByLabelText('Default account for tessera token') as HTMLSelectElement).disabled).toBe(true);
    // The bridge being off is its state, not an error to toast.
    expect(screen.queryByTestId('toast')).toBeNull();
  });

  it('chooses the default account, or none', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' }), makeAccount({ id: 'b', username: 'bob@contoso.com' })]);
    const section = await openSection(fake);
    const select = within(section).getByLabelText('Default account for tessera token') as HTMLSelectElement;
    await waitFor(() => expect(select.disabled).toBe(false));
    expect([...select.options].map((option) => option.textContent)).toEqual(['None: name an account in the command', 'alice@contoso.com (Demo provider)', 'bob@contoso.com (Demo provider)']);
    expect(select.value).toBe('');
    fireEvent.change(select, { target: { value: 'b' } });
    await waitFor(() => expect(fake.bridge.defaultAccountId).toBe('b'));
    expect(select.value).toBe('b');
    fireEvent.change(select, { target: { value: '' } });
    await waitFor(() => expect(fake.bridge.defaultAccountId).toBeNull());
    expect(fake.callsOf('setDefaultAccount').map((call) => call.args)).toEqual([['b'], [null]]);
  });

  it('lists standing rules with program, account, scopes, created and last used, and revokes one', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    fake.bridge.rules = [
      { id: 'r1', program: 'ci-job', accountId: 'a', username: 'alice@contoso.com', scopes: ['api://tessera-demo/read'], createdAt: Date.UTC(2026, 10, 1, 9, 0), lastUsedAt: Date.UTC(2026, 10, 30, 8, 0) },
      { id: 'r2', program: 'kubectl', accountId: 'a', username: 'alice@contoso.com', scopes: ['6dae42f8-4368-4678-94ff-3960e28e3630/.default'], createdAt: Date.UTC(2026, 10, 2, 9, 0) },
    ];
    const section = await openSection(fake);
    await waitFor(() => expect(within(section).getAllByTestId('standing-rule')).toHaveLength(2));
    const [first, second] = within(section).getAllByTestId('standing-rule') as [HTMLElement, HTMLElement];
    expect(first.textContent).toContain('ci-job for alice@contoso.com');
    expect(first.textContent).toContain('Scopes: api://tessera-demo/read');
    expect(first.textContent).toMatch(/Created \d{4}-\d\d-\d\d \d\d:\d\d:\d\d · last used \d{4}-\d\d-\d\d/);
    expect(second.textContent).toContain('not used yet');
    fireEvent.click(within(section).getByRole('button', { name: 'Revoke the rule for ci-job (alice@contoso.com)' }));
    await waitFor(() => expect(within(section).getAllByTestId('standing-rule')).toHaveLength(1));
    expect(fake.bridge.rules.map((rule) => rule.id)).toEqual(['r2']);
    // A rule made elsewhere (a prompt answered "Always allow") shows up by its push.
    fake.bridge.rules = [];
    fake.emit({ type: 'standing-rules-changed', rules: [] });
    await waitFor(() => expect(within(section).getByTestId('no-rules')).toBeTruthy());
  });

  it('installs the command-line tool and says what to add to PATH when its folder is not on it', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    fake.bridge.installResult = { tool: { installPath: '/home/alice/.local/bin/tessera', installed: true, onPath: false } };
    const section = await openSection(fake);
    await waitFor(() => expect(within(section).getByTestId('tool-status').textContent).toContain('Puts a tessera command at /home/alice/.local/bin/tessera.'));
    fireEvent.click(within(section).getByRole('button', { name: 'Install command-line tool' }));
    await waitFor(() => expect(within(section).getByTestId('tool-status').textContent).toContain('Installed at /home/alice/.local/bin/tessera.'));
    expect(within(section).getByTestId('path-advice').textContent).toContain('export PATH="/home/alice/.local/bin:$PATH"');
  });

  it('explains a refused install in plain words (path_in_use)', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    fake.bridge.installResult = { error: { code: 'path_in_use', message: '/home/alice/.local/bin/tessera already exists and was not written by Tessera.' } };
    const section = await openSection(fake);
    await within(section).findByTestId('tool-status');
    fireEvent.click(within(section).getByRole('button', { name: 'Install command-line tool' }));
    const error = await within(section).findByRole('alert');
    expect(error.textContent).toBe('There is already a tessera command at /home/alice/.local/bin/tessera that Tessera did not write, so Tessera left it alone. Remove or rename it, then install again.');
  });

  it('offers the two lines to copy', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    const section = await openSection(fake);
    const written: string[] = [];
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (text: string) => void written.push(text) } });
    for (const line of COPY_LINES) fireEvent.click(within(section).getByRole('button', { name: `Copy ${line}` }));
    await waitFor(() => expect(written).toEqual(['tessera token', 'curl -H "$(tessera token --format header)" https://api.example.com/']));
  });
});
