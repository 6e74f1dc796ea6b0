/**
 * Renders components inside a store built over a {@link FakeApi}.
 */
import { render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import { connectEvents, createAppStore, StoreContext, type AppStore } from '../../../renderer/store';
import type { FakeApi } from './fake-api';

/** A rendered tree plus its store. */
export interface Rendered extends RenderResult {
  readonly store: AppStore;
}

/** Renders `ui` with a fresh store over `fake.api`, subscribed to its pushes. */
export function renderWithStore(ui: ReactNode, fake: FakeApi, store: AppStore = createAppStore(fake.api)): Rendered {
  connectEvents(store, fake.api);
  const result = render(<StoreContext.Provider value={store}>{ui}</StoreContext.Provider>);
  return { ...result, store };
}
