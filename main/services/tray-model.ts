/**
 * The tray menu as data: the Electron tray renders it, tests read it.
 */
import type { AccountId, AccountStatus, AccountView } from '../../preload/contract';

/** One entry of the tray menu. */
export type TrayItem =
  | { readonly kind: 'account'; readonly accountId: AccountId; readonly label: string; readonly status: AccountStatus }
  | { readonly kind: 'separator' }
  | { readonly kind: 'open' }
  | { readonly kind: 'quit' };

/** The whole tray menu. Account entries copy that account's default-scope token when clicked. */
export interface TrayModel {
  readonly items: readonly TrayItem[];
}

/**
 * Builds the tray menu: one entry per account (grouped by profile, then by username), then
 * "Open" and "Quit".
 */
export function buildTrayModel(accounts: readonly AccountView[]): TrayModel {
  const sorted = [...accounts].sort(
    (a, b) => a.profileName.localeCompare(b.profileName) || a.username.localeCompare(b.username) || a.id.localeCompare(b.id),
  );
  const items: TrayItem[] = sorted.map((account) => ({
    kind: 'account',
    accountId: account.id,
    label: `${account.username} — ${account.profileName}`,
    status: account.status,
  }));
  if (items.length > 0) items.push({ kind: 'separator' });
  items.push({ kind: 'open' }, { kind: 'quit' });
  return { items };
}
