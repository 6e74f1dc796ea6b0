/**
 * Pure formatting helpers: status text, durations, initials, clock times.
 */
import type { AccountStatus, AccountView } from '../../preload/contract';

/** Below this many minutes left, "valid" turns into the warning "expires in …". */
export const EXPIRY_WARNING_MINUTES = 5;

/**
 * An epoch timestamp in milliseconds.
 *
 * The contract gives token expiry in epoch seconds; values already in milliseconds (above year
 * 33658 as seconds) are passed through so a unit slip elsewhere cannot show "valid 29 million min".
 */
export function toEpochMs(epoch: number): number {
  return epoch > 1e12 ? epoch : epoch * 1000;
}

/** "42 min", "1 h 5 min", "35 s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
  return `${Math.floor(hours / 24)} d`;
}

/** The tone of a status, for colour and icon. */
export type StatusTone = 'ok' | 'warn' | 'busy' | 'bad' | 'neutral';

/** What the account list shows about an account's token. */
export interface StatusLabel {
  readonly text: string;
  readonly tone: StatusTone;
}

/** "valid 42 min", "expires in 3 min", "refreshing…", "needs sign-in", "expired". */
export function statusLabel(status: AccountStatus, now: number, busy = false): StatusLabel {
  if (busy || status.kind === 'refreshing') return { text: 'refreshing…', tone: 'busy' };
  switch (status.kind) {
    case 'valid': {
      const left = toEpochMs(status.expiresOn) - now;
      if (left <= 0) return { text: 'expired', tone: 'bad' };
      if (left < EXPIRY_WARNING_MINUTES * 60_000) return { text: `expires in ${formatDuration(left)}`, tone: 'warn' };
      return { text: `valid ${formatDuration(left)}`, tone: 'ok' };
    }
    case 'expired':
      return { text: 'expired', tone: 'bad' };
    case 'needs-sign-in':
      return { text: 'needs sign-in', tone: 'bad' };
    case 'unknown':
      return { text: 'status unknown', tone: 'neutral' };
  }
}

/** Up to two letters for the avatar: "Alice Example" → "AE", "bob@contoso.com" → "BO". */
export function initials(account: Pick<AccountView, 'displayName' | 'username'>): string {
  const source = (account.displayName ?? '').trim() || account.username.split('@')[0] || account.username;
  const words = source.split(/[\s._-]+/).filter(Boolean);
  const letters = words.length >= 2 ? `${words[0]?.[0] ?? ''}${words[1]?.[0] ?? ''}` : source.slice(0, 2);
  return letters.toUpperCase() || '?';
}

/** A local clock time, "14:32:10". */
export function formatClock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A local date and time, "2025-01-31 14:32:10". */
export function formatDateTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Splits a space- or comma-separated scope list. */
export function parseScopes(text: string): readonly string[] {
  return text.split(/[\s,]+/).map((scope) => scope.trim()).filter(Boolean);
}

/** A stable hue (0–359) for an avatar, from the account id. */
export function avatarHue(seed: string): number {
  let hash = 0;
  for (let i = 0; i < seed.length; i++) hash = (hash * 31 + seed.charCodeAt(i)) >>> 0;
  return hash % 360;
}
