/**
 * The account list: grouped by provider, virtualized, with a live clock for status text.
 */
import { useMemo, type ReactNode } from 'react';
import { useNow } from '../common/use-now';
import { VirtualList } from '../common/virtual-list';
import { useAppStore } from '../store';
import { AccountRow } from './account-row';
import { groupAccounts, type AccountListRow } from './group-accounts';

/** Height of every row in px; kept in sync with `.virtual-row` content in styles.css. */
export const ACCOUNT_ROW_HEIGHT = 68;

/** Props of {@link AccountList}. */
export interface AccountListProps {
  /** Filters by username, name or provider. */
  readonly filter?: string;
}

/** All accounts, grouped by provider profile. */
export function AccountList({ filter = '' }: AccountListProps): ReactNode {
  const accounts = useAppStore((state) => state.accounts);
  const loaded = useAppStore((state) => state.accountsLoaded);
  const openPanel = useAppStore((state) => state.openPanel);
  // Minute-level text only needs a coarse tick; countdowns in details tick every second.
  const now = useNow(5_000);

  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const visible = needle
      ? accounts.filter((account) => `${account.username} ${account.displayName ?? ''} ${account.profileName} ${account.tenant ?? ''}`.toLowerCase().includes(needle))
      : accounts;
    return groupAccounts(visible);
  }, [accounts, filter]);

  if (loaded && accounts.length === 0) {
    return (
      <div className="empty">
        <p>No accounts yet.</p>
        <button type="button" className="primary" onClick={() => openPanel({ kind: 'add-account' })}>
          Add your first account
        </button>
      </div>
    );
  }

  return (
    <VirtualList<AccountListRow>
      className="account-list"
      ariaLabel="Accounts"
      items={rows}
      rowHeight={ACCOUNT_ROW_HEIGHT}
      rowKey={(row) => (row.kind === 'group' ? `group:${row.profileId}` : row.account.id)}
      renderRow={(row) =>
        row.kind === 'group' ? (
          <h2 className="group-header">
            {row.label} <span className="muted">· {row.count}</span>
          </h2>
        ) : (
          <AccountRow account={row.account} now={now} />
        )
      }
    />
  );
}
