/**
 * Provider profiles and presets.
 */
import { describeFailure, type SliceCreator } from './slice';
import type { ProfilesSlice } from './types';

/** Creates the profiles slice. */
export const createProfilesSlice: SliceCreator<ProfilesSlice> = ({ api }) => (set, get) => ({
  profiles: [],
  presets: [],
  async loadProfiles() {
    const [profiles, presets] = await Promise.all([api.listProfiles(), api.listPresets()]);
    if (profiles.ok) set({ profiles: profiles.value });
    if (presets.ok) set({ presets: presets.value });
    const failed = !profiles.ok ? profiles.error : !presets.ok ? presets.error : undefined;
    if (failed) get().showToast({ kind: 'error', message: describeFailure('Loading profiles', failed) });
  },
  async saveProfile(draft) {
    // Validate first (discovery reachable, fields well-formed) so errors land next to their fields.
    const checked = await api.validateProfile(draft);
    if (!checked.ok) return { error: checked.error };
    if (!checked.value.valid) return { validation: checked.value };
    const saved = await api.saveProfile(draft);
    if (!saved.ok) return { error: saved.error, validation: checked.value };
    set((state) => ({ profiles: [...state.profiles.filter((profile) => profile.id !== saved.value.id), saved.value] }));
    return { saved: saved.value, validation: checked.value };
  },
  async deleteProfile(profileId) {
    const result = await api.deleteProfile(profileId);
    if (result.ok) set((state) => ({ profiles: state.profiles.filter((profile) => profile.id !== profileId) }));
    else get().showToast({ kind: 'error', message: describeFailure('Deleting the profile', result.error) });
  },
});
