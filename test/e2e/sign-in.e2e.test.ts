/**
 * Sign-in end to end (issue 9): a second account on the same provider, signing an account in again,
 * incremental consent from the copy options, device code, and the ID token in the details panel.
 *
 * The real browser-mode host and app core, the real test identity provider (an OIDC issuer and an
 * Entra-shaped tenant), Debian Chromium. The provider's sign-in pages open in one Chromium context,
 * as in a person's browser, so the provider's session cookie carries over from one sign-in to the
 * next: that is what makes "Add account" without a prompt sign the same user in again.
 */
import { decodeJwt } from 'jose';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserMode } from '../../main/browser-host/browser-mode';
import type { RecordingClipboard } from '../../main/clipboard/clipboard';
import { chromiumInstalled, completeDeviceCode, declineDeviceCode, type BrowserUser } from '../support/browser';
import { DEFAULT_CLIENTS, DEMO_API, PUBLIC_CLIENT_ID, type TestIdp } from '../support/idp';
import { seriousAxeViolations } from '../support/page-checks';
import { requires } from '../support/requires';
import { DEMO_USER, logInIfAsked, screenshot, signInFinished, startRunningApp, type RunningApp } from '../support/running-app';

const ALICE: BrowserUser = DEMO_USER;
const BOB: BrowserUser = { username: 'bob@contoso.com', password: 'bob-password' };
// Entra profiles need a GUID client id; the test provider registers a copy of the public client under one.
const ENTRA_CLIENT_ID = '5d1e8a52-3c7b-4f0e-9a61-0c2b7e4d9f13';

requires(chromiumInstalled()).describe('sign-in in Chromium (browser mode, demo provider)', () => {
  let app: RunningApp;
  let idp: TestIdp;
  let mode: BrowserMode;
  let clipboard: RecordingClipboard;
  let page: Page;
  /** Every authorize URL the app opened, and whether the provider showed its login form for it. */
  const opened: { url: URL; loginForm: boolean | undefined }[] = [];
  /** Who logs in when the provider shows its login form. */
  let nextUser: BrowserUser = ALICE;

  const row = (username: string): Locator => page.getByRole('group', { name: `Account ${username}` });
  const lastOpened = () => opened[opened.length - 1];

  async function openSignInPage(url: string, context: BrowserContext): Promise<void> {
    const entry: { url: URL; loginForm: boolean | undefined } = { url: new URL(url), loginForm: undefined };
    opened.push(entry);
    const user = nextUser;
    const signInPage = await context.newPage();
    await signInPage.goto(url);
    void (async () => {
      entry.loginForm = await logInIfAsked(signInPage, user);
      await signInFinished(signInPage).waitFor({ timeout: 30_000 });
      await signInPage.close();
    })().catch(() => undefined);
  }

  async function accountsOf(profileName: string): Promise<string[]> {
    return (await mode.core.listAccounts()).filter((account) => account.profileName === profileName).map((account) => account.username).sort();
  }

  async function openAddAccount(profile: RegExp): Promise<Locator> {
    await page.getByRole('button', { name: 'Add account', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await dialog.getByRole('radio', { name: profile }).check();
    return dialog;
  }

  beforeAll(async () => {
    const publicClient = DEFAULT_CLIENTS.find((client) => client.clientId === PUBLIC_CLIENT_ID);
    if (!publicClient) throw new Error('the test provider has no public client');
    app = await startRunningApp({
      name: 'sign-in',
      clients: [...DEFAULT_CLIENTS.map((client) => ({ ...client, redirectUris: [...client.redirectUris] })), { ...publicClient, clientId: ENTRA_CLIENT_ID, redirectUris: [...publicClient.redirectUris] }],
      openSignInPage,
    });
    ({ idp, mode, clipboard } = app);
    await mode.core.saveProfile({
      name: 'Contoso (Entra-shaped)',
      kind: 'entra',
      preset: 'entra',
      clientId: ENTRA_CLIENT_ID,
      authority: idp.entraAuthority(),
      defaultScopes: [`${DEMO_API}/read`],
      signInMethod: 'system-browser',
    });
    page = await app.openAppPage();
  }, 120_000);

  afterAll(() => app?.close());

  it('"Add account" asks the OIDC provider to log in (prompt=login), so a second user can be added while the first is signed in there', async () => {
    nextUser = ALICE;
    const dialog = await openAddAccount(/Local demo provider/);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await row(ALICE.username).waitFor({ timeout: 45_000 });
    expect(lastOpened()?.url.searchParams.get('prompt')).toBe('login');
    expect(lastOpened()?.url.searchParams.has('login_hint')).toBe(false);

    // Alice's session at the provider is live; the prompt makes it show the login form anyway.
    nextUser = BOB;
    const again = await openAddAccount(/Local demo provider/);
    await again.getByRole('button', { name: 'Sign in' }).click();
    await row(BOB.username).waitFor({ timeout: 45_000 });
    expect(lastOpened()?.url.searchParams.get('prompt')).toBe('login');
    // Recorded once the login helper returns, which can be after the account appeared.
    await expect.poll(() => lastOpened()?.loginForm).toBe(true);
    expect(await accountsOf('Local demo provider')).toEqual([ALICE.username, BOB.username]);
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it('"Sign in again" keeps the account\'s login_hint and the provider session: no prompt, no login form, no new account', async () => {
    await idp.revokeGrantsFor(BOB.username);
    await page.getByRole('button', { name: `Refresh now ${BOB.username}` }).click();
    const signInAgain = page.getByRole('button', { name: `Sign in again as ${BOB.username}` });
    await signInAgain.waitFor({ timeout: 20_000 });
    const before = opened.length;
    await signInAgain.click();
    await expect.poll(() => row(BOB.username).getByTestId('account-status').textContent(), { timeout: 45_000 }).toMatch(/^valid /);
    expect(opened.length).toBe(before + 1);
    const url = lastOpened()?.url;
    expect(url?.searchParams.has('prompt')).toBe(false);
    expect(url?.searchParams.get('login_hint')).toBe(BOB.username);
    await expect.poll(() => lastOpened()?.loginForm).toBe(false);
    expect(await accountsOf('Local demo provider')).toEqual([ALICE.username, BOB.username]);
  }, 120_000);

  it('refuses a "Sign in again" that the provider answered for another user, naming both, and adds no account', async () => {
    // Bob holds the provider's session in this browser; Alice's grant is gone.
    nextUser = BOB;
    await idp.revokeGrantsFor(ALICE.username);
    await page.getByRole('button', { name: `Refresh now ${ALICE.username}` }).click();
    const signInAgain = page.getByRole('button', { name: `Sign in again as ${ALICE.username}` });
    await signInAgain.waitFor({ timeout: 20_000 });
    const bobBefore = (await mode.core.listAccounts()).find((account) => account.username === BOB.username);
    await signInAgain.click();
    const toast = page.getByTestId('toast').filter({ hasText: 'Sign-in failed' });
    await toast.waitFor({ timeout: 45_000 });
    expect(await toast.textContent()).toContain(`The provider signed in ${BOB.username}, not ${ALICE.username}`);
    expect(lastOpened()?.url.searchParams.get('login_hint')).toBe(ALICE.username);
    const accounts = await mode.core.listAccounts();
    expect(accounts.map((account) => account.username).sort()).toEqual([ALICE.username, BOB.username]);
    expect(accounts.find((account) => account.username === ALICE.username)?.status.kind).toBe('needs-sign-in');
    expect(accounts.find((account) => account.username === BOB.username)?.id).toBe(bobBefore?.id);
  }, 120_000);

  it('"Add account" on an Entra-shaped issuer asks for the account picker (prompt=select_account)', async () => {
    nextUser = ALICE;
    const dialog = await openAddAccount(/Contoso \(Entra-shaped\)/);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => accountsOf('Contoso (Entra-shaped)'), { timeout: 45_000 }).toEqual([ALICE.username]);
    const url = lastOpened()?.url;
    expect(url?.pathname).toBe(new URL(`${idp.entraAuthority()}/oauth2/v2.0/authorize`).pathname);
    expect(url?.searchParams.get('prompt')).toBe('select_account');
    // Recorded once the login helper returns, which can be after the account appeared.
    await expect.poll(() => lastOpened()?.loginForm).toBe(true);
  }, 120_000);

  it('copies with scopes the sign-in did not cover: the error sits by the Scopes field, "Sign in for these scopes" signs in with the login_hint and completes the copy', async () => {
    // Bob is the provider's current session: his sign-in for the new scope reuses it (login_hint, no prompt).
    nextUser = BOB;
    await page.getByRole('button', { name: `Copy options for ${BOB.username}` }).click();
    const options = page.getByRole('dialog', { name: `Copy token for ${BOB.username}` });
    await options.getByLabel('Scopes').fill(`${DEMO_API}/write`);
    await options.getByRole('button', { name: 'Copy', exact: true }).click();
    const error = options.getByTestId('copy-error');
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    expect(text).toMatch(/^Scopes: /);
    expect(text.toLowerCase()).not.toContain('check the scopes of the profile');
    expect(await page.getByTestId('toast').filter({ hasText: 'Copying the token failed' }).count()).toBe(0);
    const badge = row(BOB.username).getByTestId('account-error');
    await expect.poll(() => badge.textContent()).toBe('last try failed: invalid_scope');
    expect((await seriousAxeViolations(page)).join('\n')).toBe('');
    await screenshot(page, 'copy-sign-in-for-scopes');

    const before = opened.length;
    await clipboard.writeSecret('');
    await options.getByRole('button', { name: 'Sign in for these scopes' }).click();
    await expect.poll(() => options.count(), { timeout: 45_000 }).toBe(0);
    expect(opened.length).toBe(before + 1);
    const url = lastOpened()?.url;
    expect(url?.searchParams.get('login_hint')).toBe(BOB.username);
    expect(url?.searchParams.has('prompt')).toBe(false);
    // The default scope is asked for too, so the new refresh token still covers default copies.
    expect(url?.searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining([`${DEMO_API}/read`, `${DEMO_API}/write`]));
    await expect.poll(() => clipboard.readText()).toMatch(/^eyJ/);
    const copied = await clipboard.readText();
    expect(String(decodeJwt(copied).scope).split(' ')).toContain(`${DEMO_API}/write`);
    expect((await idp.introspect(copied)).active).toBe(true);
    await expect.poll(() => badge.count()).toBe(0);

    // The default copy still works with the new sign-in's refresh token.
    await clipboard.writeSecret('');
    await page.getByRole('button', { name: `Refresh now ${BOB.username}` }).click();
    await page.getByTestId('toast').filter({ hasText: `Refreshed ${BOB.username}` }).waitFor();
    expect(await accountsOf('Local demo provider')).toEqual([ALICE.username, BOB.username]);
  }, 120_000);

  it('signs in with a device code: the page shows the code with a countdown, the user finishes at the provider, the account appears', async () => {
    const dialog = await openAddAccount(/Contoso \(Entra-shaped\)/);
    await dialog.getByRole('radio', { name: 'Device code' }).check();
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    const box = dialog.getByTestId('device-code');
    await box.waitFor({ timeout: 30_000 });
    const userCode = ((await box.getByTestId('device-user-code').textContent()) ?? '').trim();
    const verificationUri = (await box.getByTestId('device-verification-uri').textContent()) ?? '';
    expect(userCode).toMatch(/\S{4,}/);
    expect(new URL(verificationUri).pathname).toBe(new URL(`${idp.entraAuthority()}/oauth2/v2.0/devicelogin`).pathname);
    const countdown = box.getByTestId('device-code-countdown');
    const first = await countdown.textContent();
    expect(first).toMatch(/^The code expires in \d+:\d\d\.$/);
    await expect.poll(() => countdown.textContent(), { timeout: 5_000 }).not.toBe(first);
    await box.getByRole('button', { name: 'Copy the code' }).click();
    await box.getByText('The code was copied.').waitFor();
    expect(await clipboard.readText()).toBe(userCode);
    await box.getByRole('button', { name: 'Copy the address' }).click();
    await expect.poll(() => clipboard.readText()).toMatch(/^https:\/\/localhost:\d+\/contoso\/oauth2\/v2\.0\/devicelogin/);
    expect((await seriousAxeViolations(page)).join('\n')).toBe('');
    await screenshot(page, 'device-code');

    await completeDeviceCode(app.browser, verificationUri, userCode, BOB);
    await expect.poll(() => accountsOf('Contoso (Entra-shaped)'), { timeout: 45_000 }).toEqual([ALICE.username, BOB.username]);
    await expect.poll(() => dialog.count()).toBe(0);
    // The device code itself never reached the page.
    expect(await page.content()).not.toContain('device_code');
  }, 120_000);

  it('signs an account added with a device code in again with a code, in its own dialog', async () => {
    await idp.revokeGrantsFor(BOB.username);
    const entraBob = row(BOB.username).filter({ hasText: 'Contoso (Entra-shaped)' });
    await entraBob.getByRole('button', { name: `Refresh now ${BOB.username}` }).click();
    const signInAgain = entraBob.getByRole('button', { name: `Sign in again as ${BOB.username}` });
    await signInAgain.waitFor({ timeout: 20_000 });
    const before = opened.length;
    await signInAgain.click();
    const dialog = page.getByRole('dialog', { name: 'Sign in with a code' });
    const box = dialog.getByTestId('device-code');
    await box.waitFor({ timeout: 30_000 });
    expect((await seriousAxeViolations(page)).join('\n')).toBe('');
    const userCode = ((await box.getByTestId('device-user-code').textContent()) ?? '').trim();
    const verificationUri = (await box.getByTestId('device-verification-uri').textContent()) ?? '';
    await completeDeviceCode(app.browser, verificationUri, userCode, BOB);
    await expect.poll(() => dialog.count(), { timeout: 45_000 }).toBe(0);
    await expect.poll(() => entraBob.getByTestId('account-status').textContent(), { timeout: 20_000 }).toMatch(/^valid /);
    // No browser page was opened for it.
    expect(opened.length).toBe(before);
    expect(await accountsOf('Contoso (Entra-shaped)')).toEqual([ALICE.username, BOB.username]);
  }, 120_000);

  it('cancels a device code sign-in, and reports a declined and an expired code in plain words', async () => {
    const dialog = await openAddAccount(/Local demo provider/);
    await dialog.getByRole('radio', { name: 'Device code' }).check();
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.getByTestId('device-code').waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Cancel sign-in' }).click();
    const failure = dialog.getByTestId('sign-in-error');
    await expect.poll(() => failure.textContent(), { timeout: 15_000 }).toContain('Sign-in cancelled');

    // Declined on the provider's confirmation page.
    await dialog.getByRole('button', { name: 'Try again' }).click();
    const box = dialog.getByTestId('device-code');
    await box.waitFor({ timeout: 30_000 });
    const userCode = ((await box.getByTestId('device-user-code').textContent()) ?? '').trim();
    const verificationUri = (await box.getByTestId('device-verification-uri').textContent()) ?? '';
    await declineDeviceCode(app.browser, verificationUri, userCode);
    await expect.poll(() => failure.textContent(), { timeout: 30_000 }).toContain('The sign-in was declined on the code page');

    // The provider answers expired_token (RFC 8628 §3.5) to the next poll.
    idp.failNext('/oidc/token', { status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'expired_token', error_description: 'device code expired' }) });
    await dialog.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => failure.textContent(), { timeout: 30_000 }).toContain('The code expired before the sign-in was finished');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await accountsOf('Local demo provider')).toEqual([ALICE.username, BOB.username]);
  }, 120_000);

  it('shows the ID token decoded next to the access token, and the raw ID token only when revealed', async () => {
    await page.getByRole('button', { name: `Token details for ${ALICE.username}` }).first().click();
    const panel = page.getByRole('dialog', { name: `Token for ${ALICE.username}` });
    const idToken = panel.getByTestId('id-token');
    await idToken.getByRole('button', { name: 'Show ID token claims' }).click();
    const claims = idToken.getByTestId('jwt-claims');
    await claims.waitFor();
    const decoded = JSON.parse((await claims.textContent()) ?? '{}') as Record<string, unknown>;
    expect(decoded['preferred_username']).toBe(ALICE.username);
    expect([PUBLIC_CLIENT_ID, ENTRA_CLIENT_ID]).toContain(decoded['aud']);
    expect(await idToken.getByTestId('revealed-id-token').count()).toBe(0);
    expect(await page.content()).not.toMatch(/eyJ[\w-]+\.eyJ/);

    await idToken.getByRole('button', { name: 'Reveal raw ID token' }).click();
    const raw = idToken.getByTestId('revealed-id-token');
    await expect.poll(() => raw.inputValue()).toMatch(/^eyJ/);
    expect(decodeJwt(await raw.inputValue()).preferred_username).toBe(ALICE.username);
    await screenshot(page, 'id-token');
    await idToken.getByRole('button', { name: 'Hide ID token' }).click();
    await expect.poll(() => raw.count()).toBe(0);
    await page.keyboard.press('Escape');
    expect(app.pageErrors).toEqual([]);
  }, 60_000);
});
