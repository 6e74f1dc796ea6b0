/**
 * A recording double of the `electron` module: our own in-memory implementation of the few main
 * process APIs the app (and electron-store) calls, so the built main bundle can run in plain
 * Node where no Electron binary exists.
 *
 * It behaves like Electron where the app depends on it (one `ipcMain.handle` per channel,
 * `web-contents-created` while a window is constructed, `before-quit` that can be prevented,
 * `setWindowOpenHandler` keeping the last handler, sessions per partition) and records every call
 * in order. Anything the double does not implement throws with the API's name, so new Electron
 * calls in the app show up here instead of passing silently. Test code only: driver.ts loads it
 * in place of `electron` through a module hook.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';

/** One recorded call: `module.method` and a JSON-safe summary of its arguments. */
export interface RecordedCall {
  readonly api: string;
  readonly args: readonly unknown[];
}

/** An event object as Electron passes to cancellable listeners. */
export interface DoubleEvent {
  readonly url?: string;
  readonly isMainFrame?: boolean;
  defaultPrevented: boolean;
  preventDefault(): void;
}

/** Creates a cancellable event. */
export function makeEvent(fields: { url?: string; isMainFrame?: boolean } = {}): DoubleEvent {
  const event: DoubleEvent = {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

// APIs whose arguments may hold secrets (cache plaintext, copied tokens): recorded by name only.
const SECRET_ARGUMENTS = /^(safeStorage|clipboard)\./;

/** A JSON-safe, shallow summary of a value for the call log. */
function summarize(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'function') return '[function]';
  if (typeof value !== 'object') return value;
  if (value instanceof SessionDouble) return `[session ${value.partition}]`;
  if (value instanceof BrowserWindowDouble) return `[window ${value.id}]`;
  if (Buffer.isBuffer(value)) return '[buffer]';
  if (depth > 3) return '[object]';
  if (Array.isArray(value)) return value.map((item) => summarize(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, summarize(item, depth + 1)]));
}

/** Everything the double saw, and the knobs a test turns before the bundle loads. */
export class DoubleState {
  readonly calls: RecordedCall[] = [];
  /** What `app.requestSingleInstanceLock()` answers (false: another instance holds it). */
  lockAvailable = process.env.TESSERA_DOUBLE_SECOND_INSTANCE !== '1';
  readonly windows: BrowserWindowDouble[] = [];
  readonly sessions = new Map<string, SessionDouble>();
  readonly ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  /** Every channel ever passed to `ipcMain.handle`, duplicates included. */
  readonly handleRegistrations: string[] = [];
  readonly protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  readonly trays: TrayDouble[] = [];
  readonly openedExternally: string[] = [];
  /** Every payload sent to a renderer, as JSON (searched for secrets, never reported). */
  readonly sentPayloads: string[] = [];
  /** Title and body of every notification shown. */
  readonly notifications: string[] = [];
  clipboardText = '';
  ready = false;
  quitted = false;
  exitCode: number | undefined;
  /**
   * Loads a URL in a window's web contents, as Chromium would (set by the driver for sign-in
   * windows). Without it, loads only record the URL.
   */
  pageLoader: ((contents: WebContentsDouble, url: string) => Promise<void>) | undefined;

  record(api: string, args: readonly unknown[]): void {
    this.calls.push({ api, args: SECRET_ARGUMENTS.test(api) ? [] : args.map((arg) => summarize(arg)) });
  }
}

/** The one recording every part of the double writes to. */
export const electronDouble = new DoubleState();

const readyWaiters: Array<() => void> = [];

/** Makes the app ready (Electron's `ready`): resolves `whenReady()` and emits the event. */
export function emitReady(): void {
  if (electronDouble.ready) return;
  electronDouble.ready = true;
  appDouble.emit('ready', makeEvent(), {});
  for (const waiter of readyWaiters.splice(0)) waiter();
}

/** Wraps an implementation so unknown properties throw with the API's name. */
function strict<T extends object>(name: string, target: T): T {
  return new Proxy(target, {
    get(object, property) {
      if (typeof property === 'symbol' || property in object || property === 'then' || property === 'toJSON') {
        // The target as `this`: the implementations keep state in private fields.
        const value: unknown = Reflect.get(object, property, object);
        return typeof value === 'function' ? value.bind(object) : value;
      }
      throw new Error(`electron double: ${name}.${String(property)} is not implemented (add it to test/electron-double/electron.ts)`);
    },
  });
}

/** A recording event emitter. */
class RecordingEmitter extends EventEmitter {
  readonly #name: string;

  constructor(name: string) {
    super();
    this.#name = name;
  }

  override on(event: string | symbol, listener: (...args: unknown[]) => void): this {
    electronDouble.record(`${this.#name}.on`, [String(event)]);
    return super.on(event, listener);
  }

  override once(event: string | symbol, listener: (...args: unknown[]) => void): this {
    electronDouble.record(`${this.#name}.once`, [String(event)]);
    return super.once(event, listener);
  }
}

class AppDouble extends RecordingEmitter {
  readonly isPackaged = false;
  readonly #paths = new Map<string, string>();
  readonly commandLine = strict('app.commandLine', {
    appendSwitch: (name: string, value?: string) => electronDouble.record('app.commandLine.appendSwitch', [name, value]),
    hasSwitch: (name: string) => {
      electronDouble.record('app.commandLine.hasSwitch', [name]);
      return false;
    },
  });

  constructor() {
    super('app');
  }

  setPath(name: string, value: string): void {
    electronDouble.record('app.setPath', [name, value]);
    this.#paths.set(name, value);
  }

  getPath(name: string): string {
    electronDouble.record('app.getPath', [name]);
    const path = this.#paths.get(name) ?? (name === 'temp' ? tmpdir() : undefined);
    // Never fall back to the real ~/.config: a test that forgot TESSERA_USER_DATA_DIR must fail.
    if (!path) throw new Error(`electron double: app.getPath('${name}') was not set`);
    return path;
  }

  getVersion(): string {
    electronDouble.record('app.getVersion', []);
    return '0.0.0-double';
  }

  getName(): string {
    return 'Tessera';
  }

  enableSandbox(): void {
    electronDouble.record('app.enableSandbox', []);
  }

  requestSingleInstanceLock(): boolean {
    electronDouble.record('app.requestSingleInstanceLock', []);
    return electronDouble.lockAvailable;
  }

  isReady(): boolean {
    return electronDouble.ready;
  }

  whenReady(): Promise<void> {
    electronDouble.record('app.whenReady', []);
    return electronDouble.ready ? Promise.resolve() : new Promise((resolve) => readyWaiters.push(resolve));
  }

  /** Like Electron: `before-quit` (cancellable), then `will-quit` and `quit` unless prevented. */
  quit(): void {
    electronDouble.record('app.quit', []);
    if (electronDouble.quitted) return;
    const event = makeEvent();
    this.emit('before-quit', event);
    if (event.defaultPrevented) return;
    const willQuit = makeEvent();
    this.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) return;
    electronDouble.quitted = true;
    this.emit('quit', makeEvent(), 0);
  }

  exit(code = 0): void {
    electronDouble.record('app.exit', [code]);
    electronDouble.exitCode = code;
  }

  setAppUserModelId(id: string): void {
    electronDouble.record('app.setAppUserModelId', [id]);
  }
}

/** A session (the default one or a partition's). */
export class SessionDouble {
  readonly partition: string;
  permissionRequestHandler: ((contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void) | null = null;
  permissionCheckHandler: ((contents: unknown, permission: string, origin: string, details: unknown) => boolean) | null = null;
  devicePermissionHandler: ((details: unknown) => boolean) | null = null;
  certificateVerifyProc: ((request: unknown, callback: (result: number) => void) => void) | null = null;
  beforeRequest: ((details: { url: string }, callback: (response: { cancel?: boolean }) => void) => void) | null = null;
  readonly webRequest = strict('session.webRequest', {
    onBeforeRequest: (...args: unknown[]) => {
      electronDouble.record('session.webRequest.onBeforeRequest', [this.partition]);
      const listener = args.length > 1 ? args[1] : args[0];
      this.beforeRequest = (listener as SessionDouble['beforeRequest']) ?? null;
    },
  });

  constructor(partition: string) {
    this.partition = partition;
  }

  setPermissionRequestHandler(handler: SessionDouble['permissionRequestHandler']): void {
    electronDouble.record('session.setPermissionRequestHandler', [this.partition]);
    this.permissionRequestHandler = handler;
  }

  setPermissionCheckHandler(handler: SessionDouble['permissionCheckHandler']): void {
    electronDouble.record('session.setPermissionCheckHandler', [this.partition]);
    this.permissionCheckHandler = handler;
  }

  setDevicePermissionHandler(handler: SessionDouble['devicePermissionHandler']): void {
    electronDouble.record('session.setDevicePermissionHandler', [this.partition]);
    this.devicePermissionHandler = handler;
  }

  setCertificateVerifyProc(proc: SessionDouble['certificateVerifyProc']): void {
    electronDouble.record('session.setCertificateVerifyProc', [this.partition]);
    this.certificateVerifyProc = proc;
  }

  async clearStorageData(): Promise<void> {
    electronDouble.record('session.clearStorageData', [this.partition]);
  }

  async clearCache(): Promise<void> {
    electronDouble.record('session.clearCache', [this.partition]);
  }

  async clearAuthCache(): Promise<void> {
    electronDouble.record('session.clearAuthCache', [this.partition]);
  }
}

function sessionFor(partition: string): SessionDouble {
  let ses = electronDouble.sessions.get(partition);
  if (!ses) {
    ses = strict('session', new SessionDouble(partition));
    electronDouble.sessions.set(partition, ses);
    if (partition !== '') appDouble.emit('session-created', ses);
  }
  return ses;
}

let nextContentsId = 1;

/** A window's web contents. */
export class WebContentsDouble extends RecordingEmitter {
  readonly id = nextContentsId++;
  readonly session: SessionDouble;
  url = '';
  destroyed = false;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly sent: string[] = [];

  constructor(session: SessionDouble) {
    super('webContents');
    this.session = session;
  }

  setWindowOpenHandler(handler: WebContentsDouble['windowOpenHandler']): void {
    electronDouble.record('webContents.setWindowOpenHandler', [this.id]);
    this.windowOpenHandler = handler;
  }

  async loadURL(url: string): Promise<void> {
    electronDouble.record('webContents.loadURL', [url.split('?')[0]]);
    this.url = url;
    if (electronDouble.pageLoader && !url.startsWith('app:')) await electronDouble.pageLoader(this, url);
  }

  getURL(): string {
    return this.url;
  }

  send(channel: string, ...payload: unknown[]): void {
    electronDouble.record('webContents.send', [channel]);
    this.sent.push(channel);
    // Kept for the leak search only (driver.ts `search`); never reported.
    electronDouble.sentPayloads.push(JSON.stringify(payload));
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }
}

let nextWindowId = 1;

/** A `BrowserWindow`: the options it was built with, its state and its contents. */
export class BrowserWindowDouble extends RecordingEmitter {
  readonly id = nextWindowId++;
  readonly options: Record<string, unknown>;
  readonly webContents: WebContentsDouble;
  visible = false;
  destroyed = false;
  title = '';

  constructor(options: Record<string, unknown> = {}) {
    super('BrowserWindow');
    electronDouble.record('new BrowserWindow', [options]);
    this.options = options;
    const prefs = (options.webPreferences ?? {}) as { session?: SessionDouble; partition?: string };
    this.webContents = strict('webContents', new WebContentsDouble(prefs.session ?? sessionFor(prefs.partition ?? '')));
    this.title = typeof options.title === 'string' ? options.title : '';
    electronDouble.windows.push(this);
    // Electron emits this while the window is being constructed, before any code can use it.
    appDouble.emit('web-contents-created', makeEvent(), this.webContents);
  }

  static getAllWindows(): BrowserWindowDouble[] {
    return electronDouble.windows.filter((win) => !win.destroyed);
  }

  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }

  show(): void {
    this.visible = true;
  }

  hide(): void {
    this.visible = false;
  }

  focus(): void {}

  isVisible(): boolean {
    return this.visible;
  }

  isMinimized(): boolean {
    return false;
  }

  restore(): void {}

  setTitle(title: string): void {
    this.title = title;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** The user closes the window: `close` (cancellable), then `closed`. */
  close(): void {
    if (this.destroyed) return;
    const event = makeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

/** A tray icon and the menus it was given. */
export class TrayDouble extends RecordingEmitter {
  readonly menus: MenuDouble[] = [];
  destroyed = false;

  constructor(icon: unknown) {
    super('Tray');
    electronDouble.record('new Tray', [icon]);
    electronDouble.trays.push(this);
  }

  setToolTip(text: string): void {
    electronDouble.record('tray.setToolTip', [text]);
  }

  setContextMenu(menu: MenuDouble): void {
    electronDouble.record('tray.setContextMenu', []);
    this.menus.push(menu);
  }

  destroy(): void {
    electronDouble.record('tray.destroy', []);
    this.destroyed = true;
  }
}

/** A menu: the template it was built from, click handlers included. */
export class MenuDouble {
  readonly template: readonly Record<string, unknown>[];

  constructor(template: readonly Record<string, unknown>[]) {
    this.template = template;
  }

  static buildFromTemplate(template: readonly Record<string, unknown>[]): MenuDouble {
    electronDouble.record('Menu.buildFromTemplate', [template]);
    return new MenuDouble(template);
  }

  static setApplicationMenu(menu: MenuDouble | null): void {
    electronDouble.record('Menu.setApplicationMenu', [menu === null ? null : '[menu]']);
  }
}

const appDouble = strict('app', new AppDouble());

// The in-memory keyring: AES-256-GCM under a key the test passes in, so a second run of the
// bundle (same key) reads what the first one saved, and a "new keyring" (another key) cannot.
const keyringKey = Buffer.from(process.env.TESSERA_DOUBLE_KEYRING_KEY ?? randomBytes(32).toString('hex'), 'hex');

/** The keyring double's ciphertext marker, so tests can tell our encryption from plaintext. */
export const KEYRING_MAGIC = Buffer.from('tessera-double-keyring:v1:');

export const safeStorage = strict('safeStorage', {
  isEncryptionAvailable: (): boolean => {
    electronDouble.record('safeStorage.isEncryptionAvailable', []);
    return true;
  },
  getSelectedStorageBackend: (): string => {
    electronDouble.record('safeStorage.getSelectedStorageBackend', []);
    return 'gnome_libsecret';
  },
  encryptString: (plain: string): Buffer => {
    electronDouble.record('safeStorage.encryptString', []);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keyringKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([KEYRING_MAGIC, iv, cipher.getAuthTag(), body]);
  },
  decryptString: (data: Buffer): string => {
    electronDouble.record('safeStorage.decryptString', []);
    if (!data.subarray(0, KEYRING_MAGIC.length).equals(KEYRING_MAGIC)) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    const rest = data.subarray(KEYRING_MAGIC.length);
    const decipher = createDecipheriv('aes-256-gcm', keyringKey, rest.subarray(0, 12));
    decipher.setAuthTag(rest.subarray(12, 28));
    return Buffer.concat([decipher.update(rest.subarray(28)), decipher.final()]).toString('utf8');
  },
});

export const app = appDouble;

export const BrowserWindow = BrowserWindowDouble;

export const session = strict('session', {
  get defaultSession(): SessionDouble {
    return sessionFor('');
  },
  fromPartition: (partition: string): SessionDouble => {
    electronDouble.record('session.fromPartition', [partition]);
    return sessionFor(partition);
  },
});

export const ipcMain = strict(
  'ipcMain',
  Object.assign(new RecordingEmitter('ipcMain'), {
    handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown): void => {
      electronDouble.record('ipcMain.handle', [channel]);
      electronDouble.handleRegistrations.push(channel);
      // Electron throws on a second handler for one channel.
      if (electronDouble.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      electronDouble.ipcHandlers.set(channel, handler);
    },
    removeHandler: (channel: string): void => {
      electronDouble.record('ipcMain.removeHandler', [channel]);
      electronDouble.ipcHandlers.delete(channel);
    },
  }),
);

export const protocol = strict('protocol', {
  registerSchemesAsPrivileged: (schemes: unknown[]): void => electronDouble.record('protocol.registerSchemesAsPrivileged', [schemes]),
  handle: (scheme: string, handler: (request: Request) => Response | Promise<Response>): void => {
    electronDouble.record('protocol.handle', [scheme]);
    electronDouble.protocolHandlers.set(scheme, handler);
  },
  unhandle: (scheme: string): void => {
    electronDouble.record('protocol.unhandle', [scheme]);
    electronDouble.protocolHandlers.delete(scheme);
  },
});

export const shell = strict('shell', {
  openExternal: async (url: string): Promise<void> => {
    electronDouble.record('shell.openExternal', [url.split('?')[0]]);
    electronDouble.openedExternally.push(url);
  },
  openPath: async (path: string): Promise<string> => {
    electronDouble.record('shell.openPath', [path]);
    return '';
  },
});

export const Tray = TrayDouble;
export const Menu = MenuDouble;

export class Notification {
  readonly #options: { title?: string; body?: string };

  constructor(options: { title?: string; body?: string } = {}) {
    this.#options = options;
  }

  static isSupported(): boolean {
    return true;
  }

  show(): void {
    electronDouble.record('notification.show', []);
    electronDouble.notifications.push(`${this.#options.title ?? ''}\n${this.#options.body ?? ''}`);
  }
}

export class ClipboardItem {
  readonly items: Record<string, unknown>;

  constructor(items: Record<string, unknown>) {
    this.items = items;
  }
}

export const clipboard = strict('clipboard', {
  write: async (items: ClipboardItem[]): Promise<void> => {
    electronDouble.record('clipboard.write', []);
    const text = items[0]?.items['text/plain'];
    electronDouble.clipboardText = typeof text === 'string' ? text : '';
  },
  writeText: (text: string): void => {
    electronDouble.record('clipboard.writeText', []);
    electronDouble.clipboardText = text;
  },
  readText: (): string => {
    electronDouble.record('clipboard.readText', []);
    return electronDouble.clipboardText;
  },
  clear: (): void => {
    electronDouble.record('clipboard.clear', []);
    electronDouble.clipboardText = '';
  },
});

export const nativeTheme = strict('nativeTheme', Object.assign(new RecordingEmitter('nativeTheme'), { shouldUseDarkColors: false, themeSource: 'system' }));

export const dialog = strict('dialog', {
  showMessageBox: async (...args: unknown[]): Promise<{ response: number; checkboxChecked: boolean }> => {
    electronDouble.record('dialog.showMessageBox', args);
    return { response: 0, checkboxChecked: false };
  },
  showErrorBox: (title: string, content: string): void => electronDouble.record('dialog.showErrorBox', [title, content]),
});

const electron = strict('electron', {
  app,
  BrowserWindow,
  ClipboardItem,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
});

export default electron;
