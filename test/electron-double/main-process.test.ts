/**
 * The Electron main process, run for real: `vite.main.config.ts` builds the bundle that ships,
 * and a child Node process (driver.ts) loads it with `electron` resolved to our recording double
 * (electron.ts). No Electron binary is needed; the Playwright `_electron` tests in test/electron
 * stay for machines that have one.
 *
 * Checked, against behaviour rather than file layout: the single-instance lock comes first and a
 * second instance touches nothing; every window, sign-in windows included, gets the secure
 * webPreferences, and every page the app serves the one CSP; every contract method is
 * registered once and refuses a forged sender; navigation, window-open, webview, certificate and
 * permission handlers are installed and say no; the tray menu is built from the accounts (signed
 * in for real against the test provider) and copies a token the provider confirms; the token
 * bridge serves the real `tessera` command, whose prompt brings the window forward with a
 * notification and is answered through the window's API; quitting
 * saves the cache, clears the copied token, and the next start restores the account.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS, invokeChannel, type AccountView, type ActivityEntry, type BridgeStatus, type ConsentPrompt } from '../../preload/contract';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../../main/windows/renderer-serving';
import { desktopTestEnv } from '../support/desktop-launch';
import type { TestIdp, TestUser } from '../support/idp';
import { APP_PAGE, buildMainBundle, DoubledApp, expectLockedDown, holdsKeyringCiphertext, menuIds, PRE_LOCK_CONFIGURATION, until, type Snapshot } from './doubled-app';

describe('the built main process against the Electron double', () => {
  let idp: TestIdp;
  let user: TestUser;
  let temp: string;
  let userData: string;
  let env: Record<string, string>;
  let app: DoubledApp;
  let loaded: Snapshot;
  let account: AccountView;
  let copiedToken = '';
  const keyringKey = randomBytes(32).toString('hex');
  let bundle = '';

  beforeAll(async () => {
    bundle = await buildMainBundle('test');

    const { DEFAULT_USERS, startTestIdp } = await import('../support/idp');
    user = DEFAULT_USERS[0]!;
    idp = await startTestIdp();
    temp = await mkdtemp(join(tmpdir(), 'tessera-electron-double-'));
    userData = join(temp, 'user-data');
    env = { ...desktopTestEnv(idp, userData), TESSERA_DOUBLE_KEYRING_KEY: keyringKey };
    app = new DoubledApp(env);
    loaded = await app.request<Snapshot>('load', { bundlePath: bundle });
    await app.request('ready');
    await until(() => app.snapshot(), (s) => s.trays.length === 1, 'the tray');
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    await idp?.stop();
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('takes the single-instance lock before it reads app data, opens a window or registers a handler', () => {
    const apis = loaded.calls.map((call) => call.api);
    const lock = apis.indexOf('app.requestSingleInstanceLock');
    expect(lock).toBeGreaterThanOrEqual(0);
    expect(apis.slice(0, lock).filter((api) => !PRE_LOCK_CONFIGURATION.has(api))).toEqual([]);
    // The lock is scoped to the data folder, so the folder is chosen before it.
    expect(loaded.calls.slice(0, lock)).toContainEqual({ api: 'app.setPath', args: ['userData', userData] });
    expect(apis).toContain('app.enableSandbox');
    expect(loaded.ready).toBe(false);
  });

  it('as a second instance, quits and touches nothing: no window, no handler, no store, no file', async () => {
    const second = join(temp, 'second-instance');
    await mkdir(second);
    const other = new DoubledApp({ ...env, TESSERA_USER_DATA_DIR: second, TESSERA_DOUBLE_SECOND_INSTANCE: '1' });
    try {
      await other.request('load', { bundlePath: bundle });
      await other.request('ready');
      const state = await until(() => other.snapshot(), (s) => s.quitted || s.exitCode !== null, 'the second instance to quit');
      const apis = state.calls.map((call) => call.api);
      expect(apis).toContain('app.quit');
      expect(apis.filter((api) => /^(new BrowserWindow|new Tray|ipcMain\.|protocol\.handle|safeStorage\.|app\.getPath)/.test(api))).toEqual([]);
      expect(await readdir(second)).toEqual([]);
    } finally {
      await other.stop();
    }
  });

  it('opens the main window on app:// with the secure webPreferences and the preload', async () => {
    const state = await app.snapshot();
    const main = state.windows[0];
    expect(main).toBeDefined();
    expectLockedDown(main!);
    expect(main!.webPreferences.preload).toMatch(/preload[\\/]index\.cjs$/);
    expect(main!.partition).toBe('');
    expect(main!.url).toBe(APP_PAGE);
    expect(state.protocols).toEqual(['app']);
  });

  it('serves every app:// answer with the one CSP and header set that browser mode sends', async () => {
    const expected = Object.fromEntries(Object.entries(SECURITY_HEADERS).map(([name, value]) => [name.toLowerCase(), value]));
    for (const [url, status] of [
      [APP_PAGE, 200],
      ['app://tessera/assets/app-1.js', 200],
      ['app://tessera/..%2f..%2fetc%2fpasswd', 404],
      ['app://tessera/token-cache.json', 404],
      ['app://evil/index.html', 403],
    ] as const) {
      const answer = await app.request<{ status: number; headers: Record<string, string>; body: string }>('protocol', { url });
      expect(answer.status, url).toBe(status);
      expect(answer.headers['content-security-policy'], url).toBe(CONTENT_SECURITY_POLICY);
      expect(answer.headers, url).toMatchObject(expected);
    }
    const page = await app.request<{ headers: Record<string, string>; body: string }>('protocol', { url: APP_PAGE });
    expect(page.body).toContain('<title>Tessera</title>');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await app.request<{ status: number }>('protocol', { url: APP_PAGE, method: 'POST' })).status).toBe(405);
  });

  it('registers every contract method exactly once, and each refuses a forged sender', async () => {
    const state = await app.snapshot();
    const contract = API_METHODS.map((method) => invokeChannel(method));
    const ours = state.handleRegistrations.filter((channel) => channel.startsWith('tessera:'));
    expect([...ours].sort()).toEqual([...contract].sort());
    expect(new Set(ours).size).toBe(ours.length);

    expect(await app.invoke('getAppInfo', [])).toMatchObject({ ok: true, value: { mode: 'electron' } });
    for (const sender of ['https://evil.example/', 'file:///tmp/index.html', 'app://tessera.evil/index.html', 'about:blank', null]) {
      for (const method of API_METHODS) {
        const answer = await app.invoke(method, [], sender);
        expect(answer, `${method} from ${sender}`).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
      }
    }
  });

  it('keeps the app window on its page: navigation, redirects, window.open and webviews are refused', async () => {
    const main = (await app.snapshot()).windows[0]!;
    expect(main.hasWindowOpenHandler).toBe(true);
    expect(main.contentsEvents).toEqual(expect.arrayContaining(['will-navigate', 'will-redirect', 'will-attach-webview', 'will-frame-navigate']));
    expect(await app.request('navigate', { windowId: main.id, event: 'will-navigate', url: 'https://evil.example/' })).toEqual({ prevented: true, openedExternally: [] });
    expect(await app.request('navigate', { windowId: main.id, event: 'will-redirect', url: 'https://evil.example/' })).toMatchObject({ prevented: true });
    expect(await app.request('navigate', { windowId: main.id, event: 'will-frame-navigate', url: 'https://evil.example/', isMainFrame: false })).toMatchObject({ prevented: true });
    // An allow-listed help link opens in the user's browser instead.
    expect(await app.request('navigate', { windowId: main.id, event: 'will-navigate', url: 'https://learn.microsoft.com/entra/' })).toEqual({
      prevented: true,
      openedExternally: ['https://learn.microsoft.com/entra/'],
    });
    expect(await app.request('windowOpen', { windowId: main.id, url: 'https://evil.example/' })).toEqual({ action: 'deny', openedExternally: [] });
    expect(await app.request('windowOpen', { windowId: main.id, url: 'file:///etc/passwd' })).toEqual({ action: 'deny', openedExternally: [] });
    expect(await app.request('attachWebview', { windowId: main.id })).toEqual({ prevented: true });
  });

  it('denies every permission the app session is asked for', async () => {
    const state = await app.snapshot();
    expect(state.sessions.find((ses) => ses.partition === '')).toEqual({ partition: '', permissionRequestHandler: true, permissionCheckHandler: true, devicePermissionHandler: true });
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid']) {
      expect(await app.request('permission', { partition: '', permission }), permission).toEqual({ requested: false, checked: false, device: false });
    }
  });

  it('signs in through an embedded window that is as locked down, in a partition of its own', async () => {
    await app.request('signInAs', { user: { username: user.username, password: user.password }, caPem: idp.caCertPem });
    const added = await app.invoke<AccountView>('addAccount', [{ profileId: 'demo' }]);
    expect(added).toMatchObject({ ok: true, value: { username: user.username } });
    if (!added.ok) return;
    account = added.value;

    const state = await app.snapshot();
    const signIn = state.windows.filter((win) => win.partition !== '');
    expect(signIn).toHaveLength(1);
    const win = signIn[0]!;
    expectLockedDown(win);
    expect(win.webPreferences.preload).toBeUndefined();
    expect(win.destroyed).toBe(true);
    // Its own session: every permission denied there too, certificate errors refused.
    expect(state.sessions.find((ses) => ses.partition === win.partition)).toMatchObject({ permissionRequestHandler: true, permissionCheckHandler: true, devicePermissionHandler: true });
    expect(await app.request('permission', { partition: win.partition, permission: 'media' })).toEqual({ requested: false, checked: false, device: false });
    expect(await app.request('certificateError', { windowId: win.id })).toEqual({ handled: true, prevented: true, trusted: false });
    expect(await app.request('windowOpen', { windowId: win.id, url: 'https://evil.example/' })).toMatchObject({ action: 'deny' });
    // Provider pages may move on over https, never to a local file or another scheme.
    expect(await app.request('navigate', { windowId: win.id, event: 'will-navigate', url: 'https://login.example/next' })).toMatchObject({ prevented: false });
    expect(await app.request('navigate', { windowId: win.id, event: 'will-navigate', url: 'file:///etc/passwd' })).toMatchObject({ prevented: true });
  });

  it('closing a sign-in window cancels that sign-in', async () => {
    await app.request('signInAs', { user: { username: user.username, password: 'not-the-password' }, caPem: idp.caCertPem });
    const before = (await app.snapshot()).windows.length;
    const adding = app.invoke<AccountView>('addAccount', [{ profileId: 'demo' }]);
    const state = await until(() => app.snapshot(), (s) => s.windows.length > before, 'the sign-in window');
    const win = state.windows.at(-1)!;
    expectLockedDown(win);
    await app.request('closeWindow', { windowId: win.id });
    expect(await adding).toMatchObject({ ok: false, error: { code: 'user_cancelled' } });
  });

  it('builds the tray menu from the accounts, and its copy item copies a token the provider accepts', async () => {
    const state = await until(() => app.snapshot(), (s) => menuIds(s.trays[0]?.menu ?? []).includes(`copy-token:${account.id}`), 'the account in the tray');
    const menu = state.trays[0]!.menu;
    expect(JSON.stringify(menu)).toContain(user.username);
    expect(menuIds(menu)).toEqual(expect.arrayContaining(['open', 'quit']));
    await app.request('clickTray', { itemId: `copy-token:${account.id}` });
    const copied = await until(() => app.request<string>('clipboardText'), (text) => text !== '', 'the copied token');
    // Checked through introspection only: the token never appears in test output.
    expect((await idp.introspect(copied)).active).toBe(true);
    copiedToken = copied;
  });

  it('serves the tessera command: its prompt brings the window forward with a notification, and the window answers it', async () => {
    const status = await app.invoke<BridgeStatus>('getBridgeStatus', []);
    expect(status).toMatchObject({ ok: true, value: { running: true, endpoint: expect.stringContaining(userData) } });
    const socket = status.ok ? (status.value.endpoint ?? '') : '';
    // The person closed the window; the app lives on in the tray.
    const before = await app.snapshot();
    for (const win of before.windows.filter((view) => !view.destroyed && view.partition === '')) await app.request('closeWindow', { windowId: win.id });

    // The real command in a real terminal (util-linux `script` gives it a pseudo-terminal).
    const bin = join(resolve(import.meta.dirname, '..', '..'), 'cli', 'tessera.cjs');
    const child = spawn('script', ['-q', '-e', '-c', `${process.execPath} ${bin} token --format raw`, '/dev/null'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TESSERA_SOCKET: socket },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number>((done) => child.on('close', (code) => done(code ?? -1)));

    const waiting = await until(() => app.invoke<ConsentPrompt[]>('listConsentPrompts', []), (answer) => answer.ok && answer.value.length === 1, 'the prompt');
    const prompt = waiting.ok ? waiting.value[0]! : undefined;
    expect(prompt).toMatchObject({ username: user.username, hasTerminal: true, caller: { integration: 'cli' } });
    const shown = await until(() => app.snapshot(), (s) => s.windows.some((view) => !view.destroyed && view.visible && view.partition === ''), 'the window brought forward');
    expectLockedDown(shown.windows.find((view) => !view.destroyed && view.partition === '')!);
    expect(await app.request<string[]>('notifications')).toContainEqual(expect.stringContaining(`asks for a token for ${user.username}. Answer in the Tessera window.`));
    // The window heard of it as an app event.
    expect((await app.request<string[]>('pushes')).some((payload) => payload.includes('"consent-requested"') && payload.includes(prompt!.id))).toBe(true);

    expect(await app.invoke('answerConsent', [prompt!.id, 'once'])).toMatchObject({ ok: true });
    expect(await exited).toBe(0);
    const token = output.replace(/\r/g, '').trim().split('\n').at(-1) ?? '';
    // Checked through introspection only: the token never appears in test output.
    expect((await idp.introspect(token)).active).toBe(true);
    const activity = await app.invoke<ActivityEntry[]>('listActivity', []);
    expect(activity).toMatchObject({ ok: true, value: [expect.objectContaining({ outcome: 'handed-out', basis: 'once', username: user.username })] });
    // The token went over the socket only: no Electron call, push or notification holds it.
    expect(await app.request('search', { needles: [token] })).toEqual([0]);
  });

  it('on quit: the cache is saved encrypted, the copied token cleared, and the next start restores the account', async () => {
    const state = await app.request<Snapshot>('quit');
    expect(state.quitted).toBe(true);
    expect(state.trays[0]?.destroyed).toBe(true);
    expect(await app.request('clipboardText')).toBe('');
    expect(state.ipcChannels.filter((channel) => channel.startsWith('tessera:'))).toEqual([]);
    // The saved cache is the keyring's ciphertext, never the tokens themselves.
    const files = await readdir(userData);
    const cacheFile = files.find((name) => name.startsWith('token-cache'));
    expect(cacheFile).toBeDefined();
    const saved = await readFile(join(userData, cacheFile!), 'utf8');
    expect(saved.includes(copiedToken)).toBe(false);
    expect(saved).not.toMatch(/RefreshToken|AccessToken|"secret"/);
    expect(holdsKeyringCiphertext(JSON.parse(saved))).toBe(true);
    // Neither the token nor the password reached a call, a push, a notification, a log line or a file.
    expect(await app.request('search', { needles: [copiedToken, user.password] })).toEqual([0, 0]);
    const logs = app.output.join('');
    expect([logs.includes(copiedToken), logs.includes(user.password)]).toEqual([false, false]);
    for (const name of files) {
      const text = await readFile(join(userData, name), 'utf8').catch(() => '');
      expect([name, text.includes(copiedToken), text.includes(user.password)]).toEqual([name, false, false]);
    }
    await app.stop();

    app = new DoubledApp(env);
    await app.request('load', { bundlePath: bundle });
    await app.request('ready');
    const restarted = await until(() => app.snapshot(), (s) => menuIds(s.trays[0]?.menu ?? []).includes(`copy-token:${account.id}`), 'the restored account in the tray');
    expect(JSON.stringify(restarted.trays[0]?.menu)).toContain(user.username);
    const accounts = await app.invoke<AccountView[]>('listAccounts', []);
    expect(accounts).toMatchObject({ ok: true });
    if (accounts.ok) expect(accounts.value.map((view) => view.username)).toEqual([user.username]);
    // Restored from the saved cache: the account has a token without a new sign-in.
    await app.request('clickTray', { itemId: `copy-token:${account.id}` });
    const copied = await until(() => app.request<string>('clipboardText'), (text) => text !== '', 'a token after the restart');
    expect((await idp.introspect(copied)).active).toBe(true);
    expect((await app.snapshot()).windows.filter((win) => win.partition !== '')).toEqual([]);
  });
});
