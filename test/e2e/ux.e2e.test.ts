/**
 * The account manager's day-to-day UX, end to end (issue 9): the real browser-mode host and app
 * core, the real test identity provider, Debian Chromium. Copies land in a `RecordingClipboard`
 * (the core's clipboard option, never reachable over HTTP) so they can be read back and checked
 * with the provider's introspection.
 *
 * Access tokens here live an hour, so a second use of a token is a cache hit: that is what makes
 * "the error badge clears after the next success" a real check of the cache-hit path.
 */
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserMode } from '../../main/browser-host/browser-mode';
import type { RecordingClipboard } from '../../main/clipboard/clipboard';
import { chromiumInstalled, type BrowserUser } from '../support/browser';
import { DEMO_API, PUBLIC_CLIENT_ID, type TestIdp } from '../support/idp';
import { seriousAxeViolations } from '../support/page-checks';
import { requires } from '../support/requires';
import { DEMO_USER, finishSignIn, screenshot as saveScreenshot, SCREENSHOTS, startRunningApp, type RunningApp } from '../support/running-app';

const ALICE: BrowserUser = DEMO_USER;

requires(chromiumInstalled()).describe('everyday UX in Chromium (browser mode, demo provider)', () => {
  let app: RunningApp;
  let idp: TestIdp;
  let mode: BrowserMode;
  let clipboard: RecordingClipboard;
  let page: Page;
  const apiCalls: string[] = [];
  // What the "Sign-in finished" page looked like, captured while the sign-in ran.
  let finishedPage: { borderRadius: string; display: string; errors: string[] } | undefined;
  const authorizeUrls: string[] = [];

  const row = (username: string): Locator => page.getByRole('group', { name: `Account ${username}` });
  const statusOf = (username: string): Locator => row(username).getByTestId('account-status');
  const calls = (method: string): number => apiCalls.filter((path) => path === `/api/${method}`).length;

  async function openSignInPage(url: string, context: BrowserContext): Promise<void> {
    authorizeUrls.push(url);
    const signInPage = await context.newPage();
    const errors: string[] = [];
    signInPage.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await signInPage.goto(url);
    void (async () => {
      await finishSignIn(signInPage, ALICE);
      const style = await signInPage.evaluate(() => {
        const main = document.querySelector('main');
        return main ? { borderRadius: getComputedStyle(main).borderRadius, display: getComputedStyle(document.body).display } : { borderRadius: '', display: '' };
      });
      await signInPage.setViewportSize({ width: 700, height: 420 });
      await signInPage.screenshot({ path: join(SCREENSHOTS, 'sign-in-finished.png') });
      finishedPage = { ...style, errors };
      await signInPage.close();
    })().catch(() => undefined);
  }

  const screenshot = (name: string): Promise<void> => saveScreenshot(page, name);

  /** Where keyboard focus is: inside the open dialog, on the body, or elsewhere. */
  async function focusPlace(): Promise<{ where: 'dialog' | 'body' | 'outside'; tag: string; label: string }> {
    return page.evaluate(() => {
      const active = document.activeElement;
      const dialogs = [...document.querySelectorAll('[role="dialog"]')];
      const dialog = dialogs[dialogs.length - 1];
      const where = !active || active === document.body ? 'body' : dialog?.contains(active) ? 'dialog' : 'outside';
      const labels = active instanceof HTMLInputElement || active instanceof HTMLSelectElement || active instanceof HTMLTextAreaElement ? active.labels : null;
      const label = active instanceof HTMLElement ? (active.getAttribute('aria-label') ?? labels?.[0]?.textContent ?? active.textContent ?? '') : '';
      return { where, tag: active?.tagName.toLowerCase() ?? '', label: label.trim() };
    });
  }

  /**
   * The checks every dialog must pass: focus starts on its first field (or its first control when
   * it has none), Tab and Shift+Tab stay inside, axe finds nothing serious, Escape closes it.
   */
  async function checkDialog(name: string, firstField: string | ReturnType<typeof expect.stringContaining>, options: { screenshot?: string } = {}): Promise<void> {
    const dialog = page.getByRole('dialog', { name });
    await dialog.waitFor();
    await expect.poll(focusPlace).toMatchObject({ where: 'dialog', label: firstField });
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      expect((await focusPlace()).where, `${name}: focus after ${key}`).toBe('dialog');
    }
    expect((await seriousAxeViolations(page)).join('\n'), name).toBe('');
    if (options.screenshot) await screenshot(options.screenshot);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
  }

  beforeAll(async () => {
    app = await startRunningApp({ name: 'ux', openSignInPage });
    ({ idp, mode, clipboard } = app);
    page = await app.openAppPage((opening) => {
      opening.on('request', (request) => {
        const url = new URL(request.url());
        if (url.origin === mode.host.origin) apiCalls.push(url.pathname);
      });
    });
  }, 120_000);

  afterAll(() => app?.close());

  it('serves a favicon instead of a 404', async () => {
    await page.getByRole('button', { name: 'Add your first account' }).waitFor();
    const response = await app.context.request.get(`${mode.host.origin}/favicon.ico`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('image/x-icon');
    expect([...(await response.body()).subarray(0, 4)]).toEqual([0, 0, 1, 0]);
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('./favicon.ico');
    expect(app.pageErrors).toEqual([]);
  });

  it('signs in through the provider and ends on a styled "Sign-in finished" page', async () => {
    await page.getByRole('button', { name: 'Add account', exact: true }).click();
    // The profiles are a radio group: the checked one takes focus.
    await checkDialog('Add account', expect.stringContaining('Local demo provider'));
    await page.getByRole('button', { name: 'Add account', exact: true }).click();
    await page.getByRole('dialog', { name: 'Add account' }).getByRole('button', { name: 'Sign in' }).click();
    await row(ALICE.username).waitFor({ timeout: 45_000 });
    await expect.poll(() => statusOf(ALICE.username).textContent()).toMatch(/^valid /);
    await expect.poll(() => finishedPage, { timeout: 15_000 }).toBeDefined();
    // The page's stylesheet applied (its CSP allows exactly that one by hash) and nothing was refused.
    expect(finishedPage).toEqual({ borderRadius: '10px', display: 'grid', errors: [] });
  });

  it('says on the main button which format it copies, and copies that format', async () => {
    const copy = row(ALICE.username).locator('.copy-button');
    const nameOf = (): Promise<string> => copy.evaluate((button) => (button.textContent ?? '').replace(/\s+/g, ' ').trim());
    expect(await nameOf()).toBe(`Copy token raw for ${ALICE.username}`);
    expect(await copy.locator('.format-tag').isVisible()).toBe(true);
    expect(await copy.locator('.format-tag').innerText()).toBe('raw');
    await copy.click();
    await page.getByTestId('toast').filter({ hasText: 'Access token copied' }).waitFor();
    const raw = await clipboard.readText();
    expect((await idp.introspect(raw)).active).toBe(true);

    await page.getByRole('button', { name: `Copy options for ${ALICE.username}` }).click();
    const options = page.getByRole('dialog', { name: `Copy token for ${ALICE.username}` });
    await expect.poll(focusPlace).toMatchObject({ where: 'dialog', tag: 'input', label: 'Scopes' });
    expect((await seriousAxeViolations(page)).join('\n')).toBe('');
    await options.getByLabel('Authorization: Bearer … header').check();
    await options.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect.poll(() => options.count()).toBe(0);
    await expect.poll(nameOf).toBe(`Copy token header for ${ALICE.username}`);
    await page.getByRole('button', { name: `Copy token header for ${ALICE.username}` }).waitFor();
    expect(await copy.locator('.format-tag').innerText()).toBe('header');
    await clipboard.writeSecret('');
    await copy.click();
    await expect.poll(() => clipboard.readText()).toMatch(/^Authorization: Bearer eyJ/);
    expect((await idp.introspect((await clipboard.readText()).slice('Authorization: Bearer '.length))).active).toBe(true);

    // Back to raw for the rest.
    await page.getByRole('button', { name: `Copy options for ${ALICE.username}` }).click();
    await options.getByLabel('Raw token').check();
    await page.keyboard.press('Escape');
    await expect.poll(nameOf).toBe(`Copy token raw for ${ALICE.username}`);
  });

  it('hides a revealed token without asking for it again, keeping focus in the panel', async () => {
    await page.getByRole('button', { name: `Token details for ${ALICE.username}` }).click();
    const panel = page.getByRole('dialog', { name: `Token for ${ALICE.username}` });
    await expect.poll(focusPlace).toMatchObject({ where: 'dialog', tag: 'input', label: 'Scopes' });
    await panel.getByRole('button', { name: 'Reveal token' }).focus();
    const before = calls('revealToken');
    await page.keyboard.press('Enter');
    await expect.poll(() => panel.getByTestId('revealed-token').inputValue()).toMatch(/^eyJ/);
    // The Reveal button was disabled while it ran; focus did not fall to the page body.
    expect((await focusPlace()).where).toBe('dialog');
    expect((await seriousAxeViolations(page)).join('\n')).toBe('');
    expect(calls('revealToken')).toBe(before + 1);

    await panel.getByRole('button', { name: 'Hide token' }).click();
    await panel.getByTestId('masked-token').waitFor();
    // Long enough for a stray second reveal to arrive.
    await page.waitForTimeout(750);
    expect(await panel.getByTestId('revealed-token').count()).toBe(0);
    expect(calls('revealToken')).toBe(before + 1);
    expect(await focusPlace()).toMatchObject({ where: 'dialog', label: 'Reveal token' });
    await page.keyboard.press('Escape');
    await expect.poll(() => panel.count()).toBe(0);
    await page.getByRole('button', { name: `Token details for ${ALICE.username}` }).click();
    await checkDialog(`Token for ${ALICE.username}`, 'Scopes');
  });

  it('keeps focus in the dialog when a copy fails, shows the error badge, and clears it after the next success', async () => {
    await page.getByRole('button', { name: `Copy options for ${ALICE.username}` }).click();
    const options = page.getByRole('dialog', { name: `Copy token for ${ALICE.username}` });
    // The refresh token was not granted this scope: the provider answers invalid_scope.
    await options.getByLabel('Scopes').fill(`${DEMO_API}/write`);
    await options.getByRole('button', { name: 'Copy', exact: true }).focus();
    await page.keyboard.press('Enter');
    // The error is in the dialog, next to the field it is about, in words about scopes.
    const error = options.getByTestId('copy-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('this account has not consented to these scopes yet');
    expect(await options.getByLabel('Scopes').getAttribute('aria-invalid')).toBe('true');
    expect((await options.getByLabel('Scopes').getAttribute('aria-describedby'))?.split(' ')).toContain(await error.getAttribute('id'));
    expect(await options.count()).toBe(1);
    expect((await focusPlace()).where).toBe('dialog');
    expect((await seriousAxeViolations(page)).join('\n')).toBe('');
    await page.keyboard.press('Escape');
    await expect.poll(() => options.count()).toBe(0);
    const badge = row(ALICE.username).getByTestId('account-error');
    await expect.poll(() => badge.textContent()).toBe('last try failed: invalid_scope');

    // The default scopes' token is still cached (it lives an hour): a cache hit clears the badge.
    const tokenRequests = idp.requestCount('/token');
    await page.getByRole('button', { name: `Copy token raw for ${ALICE.username}` }).click();
    await expect.poll(() => badge.count()).toBe(0);
    expect(idp.requestCount('/token')).toBe(tokenRequests);
  });

  it('says what "Refresh now" did', async () => {
    const tokenRequests = idp.requestCount('/token');
    await page.getByRole('button', { name: `Refresh now ${ALICE.username}` }).click();
    await page.getByTestId('toast').filter({ hasText: new RegExp(`^Refreshed ${ALICE.username.replace('.', '\\.')}: valid (59 min|1 h)\\.`) }).waitFor();
    expect(idp.requestCount('/token')).toBeGreaterThan(tokenRequests);
  });

  it('focuses the filter with Ctrl+K and copies from a focused row with Enter or Ctrl+C', async () => {
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('Control+K');
    expect(await focusPlace()).toMatchObject({ tag: 'input', label: 'Filter accounts' });
    await page.keyboard.type('alice');
    await page.keyboard.press('ArrowDown');
    expect(await focusPlace()).toMatchObject({ label: `Account ${ALICE.username}` });
    await clipboard.writeSecret('');
    await page.keyboard.press('Enter');
    await expect.poll(() => clipboard.readText()).toMatch(/^eyJ/);
    expect((await idp.introspect(await clipboard.readText())).active).toBe(true);
    await clipboard.writeSecret('');
    await page.keyboard.press('Control+C');
    await expect.poll(() => clipboard.readText()).toMatch(/^eyJ/);
    expect(decodeJwt(await clipboard.readText()).iss).toBe(idp.oidcIssuer);
    await page.keyboard.press('Control+K');
    await page.keyboard.type('nobody-here');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'No account matches' }).count()).toBe(1);
    await page.getByRole('searchbox', { name: 'Filter accounts' }).fill('');
  });

  it('decodes a pasted token in the page without sending it anywhere', async () => {
    await clipboard.writeSecret('');
    await page.getByRole('button', { name: `Copy token raw for ${ALICE.username}` }).click();
    await expect.poll(() => clipboard.readText()).toMatch(/^eyJ/);
    const token = await clipboard.readText();
    await page.getByRole('button', { name: 'Decode a token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Decode a token' });
    await expect.poll(focusPlace).toMatchObject({ where: 'dialog', tag: 'textarea', label: 'Token to decode' });
    const requestsBefore = apiCalls.length;
    await dialog.getByLabel('Token to decode').fill(`Authorization: Bearer ${token}`);
    const decoded = dialog.getByTestId('decoded-token');
    await expect.poll(async () => JSON.parse((await decoded.getByTestId('jwt-claims').textContent()) ?? '{}').sub).toBe(decodeJwt(token).sub);
    expect(await decoded.getByTestId('audience').textContent()).toContain(DEMO_API);
    expect(await decoded.getByTestId('scopes').textContent()).toContain(`${DEMO_API}/read`);
    expect(apiCalls.length).toBe(requestsBefore);
    await screenshot('decode-token');
    await checkDialog('Decode a token', 'Token to decode');
  });

  it('passes focus, Tab and axe checks in every other dialog', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await checkDialog('Settings', 'Clear the clipboard after (seconds)');
    await page.getByRole('button', { name: 'Add account', exact: true }).click();
    await page.getByRole('dialog', { name: 'Add account' }).getByRole('button', { name: '+ New profile…' }).click();
    await checkDialog('New provider profile', 'Provider');
    await page.getByRole('button', { name: `Remove ${ALICE.username}` }).click();
    await checkDialog('Remove account?', 'Keep');
  });

  it('shows browser-mode Settings without desktop-only settings, and explains wrong numbers next to the field', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    expect(await settings.getByLabel('Linux password store').count()).toBe(0);
    expect(await settings.getByLabel(/weak encryption/).count()).toBe(0);
    expect(await settings.getByTestId('storage-status').textContent()).toContain('npm start -- --persist-tokens');
    const clear = settings.getByLabel('Clear the clipboard after (seconds)');
    for (const [typed, message] of [
      ['-5', 'Use 0 to 3600 seconds.'],
      ['2.5', 'Use whole seconds (no fractions), from 0 to 3600.'],
    ] as const) {
      await clear.fill(typed);
      await page.keyboard.press('Enter');
      await settings.getByText(message).waitFor();
      expect(await clear.getAttribute('aria-invalid')).toBe('true');
    }
    expect((await mode.core.getSettings()).clipboardClearSeconds).toBe(60);
    await clear.fill('45');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await mode.core.getSettings()).clipboardClearSeconds).toBe(45);
    await settings.getByText('Saved.').waitFor();
    await screenshot('settings-browser-mode');
    await page.keyboard.press('Escape');
  });

  it('fits a 700 px window: nothing cut off, labels on one line, long messages wrapped', async () => {
    await page.setViewportSize({ width: 700, height: 700 });
    const account = row(ALICE.username);
    await expect.poll(() => account.evaluate((element) => element.getBoundingClientRect().height)).toBeGreaterThan(90);
    const geometry = await account.evaluate((element) => {
      const rowBox = element.getBoundingClientRect();
      const buttons = [...element.querySelectorAll('button')].map((button) => {
        const box = button.getBoundingClientRect();
        return { name: button.getAttribute('aria-label') ?? button.textContent, right: box.right, height: box.height, clipped: button.scrollWidth > button.clientWidth };
      });
      return { rowRight: rowBox.right, buttons, nameOverflow: getComputedStyle(element.querySelector('.account-name') as Element).textOverflow };
    });
    for (const button of geometry.buttons) {
      expect(button.right, `${button.name} inside the row`).toBeLessThanOrEqual(geometry.rowRight);
      expect(button.height, `${button.name} on one line`).toBeLessThan(40);
      expect(button.clipped, `${button.name} not clipped`).toBe(false);
    }
    expect(geometry.rowRight).toBeLessThanOrEqual(700);
    expect(geometry.nameOverflow).toBe('ellipsis');
    const toolbar = await page.locator('.toolbar button').evaluateAll((buttons) => buttons.map((button) => ({ right: button.getBoundingClientRect().right, height: button.getBoundingClientRect().height })));
    for (const button of toolbar) {
      expect(button.right).toBeLessThanOrEqual(700);
      expect(button.height).toBeLessThan(40);
    }

    await screenshot('accounts-narrow');
  });

  it('shows why an account needs sign-in on its row, and wraps a long error toast inside a narrow window', async () => {
    await idp.revokeGrantsFor(ALICE.username);
    await page.getByRole('button', { name: `Refresh now ${ALICE.username}` }).click();
    await expect.poll(() => statusOf(ALICE.username).textContent(), { timeout: 20_000 }).toBe('needs sign-in');
    const toast = page.getByTestId('toast').filter({ hasText: 'Refresh failed' }).last();
    await toast.waitFor();
    const box = await toast.evaluate((element) => {
      const rect = element.getBoundingClientRect();
      const text = element.querySelector('span') as HTMLElement;
      return { left: rect.left, right: rect.right, overflow: text.scrollWidth > text.clientWidth };
    });
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.right).toBeLessThanOrEqual(700);
    expect(box.overflow).toBe(false);
    await page.setViewportSize({ width: 1280, height: 800 });
    const reason = row(ALICE.username).getByTestId('needs-sign-in-reason');
    expect(await reason.isVisible()).toBe(true);
    expect((await reason.innerText()).length).toBeGreaterThan(10);
    await screenshot('needs-sign-in-reason');
    expect(app.pageErrors).toEqual([]);
  });

  it('creates a profile from a pasted discovery address with an extra parameter, then edits, duplicates and deletes profiles', async () => {
    await page.getByRole('button', { name: 'Add account', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await dialog.getByRole('button', { name: '+ New profile…' }).click();
    const form = page.getByRole('form', { name: 'New provider profile' });
    await form.getByLabel('Provider').selectOption('custom-oidc');
    await form.getByLabel('Profile name').fill('Demo by discovery');
    await form.getByLabel('Issuer URL').fill(`${idp.oidcIssuer}/.well-known/openid-configuration`);
    await form.getByText(`Using the issuer ${idp.oidcIssuer}`).waitFor();
    await form.getByLabel('Client id').fill(PUBLIC_CLIENT_ID);
    await form.getByLabel('Default scopes').fill(`${DEMO_API}/read`);
    await form.getByRole('button', { name: '+ Add parameter' }).click();
    await form.getByLabel('Name of new parameter').fill('state');
    await form.getByText('Tessera sets "state" on every sign-in; remove this row.').waitFor();
    expect(await form.getByLabel('Name of state').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Name of state').fill('audience');
    await form.getByLabel('API audience', { exact: true }).fill(DEMO_API);
    expect((await seriousAxeViolations(page)).join('\n')).toBe('');
    await screenshot('profile-form');
    await form.getByRole('button', { name: 'Check and save' }).click();
    await expect.poll(() => dialog.getByRole('radio', { name: /Demo by discovery/ }).isChecked(), { timeout: 30_000 }).toBe(true);
    const saved = (await mode.core.listProfiles()).find((profile) => profile.name === 'Demo by discovery');
    expect(saved).toMatchObject({ authority: idp.oidcIssuer, extraAuthorizeParameters: { audience: DEMO_API } });

    // The parameter goes out with the sign-in.
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /Demo by discovery/ }).count(), { timeout: 45_000 }).toBe(1);
    expect(new URL(authorizeUrls[authorizeUrls.length - 1] ?? '').searchParams.get('audience')).toBe(DEMO_API);

    // Edit: the new name reaches the account list.
    await page.getByRole('button', { name: 'Add account', exact: true }).click();
    await dialog.getByRole('button', { name: 'Edit Demo by discovery' }).click();
    const edit = page.getByRole('form', { name: 'Edit provider profile' });
    await expect.poll(focusPlace).toMatchObject({ where: 'dialog', label: 'Provider' });
    await edit.getByLabel('Profile name').fill('Demo (renamed)');
    await edit.getByRole('button', { name: 'Check and save changes' }).click();
    await dialog.getByRole('radio', { name: /Demo \(renamed\)/ }).waitFor({ timeout: 30_000 });
    expect((await mode.core.listProfiles()).filter((profile) => profile.id === saved?.id).map((profile) => profile.name)).toEqual(['Demo (renamed)']);

    // Duplicate, then delete the copy; the original keeps its account and cannot be deleted yet.
    await dialog.getByRole('button', { name: 'Duplicate Demo (renamed)' }).click();
    await page.getByRole('form', { name: 'New provider profile' }).getByRole('button', { name: 'Check and save' }).click();
    await dialog.getByRole('radio', { name: /Demo \(renamed\) \(copy\)/ }).waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Delete Demo (renamed) (copy)' }).click();
    await dialog.getByRole('group', { name: 'Delete Demo (renamed) (copy)?' }).getByRole('button', { name: 'Delete profile' }).click();
    await expect.poll(async () => (await mode.core.listProfiles()).map((profile) => profile.name)).not.toContain('Demo (renamed) (copy)');
    await dialog.getByRole('button', { name: 'Delete Demo (renamed)', exact: true }).click();
    const refusal = dialog.getByRole('group', { name: 'Delete Demo (renamed)?' });
    expect(await refusal.textContent()).toContain('has 1 signed-in account');
    expect(await refusal.getByRole('button', { name: 'Delete profile' }).isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
  }, 120_000);
});
