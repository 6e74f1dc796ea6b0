/**
 * The tray menu as data: built from the app core's tray model, with no Electron in sight.
 *
 * `tray.ts` turns it into a native menu; the Playwright test hook reads and clicks it, because
 * tray menus cannot be clicked natively.
 */
import type { AccountId } from '../preload/contract';
// The model is the app core's data (services); the tray renders it, so the import points down.
import type { TrayModel, TrayModelItem } from './services/tray-model';

export type { TrayModel, TrayModelItem } from './services/tray-model';

/** What the tray's items do. Actions never reject: the adapter reports failures itself. */
export interface TrayActions {
  /** Copies the access token for the account's default scopes (in main). */
  copyToken(accountId: AccountId): Promise<void>;
  /** Shows and focuses the main window. */
  open(): Promise<void>;
  /** Quits the app (the window only hides to the tray). */
  quit(): Promise<void>;
}

/** A tray menu item; mirrors the subset of Electron's `MenuItemConstructorOptions` we use. */
export interface TrayMenuItem {
  /** Stable id for clickable items (`copy-token:<accountId>`, `open`, `quit`). */
  readonly id?: string;
  readonly type: 'normal' | 'separator' | 'submenu';
  readonly label?: string;
  readonly enabled?: boolean;
  readonly submenu?: readonly TrayMenuItem[];
  readonly click?: () => Promise<void>;
}

/** The id of an account's "Copy access token" item. */
export function copyTokenItemId(accountId: AccountId): string {
  return `copy-token:${accountId}`;
}

/**
 * Builds the tray menu from the model.
 *
 * Each account becomes a submenu titled with its label (and its status when it is not usable)
 * holding "Copy access token"; an account that needs sign-in gets "Sign in again…" (opens the
 * window) instead. "Open" and "Quit" come from the model, separators too. With no accounts a
 * disabled "No accounts yet" line says so. `&` in labels is doubled, because Electron reads a
 * single `&` as a keyboard mnemonic.
 */
export function buildTrayTemplate(model: TrayModel, actions: TrayActions): TrayMenuItem[] {
  const items: TrayMenuItem[] = [];
  const hasAccounts = model.items.some((item) => item.kind === 'account');
  if (!hasAccounts) items.push({ type: 'normal', label: 'No accounts yet', enabled: false });
  for (const item of model.items) {
    switch (item.kind) {
      case 'account':
        items.push(accountItem(item, actions));
        break;
      case 'separator':
        // Avoid a leading or doubled separator when the model starts with one.
        if (items.length > 0 && items[items.length - 1]?.type !== 'separator') items.push({ type: 'separator' });
        break;
      case 'open':
        items.push({ id: 'open', type: 'normal', label: 'Open Tessera', click: () => actions.open() });
        break;
      case 'quit':
        items.push({ id: 'quit', type: 'normal', label: 'Quit Tessera', click: () => actions.quit() });
        break;
      default:
        assertNever(item);
    }
  }
  return items;
}

function accountItem(item: Extract<TrayModelItem, { kind: 'account' }>, actions: TrayActions): TrayMenuItem {
  const status = typeof item.status === 'string' ? item.status : item.status.kind;
  const label = escapeMnemonic(item.label);
  if (status === 'needs-sign-in') {
    return {
      type: 'submenu',
      label: `${label} (needs sign-in)`,
      submenu: [{ id: `sign-in:${item.accountId}`, type: 'normal', label: 'Sign in again…', click: () => actions.open() }],
    };
  }
  return {
    type: 'submenu',
    label: status === 'refreshing' ? `${label} (refreshing)` : label,
    submenu: [
      { id: copyTokenItemId(item.accountId), type: 'normal', label: 'Copy access token', click: () => actions.copyToken(item.accountId) },
    ],
  };
}

/** Finds a clickable item by id, in submenus too. */
export function findTrayItem(items: readonly TrayMenuItem[], id: string): TrayMenuItem | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    const found = item.submenu ? findTrayItem(item.submenu, id) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** The template without functions, as the test hook returns it (it crosses to Playwright). */
export function serializableTemplate(items: readonly TrayMenuItem[]): TrayMenuItem[] {
  return items.map(({ click: _click, submenu, ...rest }) => (submenu ? { ...rest, submenu: serializableTemplate(submenu) } : rest));
}

function escapeMnemonic(label: string): string {
  return label.replaceAll('&', '&&');
}

function assertNever(value: never): never {
  throw new Error(`Unexpected tray model item: ${JSON.stringify(value)}`);
}
