/**
 * Browser mode end to end: the real host, the real app core, the real test identity provider, and
 * Debian Chromium driven by playwright-core.
 *
 * Copies land in a `RecordingClipboard` passed in as the core's clipboard (an option of
 * `startBrowserMode`, never reachable over HTTP), so the test can read them back and ask the
 * provider's introspection endpoint about them.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserMode } from '../../main/browser-host/browser-mode';
import type { RecordingClipboard } from '../../main/clipboard/clipboard';
import { chromiumInstalled, type BrowserUser } from '../support/browser';
import { DEMO_API, PUBLIC_CLIENT_ID, type TestIdp } from '../support/idp';
import { seriousAxeViolations } from '../support/page-checks';
import { requires } from '../support/requires';
import { DEMO_USER, finishSignIn, screenshot as saveScreenshot, startRunningApp, type RunningApp } from '../support/running-app';

const ACCESS_TOKEN_TTL = 20;

const ALICE: BrowserUser = DEMO_USER;
const BOB: BrowserUser = { username: 'bob@contoso.com', password: 'bob-password' };

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** A raw HTTP request, so headers a browser would never let a page set (Host) can be sent. */
function rawRequest(port: number, path: string, headers: Record<string, string>, method = 'POST', body = '[]'): Promise<RawResponse> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? body : undefined);
  });
}

requires(chromiumInstalled()).describe('browser mode in Chromium', () => {
  let app: RunningApp;
  let idp: TestIdp;
  let mode: BrowserMode;
  let context: BrowserContext;
  let clipboard: RecordingClipboard;
  let page: Page;
  let attacker: Server;
  const refusals: { status: number; reason: string; path: string }[] = [];
  // Every `securitypolicyviolation` the app's page raises during the whole run (renderer-serving.ts).
  const cspViolations: string[] = [];
  // Who the next sign-in page is for; the broker's openExternal opens it in the same browser.
  let nextUser: BrowserUser = ALICE;
  let signInPages = 0;

  const row = (username: string) => page.getByRole('group', { name: `Account ${username}` });
  const statusOf = (username: string) => row(username).getByTestId('account-status');

  async function openSignInPage(url: string, context: BrowserContext): Promise<void> {
    signInPages += 1;
    const signInPage = await context.newPage();
    await signInPage.goto(url);
    // With a live provider session there is no login page: the redirect comes straight back.
    void finishSignIn(signInPage, nextUser)
      .then(() => signInPage.close())
      .catch(() => undefined);
  }

  const screenshot = (name: string): Promise<void> => saveScreenshot(page, name);

  beforeAll(async () => {
    app = await startRunningApp({ name: 'browser-mode', accessTokenTtl: ACCESS_TOKEN_TTL, openSignInPage, onRefused: (refusal) => refusals.push(refusal) });
    ({ idp, mode, context, clipboard } = app);
    attacker = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>Totally harmless</title><h1>Hello</h1>');
    });
    await new Promise<void>((done) => attacker.listen(0, '127.0.0.1', done));

    page = await app.openAppPage(async (opening) => {
      // Bindings and init scripts come in over the DevTools protocol, outside the page's CSP.
      await opening.exposeBinding('__tesseraCspViolation', (_source, text: string) => void cspViolations.push(text));
      await opening.addInitScript(() => {
        const report = (window as unknown as { __tesseraCspViolation: (text: string) => void }).__tesseraCspViolation;
        document.addEventListener('securitypolicyviolation', (event) => report(`${event.effectiveDirective} ${event.blockedURI} ${event.sample}`));
      });
    });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await new Promise<void>((done) => (attacker ? attacker.close(() => done()) : done()));
  });

  it('opens with the secret taken out of the address bar and no CSP violations', async () => {
    await page.getByRole('button', { name: 'Add your first account' }).waitFor();
    expect(page.url()).toBe(`${mode.host.origin}/`);
    expect(app.pageErrors).toEqual([]);
    await screenshot('empty');
  });

  it('signs an account in through the provider login page and lists it with its status', async () => {
    nextUser = ALICE;
    await page.getByRole('button', { name: 'Add account', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await expect.poll(() => dialog.getByRole('radio', { name: /Local demo provider/ }).isChecked()).toBe(true);
    await screenshot('add-account');
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await row(ALICE.username).waitFor({ timeout: 45_000 });
    expect(signInPages).toBe(1);
    await expect.poll(() => statusOf(ALICE.username).textContent()).toMatch(/^(valid|expires in) /);
    await expect.poll(() => page.getByRole('heading', { name: /Local demo provider/ }).count()).toBe(1);
  });

  it('copies a token that the provider confirms as active', async () => {
    await page.getByRole('button', { name: `Copy token raw for ${ALICE.username}` }).click();
    await page.getByTestId('toast').filter({ hasText: /Access token copied\. Clipboard clears at \d/ }).waitFor();
    const copied = await clipboard.readText();
    expect(copied.split('.')).toHaveLength(3);
    const introspection = await idp.introspect(copied);
    expect(introspection.active).toBe(true);
    expect(introspection.client_id).toBe(PUBLIC_CLIENT_ID);
    // Copying never sends the token to the page.
    expect(await page.content()).not.toContain(copied);
  });

  it('reveals and decodes the token, and forgets it when the panel closes', async () => {
    const copied = await clipboard.readText();
    const copiedSub = decodeJwt(copied).sub;
    await page.getByRole('button', { name: `Token details for ${ALICE.username}` }).click();
    const panel = page.getByRole('dialog', { name: `Token for ${ALICE.username}` });
    await panel.getByTestId('masked-token').waitFor();
    await panel.getByRole('button', { name: 'Reveal token' }).click();
    // The access token lives shorter than the 5-minute expiry skew, so each use fetches a new one.
    await expect.poll(() => panel.getByTestId('revealed-token').inputValue()).toMatch(/^eyJ/);
    const revealed = await panel.getByTestId('revealed-token').inputValue();
    expect(decodeJwt(revealed).sub).toBe(copiedSub);
    expect((await idp.introspect(revealed)).active).toBe(true);
    expect(JSON.parse((await panel.getByTestId('jwt-claims').textContent()) ?? '{}').sub).toBe(copiedSub);
    expect(await panel.getByTestId('audience').textContent()).toContain(DEMO_API);
    expect(await panel.getByTestId('scopes').textContent()).toContain(`${DEMO_API}/read`);
    expect(JSON.parse((await panel.getByTestId('jwt-header').textContent()) ?? '{}').alg).toBe('RS256');
    await screenshot('token-details');
    await panel.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await page.content()).not.toContain(revealed);
  });

  it('shows the token expiring and refreshes it when auto-refresh is pinned', async () => {
    await expect.poll(() => statusOf(ALICE.username).textContent(), { timeout: (ACCESS_TOKEN_TTL + 15) * 1000, interval: 500 }).toBe('expired');
    const before = idp.requestCount('/token');
    await page.getByRole('button', { name: `Auto-refresh ${ALICE.username}` }).click();
    await expect.poll(() => statusOf(ALICE.username).textContent(), { timeout: 20_000, interval: 250 }).toMatch(/^(valid|expires in) /);
    expect(idp.requestCount('/token')).toBeGreaterThan(before);
    expect(await page.getByRole('button', { name: `Auto-refresh ${ALICE.username}` }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: `Auto-refresh ${ALICE.username}` }).click();
    await expect.poll(() => page.getByRole('button', { name: `Auto-refresh ${ALICE.username}` }).getAttribute('aria-pressed')).toBe('false');
  }, 90_000);

  it('asks for sign-in once the refresh token is revoked, and signs in again with one click', async () => {
    await idp.revokeGrantsFor(ALICE.username);
    await page.getByRole('button', { name: `Refresh now ${ALICE.username}` }).click();
    await expect.poll(() => statusOf(ALICE.username).textContent(), { timeout: 20_000 }).toBe('needs sign-in');
    await screenshot('needs-sign-in');
    nextUser = ALICE;
    await page.getByRole('button', { name: `Sign in again as ${ALICE.username}` }).click();
    await expect.poll(() => statusOf(ALICE.username).textContent(), { timeout: 45_000 }).toMatch(/^(valid|expires in) /);
    await page.getByRole('button', { name: `Copy token raw for ${ALICE.username}` }).click();
    await expect.poll(async () => (await clipboard.readText()).length > 0 && (await idp.introspect(await clipboard.readText())).active).toBe(true);
  });

  it('adds a second provider from a custom profile and keeps both side by side', async () => {
    nextUser = BOB;
    await page.getByRole('button', { name: 'Add account', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await dialog.getByRole('button', { name: '+ New profile…' }).click();
    const form = page.getByRole('form', { name: 'New provider profile' });
    await form.getByLabel('Provider').selectOption('custom-oidc');
    await form.getByLabel('Profile name').fill('Contoso tenant');
    // A loopback port with nothing listening: discovery fails without any traffic leaving the machine.
    await form.getByLabel('Issuer URL').fill('https://127.0.0.1:9/no-provider');
    await form.getByLabel('Client id').fill(PUBLIC_CLIENT_ID);
    await form.getByLabel('Default scopes').fill(`${DEMO_API}/read`);
    await form.getByRole('button', { name: 'Check and save' }).click();
    // The discovery failure is shown next to the issuer field.
    await expect.poll(() => form.getByLabel('Issuer URL').getAttribute('aria-invalid'), { timeout: 30_000 }).toBe('true');
    await screenshot('profile-errors');
    await form.getByLabel('Issuer URL').fill(idp.entraIssuer());
    await form.getByRole('button', { name: 'Check and save' }).click();
    await expect.poll(() => dialog.getByRole('radio', { name: /Contoso tenant/ }).isChecked(), { timeout: 30_000 }).toBe(true);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await row(BOB.username).waitFor({ timeout: 45_000 });
    await expect.poll(() => statusOf(BOB.username).textContent()).toMatch(/^(valid|expires in) /);
    await expect.poll(() => page.getByRole('heading', { level: 2 }).allTextContents()).toEqual(['Contoso tenant · 1', 'Local demo provider · 1']);

    await page.getByRole('button', { name: `Copy options for ${BOB.username}` }).click();
    const options = page.getByRole('dialog', { name: `Copy token for ${BOB.username}` });
    await options.getByLabel('Authorization: Bearer … header').check();
    await options.getByRole('button', { name: 'Copy' }).click();
    await page.getByTestId('toast').filter({ hasText: 'Authorization header copied' }).waitFor();
    const header = await clipboard.readText();
    expect(header.startsWith('Authorization: Bearer ')).toBe(true);
    const introspection = await idp.introspect(header.slice('Authorization: Bearer '.length));
    expect(introspection.active).toBe(true);
    expect(introspection.iss).toBe(idp.entraIssuer());
    await screenshot('accounts');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot('accounts-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('passes an axe-core check with no serious or critical violations', async () => {
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('dialog', { name: 'Settings' }).waitFor();
    await screenshot('settings');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Add account', exact: true }).click();
    await page.getByRole('dialog', { name: 'Add account' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
  });

  it('removes accounts after confirmation', async () => {
    for (const user of [BOB, ALICE]) {
      await page.getByRole('button', { name: `Remove ${user.username}` }).click();
      await page.getByRole('dialog', { name: 'Remove account?' }).getByRole('button', { name: 'Remove account' }).click();
      await expect.poll(() => row(user.username).count()).toBe(0);
    }
    expect(await mode.core.listAccounts()).toEqual([]);
    expect(app.pageErrors).toEqual([]);
  });

  it('refuses an attacker page on another origin, requests without the secret, and rebound Host names', async () => {
    const attackerPage = await context.newPage();
    const attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    await attackerPage.goto(`${attackerOrigin}/`);
    const target = `${mode.host.origin}/api/listAccounts`;
    refusals.length = 0;
    const cors = await attackerPage.evaluate(async (url) => {
      try {
        await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[]' });
        return 'cors-read';
      } catch {
        return 'cors-blocked';
      }
    }, target);
    expect(cors).toBe('cors-blocked');
    // The preflight was refused by its Origin (403), not merely for want of the secret (401).
    expect(refusals).toEqual([expect.objectContaining({ status: 403, path: '/api/listAccounts' })]);

    refusals.length = 0;
    const blind = await attackerPage.evaluate(async (url) => {
      // A "simple" request needs no preflight, and the page could not read the answer anyway; the
      // host must still refuse it before anything runs.
      try {
        return `no-cors:${(await fetch(url, { method: 'POST', mode: 'no-cors', body: '[]' })).type}`;
      } catch {
        return 'no-cors:network-error';
      }
    }, target);
    await attackerPage.close();
    // Cross-Origin-Resource-Policy: same-origin makes Chromium withhold even the opaque answer.
    expect(blind).toBe('no-cors:network-error');
    expect(refusals).toEqual([expect.objectContaining({ status: 403, path: '/api/listAccounts' })]);

    const port = mode.host.port;
    const secret = new URL(mode.host.url).hash.replace('#k=', '');
    const noSecret = await rawRequest(port, '/api/listAccounts', { host: `127.0.0.1:${port}` });
    expect(noSecret.status).toBe(401);
    const rebound = await rawRequest(port, '/api/listAccounts', { host: `attacker.example:${port}`, authorization: `Bearer ${secret}` });
    expect(rebound.status).toBe(403);
    const preflight = await rawRequest(port, '/api/listAccounts', { host: `127.0.0.1:${port}`, origin: attackerOrigin, 'access-control-request-method': 'POST' }, 'OPTIONS');
    expect(preflight.status).toBe(403);
    const allowed = await rawRequest(port, '/api/listAccounts', { host: `localhost:${port}`, authorization: `Bearer ${secret}` });
    expect(allowed.status).toBe(200);
    for (const response of [noSecret, rebound, preflight, allowed]) {
      expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
    expect(allowed.headers['cache-control']).toBe('no-store');
    expect(allowed.headers['x-content-type-options']).toBe('nosniff');
    expect(allowed.headers['x-frame-options']).toBe('DENY');
  });

  it('raised no CSP violation in the whole run, under a policy without unsafe-inline that does catch inline styles', async () => {
    expect(cspViolations).toEqual([]);
    const served = await rawRequest(mode.host.port, '/', { host: `127.0.0.1:${mode.host.port}` }, 'GET');
    expect(served.headers['content-security-policy']).toContain("style-src 'self';");
    expect(served.headers['content-security-policy']).not.toContain('unsafe-inline');
    // React's style={…} props go through the CSSOM, which CSP allows; a <style> element does not.
    await page.evaluate(() => {
      document.body.style.setProperty('--probe', '1');
      const style = document.createElement('style');
      style.textContent = 'body { outline: 0 }';
      document.head.append(style);
    });
    // Reported once per policy that refuses it (the served header and the page's meta).
    await expect.poll(() => cspViolations.length).toBeGreaterThan(0);
    for (const violation of cspViolations) expect(violation).toMatch(/^style-src-elem inline /);
  });
});
