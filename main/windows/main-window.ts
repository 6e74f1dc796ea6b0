/**
 * Electron adapter: the app's main window.
 *
 * Hardened as docs/architecture.md ("Windows of the app") says: `contextIsolation`, `sandbox`, no
 * `nodeIntegration`, `webSecurity` on, the UI from `app://tessera` with a strict CSP, every
 * navigation and `window.open` denied (allow-listed https links go to the system browser), and
 * closing the window hides it to the tray.
 */
import { BrowserWindow, shell } from 'electron';
import { APP_ENTRY_URL, decideNavigation } from './policy';

/** Options of {@link createMainWindow}. */
export interface MainWindowOptions {
  /** Absolute path of the bundled preload (`dist/preload/index.cjs`). */
  readonly preloadPath: string;
  /** Window icon (Linux, Windows). */
  readonly iconPath?: string;
  /** True once the app is quitting: then `close` really closes instead of hiding to the tray. */
  readonly isQuitting: () => boolean;
  /** Show the window as soon as it is ready (false when started minimized to the tray). */
  readonly show?: boolean;
}

/** Creates the main window and loads the renderer from `app://tessera/index.html`. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Tessera',
    icon: options.iconPath,
    autoHideMenuBar: true,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  });
  const contents = win.webContents;

  // The app never leaves its own page: deny, and hand allow-listed https links to the browser.
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    openIfAllowed(event.url);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openIfAllowed(url);
    return { action: 'deny' };
  });

  win.on('close', (event) => {
    if (options.isQuitting()) return;
    // Closing keeps the app in the tray; "Quit" in the tray really quits.
    event.preventDefault();
    win.hide();
  });
  if (options.show !== false) win.once('ready-to-show', () => win.show());

  void win.loadURL(APP_ENTRY_URL);
  return win;
}

/** Shows, restores and focuses a window (tray "Open", second instance). */
export function revealWindow(win: BrowserWindow): void {
  if (win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

function openIfAllowed(url: string): void {
  const decision = decideNavigation(url);
  if (decision.kind === 'open-external') void shell.openExternal(decision.url);
}
