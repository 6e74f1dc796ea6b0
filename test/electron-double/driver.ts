/**
 * Child process that runs the built main bundle against the Electron double and lets the test
 * drive it over the fork IPC channel (one request, one answer, each with an id).
 *
 * Started by `main-process.test.ts` with `node --import tsx`. Registers the module hook first,
 * so the bundle's `import 'electron'` (and electron-store's) gets the double, then waits for
 * requests: load the bundle, make the app ready, call an IPC handler as some sender, fire
 * navigation and permission requests, click the tray, quit. Answers are JSON; the only secret
 * that ever crosses is the clipboard's text, which the test checks without printing.
 */
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createPageLoader, type PageUser } from './page-loader';

register(new URL('./resolve-electron.mjs', import.meta.url), { data: { doubleUrl: new URL('./electron.ts', import.meta.url).href } });
const double = await import('./electron');
const { electronDouble } = double;

/** A menu item as the test sees it: no functions. */
interface MenuItemView {
  readonly id?: string;
  readonly label?: string;
  readonly type?: string;
  readonly enabled?: boolean;
  readonly submenu?: readonly MenuItemView[];
}

function menuView(items: readonly Record<string, unknown>[]): MenuItemView[] {
  return items.map((item) => ({
    ...(typeof item.id === 'string' ? { id: item.id } : {}),
    ...(typeof item.label === 'string' ? { label: item.label } : {}),
    ...(typeof item.type === 'string' ? { type: item.type } : {}),
    ...(typeof item.enabled === 'boolean' ? { enabled: item.enabled } : {}),
    ...(Array.isArray(item.submenu) ? { submenu: menuView(item.submenu as Record<string, unknown>[]) } : {}),
  }));
}

function findItem(items: readonly Record<string, unknown>[], id: string): Record<string, unknown> | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    if (Array.isArray(item.submenu)) {
      const found = findItem(item.submenu as Record<string, unknown>[], id);
      if (found) return found;
    }
  }
  return undefined;
}

function windowById(id: number): InstanceType<typeof double.BrowserWindowDouble> {
  const win = electronDouble.windows.find((candidate) => candidate.id === id);
  if (!win) throw new Error(`no window ${id}`);
  return win;
}

function sessionByPartition(partition: string): InstanceType<typeof double.SessionDouble> {
  const ses = electronDouble.sessions.get(partition);
  if (!ses) throw new Error(`no session "${partition}"`);
  return ses;
}

/** The state the test asserts on. */
function snapshot(): unknown {
  return {
    calls: electronDouble.calls,
    ready: electronDouble.ready,
    quitted: electronDouble.quitted,
    exitCode: electronDouble.exitCode ?? null,
    handleRegistrations: electronDouble.handleRegistrations,
    ipcChannels: [...electronDouble.ipcHandlers.keys()],
    protocols: [...electronDouble.protocolHandlers.keys()],
    openedExternally: electronDouble.openedExternally.map((url) => url.split('?')[0]),
    windows: electronDouble.windows.map((win) => ({
      id: win.id,
      title: win.title,
      webPreferences: summarizePreferences(win.options.webPreferences),
      partition: win.webContents.session.partition,
      url: win.webContents.url.split('?')[0],
      destroyed: win.destroyed,
      visible: win.visible,
      contentsEvents: win.webContents.eventNames().map(String),
      windowEvents: win.eventNames().map(String),
      hasWindowOpenHandler: win.webContents.windowOpenHandler !== null,
    })),
    sessions: [...electronDouble.sessions.values()].map((ses) => ({
      partition: ses.partition,
      permissionRequestHandler: ses.permissionRequestHandler !== null,
      permissionCheckHandler: ses.permissionCheckHandler !== null,
      devicePermissionHandler: ses.devicePermissionHandler !== null,
    })),
    trays: electronDouble.trays.map((tray) => ({ destroyed: tray.destroyed, menu: menuView(tray.menus.at(-1)?.template ?? []) })),
    appEvents: double.app.eventNames().map(String),
  };
}

function summarizePreferences(value: unknown): Record<string, unknown> {
  const prefs = (value ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(prefs).map(([key, item]) => [key, item instanceof double.SessionDouble ? `[session ${item.partition}]` : typeof item === 'function' ? '[function]' : item]),
  );
}

type Request = { readonly id: number; readonly op: string; readonly [key: string]: unknown };

const operations: Record<string, (request: Request) => unknown> = {
  load: async ({ bundlePath }) => {
    await import(pathToFileURL(String(bundlePath)).href);
    return snapshot();
  },
  ready: () => double.emitReady(),
  snapshot: () => snapshot(),
  signInAs: ({ user, caPem }) => {
    electronDouble.pageLoader = createPageLoader({ user: user as PageUser, caPem: String(caPem) });
  },
  invoke: async ({ channel, senderUrl, args }) => {
    const handler = electronDouble.ipcHandlers.get(String(channel));
    if (!handler) throw new Error(`no handler for ${String(channel)}`);
    const senderFrame = senderUrl === null ? null : { url: String(senderUrl), isDestroyed: () => false };
    return handler({ senderFrame, sender: electronDouble.windows[0]?.webContents }, ...((args as unknown[]) ?? []));
  },
  protocol: async ({ url, method }) => {
    const scheme = new URL(String(url)).protocol.replace(/:$/, '');
    const handler = electronDouble.protocolHandlers.get(scheme);
    if (!handler) throw new Error(`no protocol handler for ${scheme}`);
    const response = await handler(new Request(String(url), { method: String(method ?? 'GET') }));
    return { status: response.status, headers: Object.fromEntries(response.headers), body: (await response.text()).slice(0, 200) };
  },
  navigate: ({ windowId, event, url, isMainFrame }) => {
    const contents = windowById(Number(windowId)).webContents;
    const before = electronDouble.openedExternally.length;
    const navigation = double.makeEvent({ url: String(url), isMainFrame: isMainFrame !== false });
    contents.emit(String(event), navigation);
    return { prevented: navigation.defaultPrevented, openedExternally: electronDouble.openedExternally.slice(before).map((item) => item.split('?')[0]) };
  },
  windowOpen: ({ windowId, url }) => {
    const contents = windowById(Number(windowId)).webContents;
    const before = electronDouble.openedExternally.length;
    const answer = contents.windowOpenHandler?.({ url: String(url) });
    return { action: answer?.action ?? 'no handler', openedExternally: electronDouble.openedExternally.slice(before).map((item) => item.split('?')[0]) };
  },
  attachWebview: ({ windowId }) => {
    const event = double.makeEvent();
    windowById(Number(windowId)).webContents.emit('will-attach-webview', event, {}, {});
    return { prevented: event.defaultPrevented };
  },
  certificateError: ({ windowId }) =>
    new Promise((resolve) => {
      const event = double.makeEvent();
      const contents = windowById(Number(windowId)).webContents;
      if (contents.listenerCount('certificate-error') === 0) return resolve({ handled: false });
      contents.emit('certificate-error', event, 'https://login.example/', 'net::ERR_CERT_AUTHORITY_INVALID', {}, (trusted: boolean) =>
        resolve({ handled: true, prevented: event.defaultPrevented, trusted }),
      );
    }),
  permission: async ({ partition, permission }) => {
    const ses = sessionByPartition(String(partition));
    const requested = await new Promise<boolean | 'no handler'>((resolve) => {
      if (!ses.permissionRequestHandler) return resolve('no handler');
      ses.permissionRequestHandler({}, String(permission), resolve, { requestingUrl: 'https://evil.example/' });
    });
    const checked = ses.permissionCheckHandler ? ses.permissionCheckHandler({}, String(permission), 'https://evil.example', {}) : 'no handler';
    const device = ses.devicePermissionHandler ? ses.devicePermissionHandler({ deviceType: 'hid', origin: 'https://evil.example' }) : 'no handler';
    return { requested, checked, device };
  },
  closeWindow: ({ windowId }) => {
    windowById(Number(windowId)).close();
  },
  secondInstance: () => {
    double.app.emit('second-instance', double.makeEvent(), [], process.cwd(), {});
  },
  clickTray: async ({ itemId }) => {
    const tray = electronDouble.trays.at(-1);
    const item = findItem(tray?.menus.at(-1)?.template ?? [], String(itemId));
    if (typeof item?.click !== 'function') throw new Error(`no clickable tray item ${String(itemId)}`);
    await (item.click as () => unknown)();
  },
  clipboardText: () => electronDouble.clipboardText,
  notifications: () => electronDouble.notifications,
  /** The pushes sent to windows (app events), parsed. */
  pushes: () => electronDouble.sentPayloads,
  /** How often each needle (a secret) occurs in what the app told the outside: calls, pushes, notifications. */
  search: ({ needles }) => {
    const haystacks = [JSON.stringify(electronDouble.calls), ...electronDouble.sentPayloads, ...electronDouble.notifications, JSON.stringify(snapshot())];
    return (needles as string[]).map((needle) => haystacks.reduce((hits, text) => hits + text.split(needle).length - 1, 0));
  },
  quit: async () => {
    double.app.quit();
    const deadline = Date.now() + 20_000;
    while (!electronDouble.quitted && electronDouble.exitCode === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    return snapshot();
  },
};

process.on('message', (message: Request) => {
  void (async () => {
    try {
      const operation = operations[message.op];
      if (!operation) throw new Error(`unknown operation ${message.op}`);
      const result = await operation(message);
      process.send?.({ id: message.id, ok: true, result: result ?? null });
    } catch (error) {
      process.send?.({ id: message.id, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  })();
});
process.send?.({ id: 0, ok: true, result: 'started' });
