/**
 * The tray menu as data: the Electron tray renders it, tests read it.
 */
import type { AccountView } from '../../preload/contract';
// The shape the Electron tray renders (`tray-template.ts`), not a second copy of it.
import type { TrayModel, TrayModelItem } from '../tray-template';

export type { TrayModel } from '../tray-template';

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
