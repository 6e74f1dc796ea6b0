/**
 * The token details panel: which account it shows and, only while it is open, the revealed token.
 */
import type { SliceCreator } from './slice';
import type { DetailsSlice } from './types';

/** Creates the details slice. */
export const createDetailsSlice: SliceCreator<DetailsSlice> = ({ api }) => (set, get) => ({
  detailsFor: null,
  revealed: null,
  revealError: null,
  idToken: null,
  idTokenError: null,
  openDetails(accountId) {
    set({ detailsFor: accountId, revealed: null, revealError: null, idToken: null, idTokenError: null });
  },
  closeDetails() {
    // The tokens leave renderer state with the panel.
    set({ detailsFor: null, revealed: null, revealError: null, idToken: null, idTokenError: null });
  },
  async showIdToken(raw) {
    const accountId = get().detailsFor;
    if (accountId === null) return;
    const result = await api.getIdToken({ accountId, ...(raw ? { raw: true } : {}) });
    if (get().detailsFor !== accountId) return;
    if (result.ok) set({ idToken: result.value, idTokenError: null });
    else set({ idToken: null, idTokenError: result.error });
  },
  async revealToken(scopes) {
    const accountId = get().detailsFor;
    if (accountId === null) return;
    const result = await api.revealToken({ accountId, ...(scopes && scopes.length > 0 ? { scopes } : {}) });
    // The panel may have closed or moved to another account while main answered.
    if (get().detailsFor !== accountId) return;
    if (result.ok) set({ revealed: result.value, revealError: null });
    else set({ revealed: null, revealError: result.error });
  },
  hideIdToken() {
    set({ idToken: null, idTokenError: null });
  },
  hideToken() {
    // "Hide" hides both tokens; the ID token's claims go too, asked for again with "Show ID token".
    set({ revealed: null, idToken: null });
  },
});
