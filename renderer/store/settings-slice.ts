/**
 * Settings, storage status and app facts.
 */
import { describeFailure, type SliceCreator } from './slice';
import type { SettingsSlice } from './types';

/** Creates the settings slice. */
export const createSettingsSlice: SliceCreator<SettingsSlice> = ({ api }) => (set, get) => ({
  settings: null,
  storage: null,
  appInfo: null,
  async loadSettings() {
    const [settings, storage, appInfo] = await Promise.all([api.getSettings(), api.getStorageStatus(), api.getAppInfo()]);
    set({
      ...(settings.ok ? { settings: settings.value } : {}),
      ...(storage.ok ? { storage: storage.value } : {}),
      ...(appInfo.ok ? { appInfo: appInfo.value } : {}),
    });
  },
  async updateSettings(patch) {
    const result = await api.updateSettings(patch);
    if (!result.ok) {
      get().showToast({ kind: 'error', message: describeFailure('Saving settings', result.error) });
      return false;
    }
    set({ settings: result.value });
    return true;
  },
});
