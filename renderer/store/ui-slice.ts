/**
 * Which dialog or panel is open.
 */
import type { SliceCreator } from './slice';
import type { UiSlice } from './types';

/** Creates the UI slice. */
export const createUiSlice: SliceCreator<UiSlice> = () => (set) => ({
  panel: { kind: 'none' },
  openPanel(panel) {
    set({ panel });
  },
  closePanel() {
    set({ panel: { kind: 'none' } });
  },
});
