/**
 * Copying a token: main writes the clipboard; the renderer only learns when it will be cleared.
 */
import { formatClock } from '../common/format';
import { upsertAccount } from './accounts-slice';
import { describeFailure, type SliceCreator } from './slice';
import type { CopySlice } from './types';

/** Creates the copy slice. */
export const createCopySlice: SliceCreator<CopySlice> = ({ api }) => (set, get) => ({
  copyFormat: 'raw',
  setCopyFormat(format) {
    set({ copyFormat: format });
  },
  async copyToken(accountId, options = {}) {
    const format = options.format ?? get().copyFormat;
    const result = await api.copyToken({ accountId, format, ...(options.scopes && options.scopes.length > 0 ? { scopes: options.scopes } : {}) });
    if (!result.ok) {
      // A dialog that shows the error next to its field takes it instead of a toast.
      if (options.onError) options.onError(result.error);
      else get().showToast({ kind: 'error', message: describeFailure('Copying the token', result.error) });
      return false;
    }
    const what = result.value.format === 'bearer' ? 'Authorization header' : 'Access token';
    const clears = result.value.clearsAt === null ? 'The clipboard will not be cleared.' : `Clipboard clears at ${formatClock(result.value.clearsAt)}.`;
    get().showToast({ kind: 'success', message: `${what} copied. ${clears}`, clearsAt: result.value.clearsAt });
    return true;
  },
  async signInForScopes(accountId, scopes, onError) {
    const result = await api.signInForScopes(accountId, scopes);
    if (!result.ok) {
      onError(result.error);
      return false;
    }
    set((state) => ({ accounts: upsertAccount(state.accounts, result.value) }));
    return true;
  },
});
