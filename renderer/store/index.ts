/**
 * The renderer's one zustand store, built from slices, and the hooks that read it.
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RendererApi } from '../../preload/contract';
import { createAccountsSlice } from './accounts-slice';
import { createBridgeSlice } from './bridge-slice';
import { createCopySlice } from './copy-slice';
import { createDetailsSlice } from './details-slice';
import { createEventsSlice } from './events-slice';
import { createProfilesSlice } from './profiles-slice';
import { createSettingsSlice } from './settings-slice';
import { createSignInSlice } from './sign-in-slice';
import { createToastSlice } from './toast-slice';
import type { AppState, SliceDeps } from './types';
import { createUiSlice } from './ui-slice';

export type { AppState, Panel, SignInState, Toast } from './types';

/** The store type. */
export type AppStore = StoreApi<AppState>;

/**
 * Creates the store over an API (the preload's or the browser client's `window.api`).
 *
 * Call {@link connectEvents} to feed it pushes from main.
 */
export function createAppStore(api: RendererApi): AppStore {
  const deps: SliceDeps = { api };
  return createStore<AppState>()((...a) => ({
    ...createAccountsSlice(deps)(...a),
    ...createProfilesSlice(deps)(...a),
    ...createSignInSlice(deps)(...a),
    ...createCopySlice(deps)(...a),
    ...createDetailsSlice(deps)(...a),
    ...createSettingsSlice(deps)(...a),
    ...createToastSlice(deps)(...a),
    ...createUiSlice(deps)(...a),
    ...createBridgeSlice(deps)(...a),
    ...createEventsSlice(deps)(...a),
  }));
}

/** Subscribes the store to the API's pushes; returns the unsubscribe function. */
export function connectEvents(store: AppStore, api: RendererApi): () => void {
  return api.onEvent((event) => store.getState().applyEvent(event));
}

/** React context carrying the store (tests provide their own). */
export const StoreContext = createContext<AppStore | null>(null);

/** Reads a slice of the store from the nearest {@link StoreContext}. */
export function useAppStore<T>(selector: (state: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore needs a StoreContext provider.');
  return useStore(store, selector);
}
