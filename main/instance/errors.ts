/**
 * The error of a second instance: the data folder already has an owner.
 */
import { join } from 'node:path';
import { LOCK_NAME, type LockHolder } from './data-folder-lock';

/** Stable codes of {@link InstanceError}. */
export type InstanceErrorCode = 'data_folder_in_use';

/**
 * Another running Tessera owns the data folder, so this one must not write to it.
 *
 * `url` is where the owner can be reached (browser mode), when it said so; the message tells the
 * user what to do in either case.
 */
export class InstanceError extends Error {
  override readonly name = 'InstanceError';
  readonly code: InstanceErrorCode;
  readonly holder: LockHolder;
  readonly url: string | undefined;

  constructor(dir: string, holder: LockHolder, verdict: 'running' | 'other-host') {
    super(describeHolder(dir, holder, verdict));
    this.code = 'data_folder_in_use';
    this.holder = holder;
    this.url = holder.details?.url;
  }
}

function appName(app: string | undefined): string {
  if (app === 'electron') return 'the Tessera desktop app';
  if (app === 'browser-mode') return 'Tessera in browser mode';
  return 'another Tessera';
}

/** The plain-words explanation of who holds `dir` and what to do. */
export function describeHolder(dir: string, holder: LockHolder, verdict: 'running' | 'other-host'): string {
  const who = `${appName(holder.details?.app)}${holder.pid > 0 ? ` (process ${holder.pid})` : ''}`;
  const since = holder.details?.since ? `, running since ${new Date(holder.details.since).toLocaleString()}` : '';
  if (verdict === 'other-host') {
    return (
      `The data folder ${dir} is in use by ${who} on another computer. This start stops here and changes nothing. ` +
      `If no Tessera runs there any more, delete ${join(dir, LOCK_NAME)} and start again.`
    );
  }
  const url = holder.details?.url;
  const next = url
    ? `Open it at ${url}`
    : holder.details?.app === 'electron'
      ? 'Use its window (or its tray icon)'
      : 'Use that one, or start this one with --data-dir <another folder>';
  return `Tessera is already running for the data folder ${dir}: ${who}${since}. ${next}. This start stops here and changes nothing.`;
}
