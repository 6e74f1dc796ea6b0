/**
 * One account: avatar, who, where, live status (with the reason when it needs sign-in) and its
 * actions. The row itself is focusable: Enter or Ctrl/⌘+C copies its token, the arrow keys move
 * between rows.
 */
import { memo, useContext, type KeyboardEvent, type ReactNode } from 'react';
import type { AccountView, TokenFormat } from '../../preload/contract';
import { avatarHue, initials, statusLabel } from '../common/format';
import { StoreContext, useAppStore, type AppState, type Panel } from '../store';

/** Props of {@link AccountRow}. */
export interface AccountRowProps {
  readonly account: AccountView;
  readonly now: number;
}

/** What the main button copies, in the words it shows. */
export function formatTag(format: TokenFormat): string {
  return format === 'bearer' ? 'header' : 'raw';
}

function formatDescription(format: TokenFormat): string {
  return format === 'bearer' ? 'an "Authorization: Bearer …" header line' : 'the access token itself';
}

// Moves focus to the previous or next account row; the list keeps a few rows beyond the viewport
// in the DOM, so the neighbour exists.
function focusSibling(row: HTMLElement, step: 1 | -1): void {
  // The list renders its window of rows in list order, so document order is list order.
  const rows = [...(row.closest('.account-list')?.querySelectorAll<HTMLElement>('.account-row') ?? [])];
  const next = rows[rows.indexOf(row) + step];
  if (!next) return;
  next.focus();
  next.scrollIntoView?.({ block: 'nearest' });
}

/** A row of the account list. */
export const AccountRow = memo(function AccountRow({ account, now }: AccountRowProps): ReactNode {
  const busy = useAppStore((state) => state.busyAccounts.has(account.id));
  const format = useAppStore((state) => state.copyFormat);
  // Actions never change, so they are read when used rather than subscribed to: two store
  // subscriptions per row instead of eight keep mounting rows cheap while a filter is typed.
  const store = useContext(StoreContext);
  const actions = (): AppState => {
    if (!store) throw new Error('AccountRow needs a StoreContext provider.');
    return store.getState();
  };
  const copyToken = (accountId: string): Promise<boolean> => actions().copyToken(accountId);
  const refreshAccount = (accountId: string): Promise<void> => actions().refreshAccount(accountId);
  const reauthenticate = (accountId: string): Promise<void> => actions().reauthenticate(accountId);
  const setPinned = (accountId: string, pinned: boolean): Promise<void> => actions().setPinned(accountId, pinned);
  const openDetails = (accountId: string): void => actions().openDetails(accountId);
  const openPanel = (panel: Panel): void => actions().openPanel(panel);

  const label = statusLabel(account.status, now, busy);
  const needsSignIn = account.status.kind === 'needs-sign-in';
  const who = account.displayName ? `${account.displayName} (${account.username})` : account.username;
  const where = [account.profileName, account.tenant].filter(Boolean).join(' · ');
  // Busy buttons stay enabled (aria-disabled) so a focused one keeps focus instead of dropping it
  // to the page body; their clicks are ignored while the account is busy.
  const whenIdle = (action: () => void) => () => {
    if (!busy) action();
  };
  const primary = needsSignIn ? () => void reauthenticate(account.id) : () => void copyToken(account.id);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    // Keys typed on the row itself, not on one of its buttons.
    if (event.target !== event.currentTarget) return;
    const mod = event.ctrlKey || event.metaKey;
    if (event.key === 'Enter' || (mod && !event.shiftKey && !event.altKey && event.key.toLowerCase() === 'c')) {
      // Ctrl+C copies this row's token only when no text is selected (copying a selection stays native).
      if (event.key !== 'Enter' && (window.getSelection()?.toString() ?? '') !== '') return;
      event.preventDefault();
      whenIdle(primary)();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      focusSibling(event.currentTarget, event.key === 'ArrowDown' ? 1 : -1);
    }
  };

  return (
    <div
      className="account-row"
      data-account-id={account.id}
      aria-label={`Account ${account.username}`}
      role="group"
      tabIndex={0}
      aria-keyshortcuts={needsSignIn ? 'Enter' : 'Enter Control+C Meta+C'}
      onKeyDown={onKeyDown}
    >
      <span className="avatar" aria-hidden="true" style={{ ['--avatar-hue' as string]: avatarHue(account.id) }}>
        {initials(account)}
      </span>
      <div className="account-main">
        <div className="account-name" title={account.appIdentity ? `${who} · app identity (client credentials)` : who}>
          {account.displayName ?? account.username}
          {account.appIdentity ? (
            <span className="badge" data-testid="app-identity">
              app identity
            </span>
          ) : null}
        </div>
        <div className="account-sub" title={account.displayName ? `${account.username} · ${where}` : where}>
          {account.displayName ? <span className="ellipsis">{account.username}</span> : null}
          <span className="muted ellipsis">{where}</span>
        </div>
      </div>
      <div className="account-status">
        <span className={`status status-${label.tone}`} data-testid="account-status">
          {label.text}
        </span>
        {account.status.kind === 'needs-sign-in' ? (
          <span className="status-reason" data-testid="needs-sign-in-reason" title={account.status.reason}>
            {account.status.reason}
          </span>
        ) : null}
        {/* A "needs sign-in" reason already says why (memory only included); two lines is all a row holds. */}
        {!needsSignIn && (account.storage === 'memory-only' || account.lastError) ? (
          <span className="badges">
            {account.storage === 'memory-only' ? <span className="badge">stored in memory only</span> : null}
            {account.lastError ? (
              <span className="badge badge-bad" data-testid="account-error" title={account.lastError.message}>
                last try failed: {account.lastError.code}
              </span>
            ) : null}
          </span>
        ) : null}
      </div>
      <div className="account-actions">
        {needsSignIn ? (
          <button type="button" className="primary" aria-disabled={busy || undefined} onClick={whenIdle(primary)} aria-label={`Sign in again as ${account.username}`}>
            Sign in again
          </button>
        ) : (
          <button
            type="button"
            className="primary copy-button"
            onClick={primary}
            title={`Copies ${formatDescription(format)}. Choose another format or scopes with ▾.`}
            data-format={format}
          >
            {/* The name is the visible text plus who (WCAG 2.5.3): "Copy token raw for alice@…". */}
            Copy token <span className="format-tag">{formatTag(format)}</span>
            <span className="visually-hidden"> for {account.username}</span>
          </button>
        )}
        <button type="button" onClick={() => openPanel({ kind: 'copy-options', accountId: account.id })} aria-label={`Copy options for ${account.username}`} title="Other scopes or format">
          ▾
        </button>
        <button type="button" onClick={() => openDetails(account.id)} aria-label={`Token details for ${account.username}`}>
          Details
        </button>
        <button type="button" aria-disabled={busy || undefined} onClick={whenIdle(() => void refreshAccount(account.id))} aria-label={`Refresh now ${account.username}`} title="Refresh now">
          ⟳
        </button>
        <button
          type="button"
          aria-pressed={account.pinned}
          onClick={() => void setPinned(account.id, !account.pinned)}
          aria-label={`Auto-refresh ${account.username}`}
          title={account.pinned ? 'Auto-refresh is on' : 'Keep this token fresh automatically'}
          className={account.pinned ? 'pinned' : undefined}
        >
          {/* The visible text is part of the accessible name (WCAG 2.5.3); aria-pressed says on/off. */}
          Auto-refresh
        </button>
        <button type="button" className="danger" onClick={() => openPanel({ kind: 'confirm-remove', accountId: account.id })} aria-label={`Remove ${account.username}`} title="Remove">
          Remove
        </button>
      </div>
    </div>
  );
});
