/**
 * Flattens accounts into the rows of the list: a header per provider profile, then its accounts.
 */
import type { AccountView } from '../../preload/contract';

/** One row of the account list. */
export type AccountListRow =
  | { readonly kind: 'group'; readonly profileId: string; readonly label: string; readonly count: number }
  | { readonly kind: 'account'; readonly account: AccountView };

/** Groups by profile (sorted by name), accounts sorted by username within a group. */
export function groupAccounts(accounts: readonly AccountView[]): readonly AccountListRow[] {
  const groups = new Map<string, AccountView[]>();
  for (const account of accounts) {
    const group = groups.get(account.profileId);
    if (group) group.push(account);
    else groups.set(account.profileId, [account]);
  }
  const ordered = [...groups.entries()].sort(([, a], [, b]) => (a[0]?.profileName ?? '').localeCompare(b[0]?.profileName ?? ''));
  const rows: AccountListRow[] = [];
  for (const [profileId, members] of ordered) {
    members.sort((a, b) => a.username.localeCompare(b.username));
    rows.push({ kind: 'group', profileId, label: members[0]?.profileName ?? profileId, count: members.length });
    for (const account of members) rows.push({ kind: 'account', account });
  }
  return rows;
}
