/**
 * The Electron main process: app lifecycle, and the wiring of the app core to its Electron
 * adapters (cipher, store, clipboard, sign-in brokers), the `app://` protocol, the main window,
 * the tray and IPC.
 *
 * Order matters: the privileged scheme, the sandbox switch and `--password-store` must be set
 * before `ready`; `safeStorage` may be used only after it.
 */
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { app, dialog, Notification, shell, type BrowserWindow, type Session } from 'electron';
import type { Bridge } from './bridge';
import { BridgeApi, composeAppApi } from './bridge/bridge-api';
import { CommandLineToolInstaller, commandLineToolFiles } from './bridge/command-line-tool';
import { startBridgeInHost } from './bridge/host-wiring';
import { clearPartition, EmbeddedWindowBroker } from './brokers/embedded-window-broker';
import { LoopbackBroker } from './brokers/loopback-broker';
import { signInPartitionFor } from './brokers/signin-partition';
import { ElectronClipboard } from './clipboard/electron-clipboard';
import { createDispatcher } from './boundary/dispatch';
import { toErrorInfo } from './errors';
import { forwardEvent, registerIpcHandlers } from './boundary/ipc-main-adapter';
import { claimDataFolder } from './instance/data-folder-lock';
import { handOverText, InstanceError } from './instance/errors';
import { isDemoCertificate, readLaunchOptions } from './launch-options';
import { ElectronStoreAdapter } from './persistence/electron-store-adapter';
import { SafeStorageCipher } from './persistence/safe-storage-cipher';
import { createAppCore, type AppCore } from './services/app-core';
import { DEMO_PROFILE_ID } from './services/profiles';
import { readSettings } from './services/settings';
import { createTray, installTrayTestHooks, type TrayController } from './tray';
import { registerAppProtocol, registerAppSchemePrivileged } from './windows/app-protocol';
import { createMainWindow, revealWindow } from './windows/main-window';
import { isTrustedAppUrl } from './windows/policy';
import { installWebContentsGuard } from './windows/web-contents-guard';

// dist/main/index.js → dist/preload, dist/renderer (also inside app.asar).
const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD_PATH = join(here, '..', 'preload', 'index.cjs');
const RENDERER_DIR = join(here, '..', 'renderer');

const launch = readLaunchOptions(process.env, { isPackaged: app.isPackaged });
if (launch.userDataDir) app.setPath('userData', launch.userDataDir);

registerAppSchemePrivileged();
// Every renderer sandboxed, whatever a window's options say.
app.enableSandbox();

// The single-instance lock focuses a running app; the data-folder lock also keeps out a
// browser-mode host (or another build) on the same folder (issue 8 item 3).
const dataFolder = app.requestSingleInstanceLock() ? claimDataFolder(app.getPath('userData'), { app: 'electron' }) : undefined;
if (!dataFolder) {
  // The first instance owns the stores and the tray; it shows its window (see 'second-instance').
  app.quit();
} else if (dataFolder.kind === 'held') {
  const message = handOverText(new InstanceError(app.getPath('userData'), dataFolder.holder, dataFolder.verdict));
  console.error(`[tessera] ${message}`);
  // Safe before 'ready' (Electron's documentation of showErrorBox).
  dialog.showErrorBox('Tessera is already running', message);
  app.exit(3);
} else {
  if (dataFolder.kind === 'acquired') app.once('will-quit', () => dataFolder.lock.release());
  const settingsStore = new ElectronStoreAdapter();
  applyPasswordStoreSwitch(readSettings(settingsStore).linuxPasswordStore);
  main(settingsStore).catch((error: unknown) => {
    console.error(`[tessera] start-up failed (${describeError(error)})`);
    app.exit(1);
  });
}

/** Chromium reads `--password-store` once, before `ready` (electron #39789: i3/sway get basic_text). */
function applyPasswordStoreSwitch(store: string): void {
  if (process.platform !== 'linux' || store === 'auto') return;
  app.commandLine.appendSwitch('password-store', store);
}

async function main(settingsStore: ElectronStoreAdapter): Promise<void> {
  let mainWindow: BrowserWindow | undefined;
  // Filled in after `ready`; the quit handler is registered before, so it may find them empty.
  const started: { core?: AppCore; tray?: TrayController; bridge?: Bridge } = {};
  let quitting = false;
  let disposed = false;
  const cleanups: Array<() => void> = [];

  const showWindow = (): void => {
    if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createMainWindow({ preloadPath: PRELOAD_PATH, iconPath: windowIconPath(), isQuitting: () => quitting });
    revealWindow(mainWindow);
  };

  app.on('second-instance', () => {
    if (app.isReady()) showWindow();
  });
  // The app lives in the tray: closing the last window does not quit.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    quitting = true;
    if (disposed) return;
    // Dispose first (saves the cache, clears our clipboard contents), then quit for real.
    event.preventDefault();
    disposed = true;
    void (async () => {
      try {
        for (const cleanup of cleanups.splice(0)) cleanup();
        started.tray?.dispose();
        // The bridge first: it withdraws waiting prompts and ends terminal-session approvals.
        await started.bridge?.close();
        await started.core?.dispose();
      } catch (error) {
        console.error(`[tessera] shutdown failed (${describeError(error)})`);
      } finally {
        app.quit();
      }
    })();
  });

  await app.whenReady();
  installWebContentsGuard({ openExternal: (url) => void shell.openExternal(url) });
  if (launch.demo?.caPath) trustDemoCertificates(launch.demo.caPath, launch.demo.profile.authority);

  const cipher = await SafeStorageCipher.create();
  const demoCaPath = launch.demo?.caPath;
  const appCore = await createAppCore({
    mode: 'electron',
    version: app.getVersion(),
    settingsStore,
    // The encrypted cache has a file of its own, so changing a setting does not rewrite every token.
    cacheStorage: { cipher, backupDir: join(app.getPath('userData'), 'backups'), store: new ElectronStoreAdapter({ name: 'token-cache' }) },
    clipboard: new ElectronClipboard(),
    brokers: {
      embedded: (context) => new EmbeddedWindowBroker({ partition: signInPartitionFor(context.accountKey), parent: mainWindow }),
      systemBrowser: () => new LoopbackBroker({ openExternal: (url) => shell.openExternal(url) }),
    },
    clearSignInSession: (accountKey) => clearPartition(signInPartitionFor(accountKey)),
    demoProfile: launch.demo?.profile,
    // Copies of the demo profile (marked `demoProvider`) trust its CA too, as in browser mode.
    verifyFor: demoCaPath ? (profile) => (profile.id === DEMO_PROFILE_ID || profile.demoProvider === true ? demoCaPath : undefined) : undefined,
    log: (line) => console.log(`[tessera] ${line}`),
  });
  started.core = appCore;

  registerAppProtocol(RENDERER_DIR);
  const bridgeApi = new BridgeApi(new CommandLineToolInstaller(commandLineToolFiles(commandRoot())));
  const api = composeAppApi(appCore, bridgeApi);
  const dispatcher = createDispatcher(api, {
    isTrustedSender: (url) => isTrustedAppUrl(url),
    // Name only: the message of an unexpected error may quote a token.
    onUnexpectedError: (method, error) => console.error(`[tessera] ${method} failed unexpectedly (${describeError(error)})`),
  });
  cleanups.push(registerIpcHandlers(dispatcher));
  cleanups.push(api.subscribe((event) => forwardEvent(mainWindow, event)));

  showWindow();
  // The `tessera` command's local socket. A prompt brings the window forward (the renderer shows
  // it) and says so in a notification, since the person is usually in a terminal.
  const bridge = await startBridgeInHost({
    core: appCore,
    settingsStore,
    dataDir: app.getPath('userData'),
    approvals: {
      uiOpen: () => true,
      where: 'the Tessera window',
      onPrompt: (prompt) => {
        showWindow();
        notify(`"${prompt.caller.program}" asks for a token for ${prompt.username}. Answer in the Tessera window.`);
      },
    },
    log: (line) => console.log(`[tessera] ${line}`),
    onUnavailable: (reason) => bridgeApi.detach(reason),
  });
  if (bridge) {
    bridgeApi.attach(bridge);
    started.bridge = bridge;
  }
  const tray = await createTray({
    core: appCore,
    iconPath: trayIconPath(),
    actions: {
      copyToken: async (accountId) => {
        try {
          await appCore.copyDefaultToken(accountId);
        } catch (error) {
          notify(toErrorInfo(error).message);
        }
      },
      open: async () => showWindow(),
      quit: async () => app.quit(),
    },
  });
  started.tray = tray;
  installTrayTestHooks(tray, launch.testHooks);
  app.on('activate', showWindow);
}

/** Trusts the demo provider's CA for the demo host, in sign-in sessions, in a source checkout only. */
function trustDemoCertificates(caPath: string, issuer: string): void {
  const caPem = readFileSync(caPath, 'utf8');
  const install = (ses: Session): void =>
    ses.setCertificateVerifyProc((request, callback) => {
      const trusted = isDemoCertificate({ hostname: request.hostname, issuerPem: request.certificate.issuerCert?.data }, { issuer, caPem });
      // 0: accept; -3: use Chromium's own verification.
      callback(trusted ? 0 : -3);
    });
  app.on('session-created', install);
}

/** Where the `tessera` command's files are, for "Install command-line tool" (shipped by electron-builder.config.cjs). */
function commandRoot(): string {
  return app.isPackaged ? process.resourcesPath : join(here, '..', '..');
}

function trayIconPath(): string {
  return app.isPackaged ? join(process.resourcesPath, 'tray', 'tray.png') : join(here, '..', '..', 'build', 'tray', 'tray.png');
}

function windowIconPath(): string | undefined {
  // Packaged apps get their icon from the desktop entry / executable.
  return app.isPackaged ? undefined : join(here, '..', '..', 'build', 'icons', '256x256.png');
}

function notify(body: string): void {
  if (Notification.isSupported()) new Notification({ title: 'Tessera', body }).show();
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name} ${code}` : error.name;
  }
  return typeof error;
}
