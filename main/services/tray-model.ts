/**
 * The tray menu as data: the Electron tray renders it, tests read it.
 */
import type { AccountId, AccountStatus, AccountView } from '../../preload/contract';

/** One line of the tray model the app core produces. */
export type TrayModelItem =
  | {
      readonly kind: 'account';
      readonly accountId: AccountId;
      readonly label: string;
      readonly status: AccountStatus | AccountStatus['kind'];
    }
  | { readonly kind: 'separator' }
  | { readonly kind: 'open' }
  | { readonly kind: 'quit' };

/** What the tray shows, from `AppCore.trayModel()`; `main/tray-template.ts` renders it. */
export interface TrayModel {
  readonly items: readonly TrayModelItem[];
}

/**
 * Builds the tray menu: one entry per account (grouped by profile, then by username), then
 * "Open" and "Quit".
 */
export function buildTrayModel(accounts: readonly AccountView[]): TrayModel {
  const sorted = [...accounts].sort(
    (a, b) => a.profileName.localeCompare(b.profileName) || a.username.localeCompare(b.username) || a.id.localeCompare(b.id),
  );
  const items: TrayModelItem[] = sorted.map((account) => ({
    kind: 'account',
    accountId: account.id,
    label: `${account.username} — ${account.profileName}`,
    status: account.status,
  }));
  if (items.length > 0) items.push({ kind: 'separator' });
  items.push({ kind: 'open' }, { kind: 'quit' });
  return { items };
}
