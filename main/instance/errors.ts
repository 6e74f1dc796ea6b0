/**
 * The error of a second instance: the data folder already has an owner.
 */
import { join } from 'node:path';
import { AppError } from '../errors';
import { LOCK_NAME, type LockHolder } from './data-folder-lock';

/**
 * Another running Tessera owns the data folder, so this one must not write to it
 * (`data_folder_in_use`).
 *
 * `url` is where the owner can be reached (browser mode), when it said so. It is a field, not part
 * of the message: it carries the owner's launch secret, which the redactor would (rightly) remove
 * from any message. {@link handOverText} puts both together for the one place that shows it, the
 * terminal or dialog of the user who just started Tessera.
 */
export class InstanceError extends AppError {
  override readonly name = 'InstanceError';
  declare readonly code: 'data_folder_in_use';
  readonly holder: LockHolder;
  readonly url: string | undefined;

  constructor(dir: string, holder: LockHolder, verdict: 'running' | 'other-host') {
    super('data_folder_in_use', describeHolder(dir, holder, verdict));
    this.holder = holder;
    this.url = holder.details?.url;
  }
}

/** The message, and on the next line the owner's address when it has one. */
export function handOverText(error: InstanceError): string {
  return error.url ? `${error.message}\n${error.url}` : error.message;
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
  const next = holder.details?.url
    ? 'Open it at the address below'
    : holder.details?.app === 'electron'
      ? 'Use its window (or its tray icon)'
      : 'Use that one, or start this one with --data-dir <another folder>';
  return `Tessera is already running for the data folder ${dir}: ${who}${since}. ${next}. This start stops here and changes nothing.`;
}
