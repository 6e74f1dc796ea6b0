/**
 * Toasts: short confirmations and errors.
 */
import type { SliceCreator } from './slice';
import type { ToastSlice } from './types';

const MAX_TOASTS = 3;

/** Creates the toast slice. */
export const createToastSlice: SliceCreator<ToastSlice> = () => (set) => {
  let nextId = 1;
  return {
    toasts: [],
    showToast(toast) {
      const id = nextId++;
      set((state) => ({ toasts: [...state.toasts, { ...toast, id }].slice(-MAX_TOASTS) }));
      return id;
    },
    dismissToast(id) {
      set((state) => ({ toasts: state.toasts.filter((toast) => toast.id !== id) }));
    },
  };
};
