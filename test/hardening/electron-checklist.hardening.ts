/**
 * The hardening table's "Electron checklist" row: the built main bundle, run against the recording
 * Electron double (test/electron-double/), fed the inputs a compromised page, a hostile provider
 * page or a second launch would produce.
 *
 * Counting: every hostile input is `tried`. A forged IPC call must come back as an answer with the
 * typed code `forbidden_sender` (`refused`). Navigations, `window.open`, webviews, permission
 * requests and certificate errors are turned down through Electron's own answers (a prevented
 * event, `{ action: 'deny' }`, `callback(false)`), which carry no error code: each is asserted, and
 * one that got through would fail the run. A driver answer that is an error, not a refusal, counts
 * as `crashed`. The copied access token and the password typed on the sign-in page are searched for
 * in every call, renderer push, notification, log line and file (`leaked`); the signed-in account
 * must survive quitting and a restart (`lost`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { API_METHODS, type AccountView } from '../../preload/contract';
import { CONTENT_SECURITY_POLICY } from '../../main/windows/renderer-serving';
import { APP_PAGE, buildMainBundle, DoubledApp, expectLockedDown, menuIds, PRE_LOCK_CONFIGURATION, until, type Snapshot } from '../electron-double/doubled-app';
import { desktopTestEnv } from '../support/desktop-launch';
import type { TestIdp, TestUser } from '../support/idp';
import { useTempDirs } from '../support/temp-dirs';
import { hardeningCase, type CaseRecorder } from './harness';

const tempDir = useTempDirs('hardening-electron');
const FORGED_SENDERS = ['https://evil.example/', 'http://127.0.0.1:1/', 'file:///tmp/index.html', 'app://tessera.evil/index.html', 'app://tessera:1/index.html', 'about:blank', 'devtools://devtools/bundled/inspector.html', 'data:text/html,x', null];
const HOSTILE_URLS = ['https://evil.example/', 'http://127.0.0.1:1/steal', 'file:///etc/passwd', 'javascript:alert(1)', 'app://tessera.evil/', 'smb://server/share', 'chrome://settings', 'data:text/html,<script>1</script>'];
const PERMISSIONS = ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'midi', 'pointerLock', 'fullscreen', 'openExternal', 'hid', 'serial', 'usb'];

let idp: TestIdp;
let user: TestUser;
let bundle = '';
let env: Record<string, string> = {};
let userData = '';
let app: DoubledApp | undefined;

beforeAll(async () => {
  bundle = await buildMainBundle('hardening');
  const { DEFAULT_USERS, startTestIdp } = await import('../support/idp');
  user = DEFAULT_USERS[0]!;
  idp = await startTestIdp();
  userData = join(tempDir(), 'user-data');
  env = { ...desktopTestEnv(idp, userData), TESSERA_DOUBLE_KEYRING_KEY: randomBytes(32).toString('hex') };
  app = await startApp();
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await idp?.stop();
});

async function startApp(extra: Record<string, string> = {}): Promise<DoubledApp> {
  const started = new DoubledApp({ ...env, ...extra });
  await started.request('load', { bundlePath: bundle });
  await started.request('ready');
  if (extra.TESSERA_DOUBLE_SECOND_INSTANCE !== '1') await until(() => started.snapshot(), (s) => s.trays.length === 1, 'the tray');
  return started;
}

function running(): DoubledApp {
  if (!app) throw new Error('the app is not running');
  return app;
}

/** Runs one driver request for a hostile input; an error answer (not a refusal) counts as crashed. */
async function attempt<T>(t: CaseRecorder, run: () => Promise<T>): Promise<T | undefined> {
  t.tried();
  try {
    return await run();
  } catch {
    t.crashed();
    return undefined;
  }
}

hardeningCase('Electron checklist', 'the single-instance lock comes first, and a second instance writes nothing', async (t) => {
  const first = await running().snapshot();
  const apis = first.calls.map((call) => call.api);
  const lock = apis.indexOf('app.requestSingleInstanceLock');
  expect(lock).toBeGreaterThanOrEqual(0);
  expect(apis.slice(0, lock).filter((api) => !PRE_LOCK_CONFIGURATION.has(api))).toEqual([]);

  const folder = join(tempDir(), 'second-instance');
  await mkdir(folder);
  t.tried();
  const second = await startApp({ TESSERA_USER_DATA_DIR: folder, TESSERA_DOUBLE_SECOND_INSTANCE: '1' });
  try {
    const state = await until(() => second.snapshot(), (s) => s.quitted || s.exitCode !== null, 'the second instance to quit');
    const touched = state.calls.filter((call) => /^(new BrowserWindow|new Tray|ipcMain\.|protocol\.handle|safeStorage\.|app\.getPath)/.test(call.api));
    const files = await readdir(folder);
    expect(touched).toEqual([]);
    expect(files).toEqual([]);
  } finally {
    await second.stop();
  }
});

hardeningCase('Electron checklist', 'every contract method refuses every forged sender with forbidden_sender', async (t) => {
  for (const sender of FORGED_SENDERS) {
    for (const method of API_METHODS) {
      const answer = await attempt(t, () => running().invoke(method, [], sender));
      const code = answer && !answer.ok ? answer.error.code : undefined;
      t.refusedWith(code === 'forbidden_sender' ? code : undefined);
      expect(code, `${method} from ${sender}`).toBe('forbidden_sender');
    }
  }
  const ours = (await running().snapshot()).handleRegistrations.filter((channel) => channel.startsWith('tessera:'));
  expect(ours).toHaveLength(API_METHODS.length);
  expect(new Set(ours).size).toBe(API_METHODS.length);
});

hardeningCase('Electron checklist', 'the app window denies hostile navigations, redirects, subframes, window.open and webviews', async (t) => {
  const main = (await running().snapshot()).windows[0]!;
  expectLockedDown(main);
  for (const url of HOSTILE_URLS) {
    for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      const answer = await attempt(t, () => running().request<{ prevented: boolean; openedExternally: string[] }>('navigate', { windowId: main.id, event, url, isMainFrame: event !== 'will-frame-navigate' }));
      expect(answer, `${event} ${url}`).toEqual({ prevented: true, openedExternally: [] });
    }
    const opened = await attempt(t, () => running().request<{ action: string; openedExternally: string[] }>('windowOpen', { windowId: main.id, url }));
    expect(opened, `window.open ${url}`).toEqual({ action: 'deny', openedExternally: [] });
  }
  const webview = await attempt(t, () => running().request('attachWebview', { windowId: main.id }));
  expect(webview).toEqual({ prevented: true });
});

hardeningCase('Electron checklist', 'every app:// answer carries the CSP, and requests outside the UI folder get nothing', async (t) => {
  for (const url of ['app://tessera/..%2f..%2fetc%2fpasswd', 'app://tessera/%2e%2e%5c%2e%2e%5cwindows%5cwin.ini', 'app://tessera/index.html%00.js', 'app://tessera/token-cache.json', 'app://evil/index.html', 'app://tessera:1/index.html']) {
    const answer = await attempt(t, () => running().request<{ status: number; headers: Record<string, string> }>('protocol', { url }));
    expect(answer?.status, url).toBeGreaterThanOrEqual(400);
    expect(answer?.headers['content-security-policy'], url).toBe(CONTENT_SECURITY_POLICY);
  }
  const page = await running().request<{ status: number; headers: Record<string, string> }>('protocol', { url: APP_PAGE });
  expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
});

hardeningCase('Electron checklist', 'a sign-in window is locked down like the app window and denies permissions and bad certificates', async (t) => {
  await running().request('signInAs', { user: { username: user.username, password: user.password }, caPem: idp.caCertPem });
  const added = await running().invoke<AccountView>('addAccount', [{ profileId: 'demo' }]);
  expect(added.ok).toBe(true);
  const state = await running().snapshot();
  const signIn = state.windows.filter((win) => win.partition !== '');
  expect(signIn.length).toBeGreaterThan(0);
  for (const win of signIn) {
    expectLockedDown(win);
    expect(win.webPreferences.preload).toBeUndefined();
    const certificate = await attempt(t, () => running().request('certificateError', { windowId: win.id }));
    expect(certificate).toEqual({ handled: true, prevented: true, trusted: false });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'app://tessera/index.html', 'http://evil.example/']) {
      const answer = await attempt(t, () => running().request('navigate', { windowId: win.id, event: 'will-navigate', url }));
      expect(answer, url).toMatchObject({ prevented: true });
    }
  }
  for (const partition of ['', ...signIn.map((win) => win.partition)]) {
    for (const permission of PERMISSIONS) {
      const answer = await attempt(t, () => running().request('permission', { partition, permission }));
      expect(answer, `${permission} in "${partition}"`).toEqual({ requested: false, checked: false, device: false });
    }
  }
});

hardeningCase('Electron checklist', 'a copied token and the typed password leak nowhere, and the account survives quit and restart', async (t) => {
  const accounts = await running().invoke<AccountView[]>('listAccounts', []);
  const account = accounts.ok ? accounts.value[0] : undefined;
  expect(account).toBeDefined();
  await running().request('clickTray', { itemId: `copy-token:${account!.id}` });
  const token = await until(() => running().request<string>('clipboardText'), (text) => text !== '', 'the copied token');
  expect((await idp.introspect(token)).active).toBe(true);

  const quit: Snapshot = await running().request<Snapshot>('quit');
  expect(quit.quitted).toBe(true);
  const needles = [token, user.password];
  t.tried(needles.length);
  const inCalls = await running().request<number[]>('search', { needles });
  const logs = running().output.join('');
  let leaks = inCalls.reduce((sum, hits) => sum + hits, 0) + needles.filter((needle) => logs.includes(needle)).length;
  for (const name of await readdir(userData)) {
    const text = await readFile(join(userData, name), 'utf8').catch(() => '');
    leaks += needles.filter((needle) => text.includes(needle)).length;
  }
  t.leaked(leaks);
  expect(leaks).toBe(0);
  await running().stop();

  t.tried();
  app = await startApp();
  const restored = await until(() => running().snapshot(), (s) => menuIds(s.trays[0]?.menu ?? []).includes(`copy-token:${account!.id}`), 'the restored account', 20_000).catch(() => undefined);
  if (!restored) t.lost();
  expect(restored).toBeDefined();
});
