/**
 * The interactive sign-in: its progress, cancel, and the final outcome.
 */
import { upsertAccount } from './accounts-slice';
import type { SliceCreator } from './slice';
import type { SignInSlice } from './types';

/** Creates the sign-in slice. */
export const createSignInSlice: SliceCreator<SignInSlice> = ({ api }) => (set, get) => ({
  signIn: { kind: 'idle' },
  accountDeviceCode: null,
  async addAccount(profileId, method) {
    set({ signIn: { kind: 'starting', profileId } });
    const result = await api.addAccount({ profileId, method });
    if (result.ok) {
      set((state) => ({
        accounts: upsertAccount(state.accounts, result.value),
        signIn: { kind: 'done', profileId, accountId: result.value.id },
      }));
      // An app identity is not a person signing in: it got its token with its own credential.
      const message = result.value.appIdentity ? `Added the app identity ${result.value.username}.` : `Signed in as ${result.value.username}.`;
      get().showToast({ kind: 'success', message });
      return result.value;
    }
    set({ signIn: { kind: 'failed', profileId, error: result.error } });
    return undefined;
  },
  async cancelSignIn() {
    set({ accountDeviceCode: null });
    await api.cancelSignIn();
  },
  async copyDeviceCode(part) {
    const result = await api.copyDeviceCode(part);
    return result.ok ? null : result.error;
  },
  resetSignIn() {
    set({ signIn: { kind: 'idle' } });
  },
  applySignInProgress(progress) {
    const current = get().signIn;
    // A late push from a flow that already ended must not resurrect it.
    if (current.kind === 'idle' || current.kind === 'done' || current.kind === 'failed') {
      // No "Add account" flow is running: a device code is for an account signing in again.
      if (progress.kind === 'device-code') set({ accountDeviceCode: progress });
      else if (progress.kind === 'done' || progress.kind === 'failed') set({ accountDeviceCode: null });
      return;
    }
    switch (progress.kind) {
      case 'waiting-for-user':
        set({ signIn: { kind: 'waiting-for-user', profileId: progress.profileId, method: progress.method, host: progress.host } });
        return;
      case 'redeeming':
        set({ signIn: { kind: 'redeeming', profileId: progress.profileId } });
        return;
      case 'device-code':
        set({ signIn: progress });
        return;
      case 'done':
      case 'failed':
        // The addAccount call's own answer settles the state, with the account or the error.
        return;
    }
  },
});
