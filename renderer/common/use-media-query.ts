/**
 * Whether a CSS media query matches, kept current as the window changes.
 */
import { useSyncExternalStore } from 'react';

// One MediaQueryList per query: React reads the snapshot on every render (a filter keystroke
// renders the account list), and `matchMedia` builds and evaluates a new list on each call.
const lists = new Map<string, MediaQueryList>();
function listOf(query: string): MediaQueryList | undefined {
  if (typeof window.matchMedia !== 'function') return undefined;
  let list = lists.get(query);
  if (!list) {
    list = window.matchMedia(query);
    lists.set(query, list);
  }
  return list;
}

/** `matchMedia(query).matches`, re-rendering when it changes; false where there is no `matchMedia` (jsdom). */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const list = listOf(query);
      if (!list) return () => undefined;
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    () => listOf(query)?.matches ?? false,
  );
}
