// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountList, ACCOUNT_ROW_HEIGHT, filterAndGroup, GROUP_HEADER_HEIGHT } from '../../../renderer/accounts/account-list';
import { StoreContext } from '../../../renderer/store';
import type { AccountView } from '../../../preload/contract';
import { createFakeApi, makeAccount } from '../support/fake-api';
import { renderWithStore } from '../support/render-app';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});
const soon = (seconds: number): number => Math.floor(Date.now() / 1000) + seconds;

// user0000…user0999 in 4 providers, as the bench page has them (bench/ui/bench-page.tsx).
function thousandAccounts(): AccountView[] {
  return Array.from({ length: 1000 }, (_, i) =>
    makeAccount({ id: `acc-${String(i).padStart(4, '0')}`, username: `user${String(i).padStart(4, '0')}@contoso.com`, profileId: `p${i % 4}`, profileName: `Provider ${i % 4}` }),
  );
}

function rowOf(username: string): HTMLElement {
  return screen.getByRole('group', { name: `Account ${username}` });
}

describe('AccountList', () => {
  it('groups accounts by provider and shows a live status for each', async () => {
    const fake = createFakeApi([
      makeAccount({ id: 'a', username: 'alice@contoso.com', displayName: 'Alice Example', status: { kind: 'valid', expiresOn: soon(42 * 60 + 30) } }),
      makeAccount({ id: 'b', username: 'bob@contoso.com', status: { kind: 'valid', expiresOn: soon(3 * 60 + 30) } }),
      makeAccount({ id: 'c', username: 'carol@fabrikam.com', profileId: 'entra', profileName: 'Fabrikam', providerKind: 'entra', tenant: 'fabrikam.onmicrosoft.com', status: { kind: 'refreshing' } }),
      makeAccount({ id: 'd', username: 'dan@fabrikam.com', profileId: 'entra', profileName: 'Fabrikam', status: { kind: 'needs-sign-in', reason: 'Refresh token revoked.' } }),
      makeAccount({ id: 'e', username: 'erin@fabrikam.com', profileId: 'entra', profileName: 'Fabrikam', storage: 'memory-only', lastError: { code: 'network_error', message: 'The provider could not be reached.' } }),
    ]);
    const { store } = renderWithStore(<AccountList />, fake);
    await store.getState().loadAccounts();

    const headings = await screen.findAllByRole('heading', { level: 2 });
    expect(headings.map((heading) => heading.textContent)).toEqual(['Demo provider · 2', 'Fabrikam · 3']);
    expect(within(rowOf('alice@contoso.com')).getByTestId('account-status').textContent).toBe('valid 42 min');
    expect(within(rowOf('alice@contoso.com')).queryByText('AE')).not.toBeNull();
    expect(within(rowOf('bob@contoso.com')).queryByText('AE')).toBeNull();
    expect(within(rowOf('bob@contoso.com')).getByTestId('account-status').textContent).toBe('expires in 3 min');
    expect(within(rowOf('carol@fabrikam.com')).getByTestId('account-status').textContent).toBe('refreshing…');
    expect(within(rowOf('carol@fabrikam.com')).queryByText('Fabrikam · fabrikam.onmicrosoft.com')).not.toBeNull();
    const dan = rowOf('dan@fabrikam.com');
    expect(within(dan).getByTestId('account-status').textContent).toBe('needs sign-in');
    // The reason is on the row itself, not only in a tooltip.
    expect(within(dan).getByTestId('needs-sign-in-reason').textContent).toBe('Refresh token revoked.');
    const erin = rowOf('erin@fabrikam.com');
    expect(within(erin).queryByText('stored in memory only')).not.toBeNull();
    expect(within(erin).getByTestId('account-error').textContent).toBe('last try failed: network_error');
    expect(within(erin).getByTestId('account-error').title).toBe('The provider could not be reached.');
    expect(within(rowOf('alice@contoso.com')).queryByText('stored in memory only')).toBeNull();
    expect(within(rowOf('alice@contoso.com')).queryByTestId('account-error')).toBeNull();
  });

  it('signs a "needs sign-in" account in again with one click', async () => {
    const fake = createFakeApi([makeAccount({ id: 'd', username: 'dan@contoso.com', status: { kind: 'needs-sign-in', reason: 'revoked' } })]);
    const { store } = renderWithStore(<AccountList />, fake);
    await store.getState().loadAccounts();
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in again as dan@contoso.com' }));
    await waitFor(() => expect(within(rowOf('dan@contoso.com')).getByTestId('account-status').textContent).toMatch(/^valid (59 min|1 h)$/));
    expect(fake.callsOf('reauthenticate')[0]?.args).toEqual(['d']);
  });

  it('refreshes and pins from the row', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    const { store } = renderWithStore(<AccountList />, fake);
    await store.getState().loadAccounts();
    const pin = await screen.findByRole('button', { name: 'Auto-refresh alice@contoso.com' });
    expect(pin.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(pin);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Auto-refresh alice@contoso.com' }).getAttribute('aria-pressed')).toBe('true'));
    fireEvent.click(screen.getByRole('button', { name: 'Refresh now alice@contoso.com' }));
    await waitFor(() => expect(fake.callsOf('refreshAccount')).toHaveLength(1));
  });

  it('offers to add the first account when there are none', async () => {
    const fake = createFakeApi([]);
    const { store } = renderWithStore(<AccountList />, fake);
    await store.getState().loadAccounts();
    fireEvent.click(await screen.findByRole('button', { name: 'Add your first account' }));
    expect(store.getState().panel).toEqual({ kind: 'add-account' });
  });

  it('keeps only a window of rows in the DOM with 1,000 accounts', async () => {
    const fake = createFakeApi(thousandAccounts());
    const { store, container } = renderWithStore(<AccountList />, fake);
    await store.getState().loadAccounts();
    // Speed is measured in `npm run bench`; here only the size of the rendered window counts.
    const rows = await screen.findAllByRole('group', { name: /^Account / });
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(rows[0]?.getAttribute('aria-label')).toBe('Account user0000@contoso.com');
    // The spacer still has the full height, so the scrollbar reflects all 1,004 rows (4 headers).
    const spacer = container.querySelector('.virtual-spacer') as HTMLElement;
    expect(spacer.style.height).toBe(`${4 * GROUP_HEADER_HEIGHT + 1000 * ACCOUNT_ROW_HEIGHT}px`);

    // Scrolling to the end renders the last rows and drops the first.
    const list = screen.getByRole('region', { name: 'Accounts' });
    fireEvent.scroll(list, { target: { scrollTop: 4 * GROUP_HEADER_HEIGHT + 1000 * ACCOUNT_ROW_HEIGHT - 700 } });
    await waitFor(() => expect(screen.queryByRole('group', { name: 'Account user0999@contoso.com' })).not.toBeNull());
    expect(screen.queryByRole('group', { name: 'Account user0000@contoso.com' })).toBeNull();
    expect(screen.getAllByRole('group', { name: /^Account / }).length).toBeLessThan(40);
  });

  it('fills the window with the new matches after a filter keystroke, overscan included', async () => {
    const fake = createFakeApi(thousandAccounts());
    const { store, rerender } = renderWithStore(<AccountList />, fake);
    await store.getState().loadAccounts();
    const shown = (): string[] => screen.queryAllByRole('group', { name: /^Account / }).map((row) => (row.getAttribute('aria-label') ?? '').replace('Account ', ''));
    // jsdom has no layout, so the list is 720 px tall (its fallback): a header and 11 rows in
    // view, then 6 rows of overscan below.
    const settled = 17;
    await waitFor(() => expect(shown()).toHaveLength(settled));
    expect(shown()[0]).toBe('user0000@contoso.com');

    // The rows in view render with the keystroke, the overscan right after (virtual-list.tsx):
    // once settled, the window is as full as before, all of it matches, in order.
    rerender(
      <StoreContext.Provider value={store}>
        <AccountList filter="user09" />
      </StoreContext.Provider>,
    );
    await waitFor(() => expect(shown()).toHaveLength(settled));
    expect(shown().slice(0, 3)).toEqual(['user0900@contoso.com', 'user0904@contoso.com', 'user0908@contoso.com']);
    expect(shown().every((username) => username.startsWith('user09'))).toBe(true);
    expect(screen.getAllByRole('heading', { level: 2 })[0]?.textContent).toBe('Provider 0 · 25');
    // Arrow keys still walk the rows in list order.
    const first = rowOf('user0900@contoso.com');
    first.focus();
    fireEvent.keyDown(first, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(rowOf('user0904@contoso.com'));
  });

  it('filters by username, name, provider or tenant, ignoring case', () => {
    const accounts = [
      makeAccount({ id: 'a', username: 'alice@contoso.com', displayName: 'Alice Example' }),
      makeAccount({ id: 'b', username: 'bob@fabrikam.com', profileId: 'f', profileName: 'Fabrikam', tenant: 'fabrikam.onmicrosoft.com' }),
    ];
    const names = (filter: string) => filterAndGroup(accounts, filter).flatMap((row) => (row.kind === 'account' ? [row.account.username] : []));
    expect(names('')).toEqual(['alice@contoso.com', 'bob@fabrikam.com']);
    expect(names('EXAMPLE')).toEqual(['alice@contoso.com']);
    expect(names(' onmicrosoft ')).toEqual(['bob@fabrikam.com']);
    expect(names('demo provider')).toEqual(['alice@contoso.com']);
    expect(names('nobody')).toEqual([]);
  });

  it('returns the same rows for a keystroke that changes no match, and new rows once an account changes', () => {
    const accounts = [
      makeAccount({ id: 'a', username: 'alice@contoso.com', displayName: 'Alice Example' }),
      makeAccount({ id: 'b', username: 'bob@contoso.com' }),
      makeAccount({ id: 'c', username: 'carol@fabrikam.com', profileId: 'f', profileName: 'Fabrikam' }),
    ];
    // Every account matches "o": the unfiltered rows themselves.
    expect(filterAndGroup(accounts, 'o')).toBe(filterAndGroup(accounts, ''));
    const contoso = filterAndGroup(accounts, 'contoso');
    expect(filterAndGroup(accounts, 'contoso.')).toBe(contoso);
    expect(contoso.map((row) => (row.kind === 'group' ? `${row.label} · ${row.count}` : row.account.username))).toEqual(['Demo provider · 2', 'alice@contoso.com', 'bob@contoso.com']);
    // Other matches of the same count are other rows.
    const usernames = (filter: string): string[] => filterAndGroup(accounts, filter).flatMap((row) => (row.kind === 'account' ? [row.account.username] : []));
    expect(usernames('alice')).toEqual(['alice@contoso.com']);
    expect(usernames('bob')).toEqual(['bob@contoso.com']);
    expect(usernames('carol')).toEqual(['carol@fabrikam.com']);
    // An update from main is a new array holding a new object: the rows show it.
    const renamed = accounts.map((account) => (account.id === 'b' ? { ...account, username: 'bob@fabrikam.com' } : account));
    const after = filterAndGroup(renamed, 'contoso.');
    expect(after).not.toBe(contoso);
    expect(after.map((row) => (row.kind === 'group' ? `${row.label} · ${row.count}` : row.account.username))).toEqual(['Demo provider · 1', 'alice@contoso.com']);
    expect(filterAndGroup(renamed, 'fabrikam').map((row) => (row.kind === 'group' ? `${row.label} · ${row.count}` : row.account.username))).toEqual([
      'Demo provider · 1',
      'bob@fabrikam.com',
      'Fabrikam · 1',
      'carol@fabrikam.com',
    ]);
  });

  it('keeps a filtered list current when accounts change while the filter is set', async () => {
    const fake = createFakeApi([
      makeAccount({ id: 'a', username: 'alice@contoso.com', displayName: 'Alice Example', status: { kind: 'valid', expiresOn: soon(42 * 60 + 30) } }),
      makeAccount({ id: 'b', username: 'bob@contoso.com' }),
      makeAccount({ id: 'c', username: 'carol@contoso.com', displayName: 'Carol Example' }),
    ]);
    const { store, rerender } = renderWithStore(<AccountList filter="exam" />, fake);
    // As typing in the app's filter does: a new filter for the same list.
    const typeFilter = (filter: string): void => rerender(<StoreContext.Provider value={store}><AccountList filter={filter} /></StoreContext.Provider>);
    await store.getState().loadAccounts();
    const shown = (): string[] => screen.queryAllByRole('group', { name: /^Account / }).map((row) => row.getAttribute('aria-label') ?? '');
    await waitFor(() => expect(shown()).toEqual(['Account alice@contoso.com', 'Account carol@contoso.com']));
    const heading = (): string | null => screen.getByRole('heading', { level: 2 }).textContent;
    expect(heading()).toBe('Demo provider · 2');

    // A keystroke that changes no match ("exam" → "examp") keeps the rows, then a status change
    // from main shows in the filtered row.
    const carolRow = rowOf('carol@contoso.com');
    typeFilter('examp');
    expect(rowOf('carol@contoso.com')).toBe(carolRow);
    act(() => fake.emit({ type: 'needs-sign-in', accountId: 'c', reason: 'Refresh token revoked.' }));
    await waitFor(() => expect(within(rowOf('carol@contoso.com')).getByTestId('account-status').textContent).toBe('needs sign-in'));
    expect(within(rowOf('carol@contoso.com')).getByTestId('needs-sign-in-reason').textContent).toBe('Refresh token revoked.');

    // A renamed account joins or leaves the filtered list, and the header counts it.
    act(() => fake.emit({ type: 'account-updated', account: makeAccount({ id: 'b', username: 'bob@contoso.com', displayName: 'Bob Example' }) }));
    await waitFor(() => expect(shown()).toEqual(['Account alice@contoso.com', 'Account bob@contoso.com', 'Account carol@contoso.com']));
    expect(heading()).toBe('Demo provider · 3');
    act(() => fake.emit({ type: 'account-updated', account: makeAccount({ id: 'a', username: 'alice@contoso.com' }) }));
    await waitFor(() => expect(shown()).toEqual(['Account bob@contoso.com', 'Account carol@contoso.com']));
    expect(heading()).toBe('Demo provider · 2');

    // A removed account leaves it; clearing the filter shows every account again.
    act(() => fake.emit({ type: 'accounts-changed', accounts: store.getState().accounts.filter((account) => account.id !== 'c') }));
    await waitFor(() => expect(shown()).toEqual(['Account bob@contoso.com']));
    typeFilter('');
    expect(shown()).toEqual(['Account alice@contoso.com', 'Account bob@contoso.com']);
  });

  it('keeps status text live while the list itself does not change', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(new Date('2026-12-01T00:00:00Z'));
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com', status: { kind: 'valid', expiresOn: soon(3 * 60 + 2) } })]);
    const { store } = renderWithStore(<AccountList filter="alice" />, fake);
    await act(() => store.getState().loadAccounts());
    expect(within(rowOf('alice@contoso.com')).getByTestId('account-status').textContent).toBe('expires in 3 min');
    // The list's clock ticks every 5 s (account-list.tsx): the row follows it.
    act(() => vi.advanceTimersByTime(5_000));
    expect(within(rowOf('alice@contoso.com')).getByTestId('account-status').textContent).toBe('expires in 2 min');
  });

  it('says when no account matches the filter', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    const { store } = renderWithStore(<AccountList filter="zebra" />, fake);
    await store.getState().loadAccounts();
    expect((await screen.findByRole('status')).textContent).toBe('No account matches “zebra”.');
  });

  it('copies from a focused row with Enter or Ctrl+C, and moves between rows with the arrow keys', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' }), makeAccount({ id: 'b', username: 'bob@contoso.com' }), makeAccount({ id: 'd', username: 'dan@contoso.com', status: { kind: 'needs-sign-in', reason: 'revoked' } })]);
    const { store } = renderWithStore(<AccountList />, fake);
    await store.getState().loadAccounts();
    const alice = await screen.findByRole('group', { name: 'Account alice@contoso.com' });
    alice.focus();
    fireEvent.keyDown(alice, { key: 'Enter' });
    await waitFor(() => expect(fake.callsOf('copyToken')).toHaveLength(1));
    expect(fake.callsOf('copyToken')[0]?.args[0]).toEqual({ accountId: 'a', format: 'raw' });
    fireEvent.keyDown(alice, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(rowOf('bob@contoso.com'));
    fireEvent.keyDown(document.activeElement as HTMLElement, { key: 'c', ctrlKey: true });
    await waitFor(() => expect(fake.callsOf('copyToken')).toHaveLength(2));
    expect(fake.callsOf('copyToken')[1]?.args[0]).toEqual({ accountId: 'b', format: 'raw' });
    fireEvent.keyDown(document.activeElement as HTMLElement, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(alice);
    // Keys on a button inside the row are the button's own.
    fireEvent.keyDown(within(alice).getByRole('button', { name: 'Remove alice@contoso.com' }), { key: 'Enter' });
    expect(fake.callsOf('copyToken')).toHaveLength(2);
    // A row that needs sign-in signs in with Enter instead.
    fireEvent.keyDown(rowOf('dan@contoso.com'), { key: 'Enter' });
    await waitFor(() => expect(fake.callsOf('reauthenticate')).toHaveLength(1));
  });

  it('says "Refresh now" worked, and keeps focus on the button while it runs', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    const { store } = renderWithStore(<AccountList />, fake);
    await store.getState().loadAccounts();
    const refresh = await screen.findByRole('button', { name: 'Refresh now alice@contoso.com' });
    refresh.focus();
    fireEvent.click(refresh);
    expect(refresh.getAttribute('aria-disabled')).toBe('true');
    expect(document.activeElement).toBe(refresh);
    // A second click while it runs is ignored.
    fireEvent.click(refresh);
    await waitFor(() => expect(store.getState().toasts.map((toast) => toast.message)).toEqual([expect.stringMatching(/^Refreshed alice@contoso\.com: valid (59 min|1 h)\.$/)]));
    expect(fake.callsOf('refreshAccount')).toHaveLength(1);
  });
});
