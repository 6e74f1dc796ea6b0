/**
 * App identities end to end (issue 9): in Chromium, a person adds a client-credentials profile
 * for the demo provider's confidential client, adds its app identity and copies its token. The
 * real browser-mode host and app core, the real test identity provider, Debian Chromium; copies
 * land in a `RecordingClipboard` so they can be read back and checked with the provider's
 * introspection. Every API answer the page receives is searched for the client secret.
 */
import { decodeJwt } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RecordingClipboard } from '../../main/clipboard/clipboard';
import { chromiumInstalled } from '../support/browser';
import { CONFIDENTIAL_CLIENT_ID, DEFAULT_CLIENTS, DEMO_API, type TestIdp } from '../support/idp';
import { requires } from '../support/requires';
import { screenshot, startRunningApp, type RunningApp } from '../support/running-app';

const SECRET = DEFAULT_CLIENTS.find((client) => client.clientId === CONFIDENTIAL_CLIENT_ID)?.clientSecret ?? '';

requires(chromiumInstalled()).describe('app identity in Chromium (browser mode, demo provider)', () => {
  let app: RunningApp;
  let idp: TestIdp;
  let clipboard: RecordingClipboard;
  let page: Page;
  const answers: Promise<string>[] = [];

  beforeAll(async () => {
    app = await startRunningApp({
      name: 'app-e2e',
      // No one signs in: an app identity never opens a sign-in page.
      openSignInPage: async (url) => void app.pageErrors.push(`unexpected sign-in page: ${new URL(url).pathname}`),
    });
    ({ idp, clipboard } = app);
    page = await app.openAppPage((opening) => {
      opening.on('response', (response) => {
        // Every method's answer; the event stream stays open (its events are checked in test/main/services/app-identities.test.ts).
        const path = new URL(response.url()).pathname;
        if (path.startsWith('/api/') && path !== '/api/events') answers.push(response.text().catch(() => ''));
      });
    });
  }, 120_000);

  afterAll(() => app?.close());

  it('adds an app identity with the confidential client and copies its token; the page never gets the secret back', async () => {
    await page.getByRole('button', { name: 'Add your first account' }).waitFor();
    await page.getByRole('button', { name: 'Add account', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await dialog.getByRole('button', { name: '+ New profile…' }).click();
    const form = page.getByRole('form', { name: 'New provider profile' });
    await form.getByLabel('Provider').selectOption('custom-oidc');
    await form.getByLabel('App identity (service principal: client credentials)').check();
    await form.getByLabel('Profile name').fill('Deploy robot');
    await form.getByLabel('Issuer URL').fill(idp.oidcIssuer);
    await form.getByLabel('Client id').fill(CONFIDENTIAL_CLIENT_ID);
    await form.getByLabel('Default scopes').fill(`${DEMO_API}/read`);
    // No sign-in method for an app identity.
    expect(await form.getByText('Sign in with').count()).toBe(0);
    await form.getByRole('button', { name: 'Check and save' }).click();
    // Without a secret the form says so next to the field.
    await expect.poll(() => form.getByRole('textbox', { name: /^Client secret/ }).getAttribute('aria-invalid'), { timeout: 30_000 }).toBe('true');
    await form.getByRole('textbox', { name: /^Client secret/ }).fill(SECRET);
    await screenshot(page, 'app-identity-profile');
    await form.getByRole('button', { name: 'Check and save' }).click();
    await expect.poll(() => dialog.getByRole('radio', { name: /Deploy robot/ }).isChecked(), { timeout: 30_000 }).toBe(true);
    await dialog.getByRole('button', { name: 'Add app identity' }).click();

    const row = page.getByRole('group', { name: `Account ${CONFIDENTIAL_CLIENT_ID}` });
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => row.getByTestId('app-identity').textContent()).toBe('app identity');
    await expect.poll(() => row.getByTestId('account-status').textContent()).toMatch(/^(valid|expires in) /);
    await page.getByText(`Added the app identity ${CONFIDENTIAL_CLIENT_ID}.`).waitFor();

    await screenshot(page, 'app-identity-account');
    await page.getByRole('button', { name: `Copy token raw for ${CONFIDENTIAL_CLIENT_ID}` }).click();
    await expect.poll(async () => (await clipboard.readText()).length).toBeGreaterThan(0);
    const token = await clipboard.readText();
    expect(decodeJwt(token)).toMatchObject({ client_id: CONFIDENTIAL_CLIENT_ID, aud: DEMO_API });
    expect((await idp.introspect(token)).active).toBe(true);

    // Editing the profile shows "secret saved", never the secret.
    await page.getByRole('button', { name: 'Add account', exact: true }).click();
    await dialog.getByRole('button', { name: 'Edit Deploy robot' }).click();
    const edit = page.getByRole('form', { name: 'Edit provider profile' });
    const secretField = edit.getByRole('textbox', { name: /^Client secret/ });
    expect(await secretField.inputValue()).toBe('');
    expect(await secretField.getAttribute('placeholder')).toBe('secret saved');
    await page.keyboard.press('Escape');

    const bodies = await Promise.all(answers);
    expect(bodies.some((body) => body.includes('"grant":"app"'))).toBe(true);
    expect(bodies.filter((body) => body.includes(SECRET))).toEqual([]);
    expect(await page.content()).not.toContain(SECRET);
    expect(app.pageErrors).toEqual([]);
  }, 120_000);
});
