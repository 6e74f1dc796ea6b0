/**
 * Pushes from main applied to the store, and the first load.
 */
import type { AccountStatus, AccountView } from '../../preload/contract';
import { upsertAccount } from './accounts-slice';
import type { SliceCreator } from './slice';
import type { EventsSlice } from './types';

function withStatus(accounts: readonly AccountView[], accountId: string, status: AccountStatus): readonly AccountView[] {
  return accounts.map((account) => (account.id === accountId ? { ...account, status } : account));
}

/** Creates the events slice. */
export const createEventsSlice: SliceCreator<EventsSlice> = () => (set, get) => ({
  applyEvent(event) {
    switch (event.type) {
      case 'accounts-changed': {
        set({ accounts: event.accounts, accountsLoaded: true });
        // Removed elsewhere (the tray, another browser tab): a revealed token must not outlive it.
        const detailsFor = get().detailsFor;
        if (detailsFor !== null && !event.accounts.some((account) => account.id === detailsFor)) get().closeDetails();
        return;
      }
      case 'account-updated':
        set((state) => ({ accounts: upsertAccount(state.accounts, event.account) }));
        return;
      case 'token-refreshed':
        set((state) => ({ accounts: withStatus(state.accounts, event.accountId, { kind: 'valid', expiresOn: event.expiresOn }) }));
        return;
      case 'needs-sign-in':
        set((state) => ({ accounts: withStatus(state.accounts, event.accountId, { kind: 'needs-sign-in', reason: event.reason }) }));
        return;
      case 'sign-in-progress':
        get().applySignInProgress(event.progress);
        return;
      case 'storage-status':
        set({ storage: event.status });
        return;
      case 'clipboard-cleared':
        get().showToast({ kind: 'info', message: 'Clipboard cleared.' });
        return;
      case 'consent-requested':
        get().applyConsentRequested(event.prompt);
        return;
      case 'consent-resolved':
        get().applyConsentResolved(event.promptId, event.outcome);
        return;
      case 'standing-rules-changed':
        get().applyStandingRules(event.rules);
        return;
      case 'activity-added':
        get().applyActivity(event.entry);
        return;
      default:
        assertNever(event);
    }
  },
  async loadAll() {
    await Promise.all([get().loadAccounts(), get().loadProfiles(), get().loadSettings(), get().loadBridge()]);
  },
});

/** Exhaustiveness check for discriminated unions. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
