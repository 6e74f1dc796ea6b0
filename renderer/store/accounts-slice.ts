/**
 * Accounts: the list from main and the per-account actions.
 */
import type { AccountId, AccountView, Result } from '../../preload/contract';
import { statusLabel } from '../common/format';
import { describeFailure, type SliceCreator } from './slice';
import type { AccountsSlice } from './types';

function withBusy(busy: ReadonlySet<AccountId>, accountId: AccountId, on: boolean): ReadonlySet<AccountId> {
  const next = new Set(busy);
  if (on) next.add(accountId);
  else next.delete(accountId);
  return next;
}

/** Replaces one account in the list (or appends it). */
export function upsertAccount(accounts: readonly AccountView[], account: AccountView): readonly AccountView[] {
  const index = accounts.findIndex((candidate) => candidate.id === account.id);
  if (index < 0) return [...accounts, account];
  const next = accounts.slice();
  next[index] = account;
  return next;
}

/** Creates the accounts slice. */
export const createAccountsSlice: SliceCreator<AccountsSlice> = ({ api }) => (set, get) => {
  // Runs an account action with the account marked busy, and toasts a failure.
  const run = async (accountId: AccountId, label: string, action: () => Promise<Result<AccountView>>, onSuccess?: (account: AccountView) => void): Promise<void> => {
    const before = get().accounts.find((account) => account.id === accountId);
    set((state) => ({ busyAccounts: withBusy(state.busyAccounts, accountId, true) }));
    try {
      const result = await action();
      if (!result.ok) {
        get().showToast({ kind: 'error', message: describeFailure(label, result.error) });
        return;
      }
      onSuccess?.(result.value);
      // Main also pushes the account's outcome. Once a push for it arrived during the call, the
      // pushes are newer than this answer (in browser mode they travel on another connection, so
      // "pin" could answer "expired" after the refresh it started was pushed), or it was removed.
      if (get().accounts.find((account) => account.id === accountId) === before) {
        set((state) => ({ accounts: upsertAccount(state.accounts, result.value) }));
      }
    } finally {
      set((state) => ({ busyAccounts: withBusy(state.busyAccounts, accountId, false) }));
    }
  };

  return {
    accounts: [],
    accountsLoaded: false,
    busyAccounts: new Set(),
    async loadAccounts() {
      const result = await api.listAccounts();
      if (result.ok) set({ accounts: result.value, accountsLoaded: true });
      else get().showToast({ kind: 'error', message: describeFailure('Loading accounts', result.error) });
    },
    // "Refresh now" says what happened: a toast with the new status (issue 9).
    refreshAccount: (accountId) =>
      run(accountId, 'Refresh', () => api.refreshAccount(accountId), (account) =>
        get().showToast({ kind: 'success', message: `Refreshed ${account.username}: ${statusLabel(account.status, Date.now()).text}.` }),
      ),
    reauthenticate: (accountId) => run(accountId, 'Sign-in', () => api.reauthenticate(accountId)),
    setPinned: (accountId, pinned) => run(accountId, 'Changing auto-refresh', () => api.setPinned(accountId, pinned)),
    async removeAccount(accountId) {
      const result = await api.removeAccount(accountId);
      if (!result.ok) {
        get().showToast({ kind: 'error', message: describeFailure('Removing the account', result.error) });
        return false;
      }
      set((state) => ({ accounts: state.accounts.filter((account) => account.id !== accountId) }));
      if (get().detailsFor === accountId) get().closeDetails();
      return true;
    },
  };
};
