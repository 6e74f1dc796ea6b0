/**
 * The signature shared by the slice creators.
 */
import type { StateCreator } from 'zustand';
import type { AppState, SliceDeps } from './types';

/** Creates one slice of {@link AppState}, given the API. */
export type SliceCreator<T> = (deps: SliceDeps) => StateCreator<AppState, [], [], T>;

/** An error message that never echoes what main did not send. */
export function describeFailure(action: string, error: { readonly code: string; readonly message: string }): string {
  return `${action} failed: ${error.message}`;
}
