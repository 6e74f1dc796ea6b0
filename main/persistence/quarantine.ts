/**
 * Moving an unreadable file out of the way without losing it.
 */
import { existsSync, renameSync } from 'node:fs';

/**
 * Renames `path` to `<path>.corrupt-<timestamp>` and returns the new path.
 *
 * Used instead of electron-store's `clearInvalidConfig`, which wipes the file without a backup: the
 * user keeps the bytes (for support or manual recovery) and the app starts with an empty store.
 */
export function quarantineFile(path: string, now: () => number = Date.now): string {
  // No ':' in the name: it is not allowed in Windows file names.
  const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
  let target = `${path}.corrupt-${stamp}`;
  for (let n = 1; existsSync(target); n += 1) target = `${path}.corrupt-${stamp}-${n}`;
  renameSync(path, target);
  return target;
}
