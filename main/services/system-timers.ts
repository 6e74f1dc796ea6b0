/**
 * Node's timers as the injectable `Timers` of auto-refresh and clipboard clearing.
 */
import type { Timers } from '../clipboard/clipboard-service';

/** `setTimeout` / `clearTimeout`, unref'd: a pending refresh or clipboard clear must not keep a test or a CLI host alive. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
