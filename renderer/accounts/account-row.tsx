/**
 * One account: avatar, who, where, live status and its actions.
 */
import { memo, type ReactNode } from 'react';
import type { AccountView } from '../../preload/contract';
import { avatarHue, initials, statusLabel } from '../common/format';
import { useAppStore } from '../store';

/** Props of {@link AccountRow}. */
export interface AccountRowProps {
  readonly account: AccountView;
  readonly now: number;
}

/** A row of the account list. */
export const AccountRow = memo(function AccountRow({ account, now }: AccountRowProps): ReactNode {
  const busy = useAppStore((state) => state.busyAccounts.has(account.id));
  const copyToken = useAppStore((state) => state.copyToken);
  const refreshAccount = useAppStore((state) => state.refreshAccount);
  const reauthenticate = useAppStore((state) => state.reauthenticate);
  const setPinned = useAppStore((state) => state.setPinned);
  const openDetails = useAppStore((state) => state.openDetails);
  const openPanel = useAppStore((state) => state.openPanel);

  const label = statusLabel(account.status, now, busy);
  const needsSignIn = account.status.kind === 'needs-sign-in';
  const who = account.displayName ? `${account.displayName} (${account.username})` : account.username;
  const where = [account.profileName, account.tenant].filter(Boolean).join(' · ');

  return (
    <div className="account-row" data-account-id={account.id} aria-label={`Account ${account.username}`} role="group">
      <span className="avatar" aria-hidden="true" style={{ ['--avatar-hue' as string]: avatarHue(account.id) }}>
        {initials(account)}
      </span>
      <div className="account-main">
        <div className="account-name" title={who}>
          {account.displayName ?? account.username}
        </div>
        <div className="account-sub">
          {account.displayName ? <span>{account.username}</span> : null}
          <span className="muted">{where}</span>
        </div>
      </div>
      <div className="account-status">
        <span className={`status status-${label.tone}`} data-testid="account-status" title={account.status.kind === 'needs-sign-in' ? account.status.reason : undefined}>
          {label.text}
        </span>
        {account.storage === 'memory-only' ? <span className="badge">stored in memory only</span> : null}
        {account.lastError && !needsSignIn ? (
          <span className="badge badge-bad" title={account.lastError.message}>
            {account.lastError.code}
          </span>
        ) : null}
      </div>
      <div className="account-actions">
        {needsSignIn ? (
          <button type="button" className="primary" disabled={busy} onClick={() => void reauthenticate(account.id)} aria-label={`Sign in again as ${account.username}`}>
            Sign in again
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => void copyToken(account.id)} aria-label={`Copy token for ${account.username}`}>
            Copy token
          </button>
        )}
        <button type="button" onClick={() => openPanel({ kind: 'copy-options', accountId: account.id })} aria-label={`Copy options for ${account.username}`} title="Other scopes or format">
          ▾
        </button>
        <button type="button" onClick={() => openDetails(account.id)} aria-label={`Token details for ${account.username}`}>
          Details
        </button>
        <button type="button" disabled={busy} onClick={() => void refreshAccount(account.id)} aria-label={`Refresh now ${account.username}`} title="Refresh now">
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
