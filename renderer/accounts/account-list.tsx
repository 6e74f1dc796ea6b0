/**
 * The account list: grouped by provider, virtualized, with a live clock for status text.
 */
import { useCallback, useMemo, type ReactNode } from 'react';
import type { AccountView } from '../../preload/contract';
import { useMediaQuery } from '../common/use-media-query';
import { useNow } from '../common/use-now';
import { VirtualList } from '../common/virtual-list';
import { useAppStore } from '../store';
import { AccountRow } from './account-row';
import { groupAccounts, type AccountListRow } from './group-accounts';

/** Height of an account row in px in a wide window; kept in sync with `.account-row` in styles.css. */
export const ACCOUNT_ROW_HEIGHT = 68;
/** Height of an account row in a narrow window, where the actions get a line of their own. */
export const ACCOUNT_ROW_HEIGHT_NARROW = 104;
/** Height of a provider's group header. */
export const GROUP_HEADER_HEIGHT = 40;
/** Below this width the actions move under the account (same breakpoint as styles.css). */
export const NARROW_QUERY = '(max-width: 979px)';

/** Props of {@link AccountList}. */
export interface AccountListProps {
  /** Filters by username, name or provider. */
  readonly filter?: string;
}

// The lower-cased text an account is filtered by, computed once per account object (accounts are
// immutable: an update replaces the object), so a keystroke compares strings and builds none.
const haystacks = new WeakMap<AccountView, string>();
function haystackOf(account: AccountView): string {
  let text = haystacks.get(account);
  if (text === undefined) {
    text = `${account.username} ${account.displayName ?? ''} ${account.profileName} ${account.tenant ?? ''}`.toLowerCase();
    haystacks.set(account, text);
  }
  return text;
}

// The grouped, sorted rows of an accounts array: sorting with localeCompare is the costly part, so
// it runs once per list from main, not once per keystroke (`npm run bench` times a keystroke).
const groupedLists = new WeakMap<readonly AccountView[], readonly AccountListRow[]>();
function groupedOf(accounts: readonly AccountView[]): readonly AccountListRow[] {
  let rows = groupedLists.get(accounts);
  if (!rows) {
    rows = groupAccounts(accounts);
    groupedLists.set(accounts, rows);
  }
  return rows;
}

// The last filtered rows per accounts array. A keystroke that leaves the matches as they were
// ("u" → "us" when every account matches "u") gets the very same array back, so the list and its
// rows skip rendering. Keyed by the array: an update from main is a new array (and a changed
// account a new object), so it never sees rows built from an older list.
const lastFiltered = new WeakMap<readonly AccountView[], readonly AccountListRow[]>();

function sameRows(a: readonly AccountListRow[], b: readonly AccountListRow[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) {
    const x = a[index] as AccountListRow;
    const y = b[index] as AccountListRow;
    if (x.kind === 'account' ? y.kind !== 'account' || x.account !== y.account : y.kind !== 'group' || x.profileId !== y.profileId || x.label !== y.label || x.count !== y.count) return false;
  }
  return true;
}

/**
 * The accounts whose text contains `filter` (case-insensitive), grouped for the list.
 *
 * Returns the same array as the previous call for `accounts` when the matching rows are the same.
 */
export function filterAndGroup(accounts: readonly AccountView[], filter: string): readonly AccountListRow[] {
  const all = groupedOf(accounts);
  const needle = filter.trim().toLowerCase();
  let rows: readonly AccountListRow[] = all;
  if (needle) {
    const matches: AccountListRow[] = [];
    let header: Extract<AccountListRow, { kind: 'group' }> | undefined;
    let members: AccountListRow[] = [];
    const flush = (): void => {
      // A group whose accounts all match keeps its header object.
      if (header && members.length > 0) matches.push(members.length === header.count ? header : { ...header, count: members.length }, ...members);
      members = [];
    };
    for (const row of all) {
      if (row.kind === 'group') {
        flush();
        header = row;
      } else if (haystackOf(row.account).includes(needle)) {
        members.push(row);
      }
    }
    flush();
    rows = matches.length === all.length ? all : matches;
  }
  const last = lastFiltered.get(accounts);
  if (last && sameRows(last, rows)) return last;
  lastFiltered.set(accounts, rows);
  return rows;
}

const rowKey = (row: AccountListRow): string => (row.kind === 'group' ? `group:${row.profileId}` : row.account.id);

/** All accounts, grouped by provider profile. */
export function AccountList({ filter = '' }: AccountListProps): ReactNode {
  const accounts = useAppStore((state) => state.accounts);
  const loaded = useAppStore((state) => state.accountsLoaded);
  const openPanel = useAppStore((state) => state.openPanel);
  const narrow = useMediaQuery(NARROW_QUERY);
  // Minute-level text only needs a coarse tick; countdowns in details tick every second.
  const now = useNow(5_000);

  const rows = useMemo(() => filterAndGroup(accounts, filter), [accounts, filter]);
  // Stable props (with `rows` kept by filterAndGroup) let the memoized list skip a keystroke that
  // changes no match; `now` changes them every tick, so statuses stay live.
  const rowHeight = useCallback((row: AccountListRow) => (row.kind === 'group' ? GROUP_HEADER_HEIGHT : narrow ? ACCOUNT_ROW_HEIGHT_NARROW : ACCOUNT_ROW_HEIGHT), [narrow]);
  const renderRow = useCallback(
    (row: AccountListRow) =>
      row.kind === 'group' ? (
        <h2 className="group-header">
          <span className="ellipsis">{row.label}</span> <span className="muted">· {row.count}</span>
        </h2>
      ) : (
        <AccountRow account={row.account} now={now} />
      ),
    [now],
  );

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
  if (loaded && rows.length === 0) {
    return (
      <p className="empty" role="status">
        No account matches “{filter.trim()}”.
      </p>
    );
  }

  return (
    <VirtualList<AccountListRow>
      className={`account-list${narrow ? ' narrow' : ''}`}
      ariaLabel="Accounts"
      items={rows}
      rowHeight={rowHeight}
      rowKey={rowKey}
      renderRow={renderRow}
    />
  );
}
