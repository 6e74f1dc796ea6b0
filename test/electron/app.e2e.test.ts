/**
 * End-to-end tests of the Electron app with Playwright's `_electron.launch`: sign in through the
 * embedded window against the test identity provider, copy a token from the tray through its test
 * hook, and check the clipboard in main.
 *
 * They need the Electron binary. Where it is not installed (its download is impossible here),
 * they skip with one line saying so: skipped, never passed. Linux CI runs them under `xvfb-run`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_METHODS, type AccountView, type Result } from '../../preload/contract';
import type { TestIdp, TestUser } from '../support/idp';
import { buildAppCopy, REPO_ROOT } from '../build/app-copy';
import { requirement, requires } from '../support/requires';

/**
 * The Electron executable, found without `require('electron')`: that module tries to download the
 * binary when it is missing.
 */
function electronBinary(): string | undefined {
  const packageDir = join(REPO_ROOT, 'node_modules', 'electron');
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const relativePath = readFileSync(pathFile, 'utf8').trim();
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist');
  const binary = join(distDir, relativePath);
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
const needs = requires(requirement(binary !== undefined, 'the Electron binary is not installed (node_modules/electron/dist missing; its download is impossible here)'));

needs.describe('Tessera in Electron', () => {
  let temp: string;
  let idp: TestIdp;
  let app: ElectronApplication;
  let window: Page;
  let user: TestUser;

  beforeAll(async () => {
    // Imported here so a skipped run loads nothing but this file.
    const { DEFAULT_USERS, startTestIdp } = await import('../support/idp');
    const { desktopTestEnv } = await import('../support/desktop-launch');
    user = DEFAULT_USERS[0]!;
    temp = mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
    idp = await startTestIdp();
    const appDir = await buildAppCopy(temp);
    app = await _electron.launch({
      executablePath: binary,
      args: [appDir, ...(process.platform === 'linux' ? ['--password-store=basic'] : [])],
      env: {
        ...process.env,
        TESSERA_TEST_HOOKS: '1',
        ...desktopTestEnv(idp, join(temp, 'user-data')),
      },
    });
    window = await app.firstWindow();
    await window.waitForFunction(() => 'api' in window);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('exposes exactly one function per operation plus onEvent, and no ipcRenderer', async () => {
    const keys = await window.evaluate(() => Object.keys((window as unknown as { api: object }).api).sort());
    expect(keys).toEqual([...API_METHODS, 'onEvent'].sort());
    expect(await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
  });

  it('signs in through the embedded window and copies a token from the tray', async () => {
    const adding = window.evaluate(() =>
      (window as unknown as { api: { addAccount(request: { profileId: string }): Promise<unknown> } }).api.addAccount({ profileId: 'demo' }),
    );
    const signIn = await app.waitForEvent('window');
    await signIn.locator('#login').fill(user.username);
    await signIn.locator('#password').fill(user.password);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    const added = (await adding) as Result<AccountView>;
    expect(added.ok).toBe(true);
    if (!added.ok) return;
    expect(added.value.username).toBe(user.username);

    const itemId = `copy-token:${added.value.id}`;
    await app.evaluate(async (_electron, id) => {
      const hooks = globalThis.__tesseraTestHooks;
      if (!hooks) throw new Error('test hooks are not installed');
      await hooks.clickTrayItem(id);
    }, itemId);
    const copied = await app.evaluate(({ clipboard }) => clipboard.readText());
    // Compare through introspection only: the token itself never appears in test output.
    const introspection = await idp.introspect(copied);
    expect(introspection.active).toBe(true);
  });
});
