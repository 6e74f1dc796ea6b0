/**
 * Electron adapter: the tray icon and its menu.
 *
 * The menu is built as data by `buildTrayTemplate` (tray-template.ts) from the app core's tray
 * model and rebuilt whenever the core reports a change. With `TESSERA_TEST_HOOKS=1` the template
 * can be read and clicked from Playwright through `globalThis.__tesseraTestHooks`, because tray
 * menus cannot be clicked natively.
 */
import { Menu, Tray, type MenuItemConstructorOptions } from 'electron';
import type { AppEvent } from '../preload/contract';
import { buildTrayTemplate, findTrayItem, serializableTemplate, type TrayActions, type TrayMenuItem, type TrayModel } from './tray-template';

/** The part of the app core the tray needs. */
export interface TrayCore {
  /** The current tray model (accounts, separators, open, quit). */
  trayModel(): TrayModel | Promise<TrayModel>;
  /** Subscribes to app events; returns an unsubscribe function. */
  subscribe(listener: (event: AppEvent) => void): () => void;
}

/** The running tray. */
export interface TrayController {
  /** The current menu as data. */
  template(): readonly TrayMenuItem[];
  /** Runs the click handler of the item with `id`; rejects when there is none. */
  click(id: string): Promise<void>;
  /** Rebuilds the menu from the core's current model. */
  refresh(): Promise<void>;
  /** Removes the icon and stops listening. */
  dispose(): void;
}

/** Options of {@link createTray}. */
export interface TrayOptions {
  readonly core: TrayCore;
  readonly actions: TrayActions;
  /** PNG icon (16–32 px on most desktops; Electron scales). */
  readonly iconPath: string;
}

/** Creates the tray icon and keeps its menu in step with the core. */
export async function createTray(options: TrayOptions): Promise<TrayController> {
  const tray = new Tray(options.iconPath);
  tray.setToolTip('Tessera');
  let items: TrayMenuItem[] = [];
  let disposed = false;

  const refresh = async (): Promise<void> => {
    const model = await options.core.trayModel();
    if (disposed) return;
    items = buildTrayTemplate(model, options.actions);
    tray.setContextMenu(Menu.buildFromTemplate(items.map(toElectronItem)));
  };
  await refresh();
  const unsubscribe = options.core.subscribe((event) => {
    if (event.type === 'accounts-changed' || event.type === 'account-updated' || event.type === 'needs-sign-in') void refresh().catch(() => undefined);
  });

  return {
    template: () => items,
    click: async (id) => {
      const item = findTrayItem(items, id);
      if (!item?.click) throw new Error(`No clickable tray item "${id}".`);
      await item.click();
    },
    refresh,
    dispose: () => {
      disposed = true;
      unsubscribe();
      tray.destroy();
    },
  };
}

function toElectronItem(item: TrayMenuItem): MenuItemConstructorOptions {
  const { click, submenu, ...rest } = item;
  return {
    ...rest,
    ...(submenu ? { submenu: submenu.map(toElectronItem) } : {}),
    ...(click ? { click: () => void click() } : {}),
  };
}

/** The hooks Playwright reaches through `electronApp.evaluate`. */
export interface TesseraTestHooks {
  /** The tray menu without functions. */
  trayTemplate(): TrayMenuItem[];
  /** Clicks a tray item by id and waits for its action. */
  clickTrayItem(id: string): Promise<void>;
}

declare global {
  var __tesseraTestHooks: TesseraTestHooks | undefined;
}

/**
 * Installs {@link TesseraTestHooks} when `enabled`.
 *
 * Pass `readLaunchOptions(…).testHooks`: true only for `TESSERA_TEST_HOOKS=1` in a source checkout.
 */
export function installTrayTestHooks(controller: TrayController, enabled: boolean): void {
  if (!enabled) return;
  globalThis.__tesseraTestHooks = {
    trayTemplate: () => serializableTemplate(controller.template()),
    clickTrayItem: (id) => controller.click(id),
  };
}
