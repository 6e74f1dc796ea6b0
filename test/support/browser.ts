/**
 * Drives a real Chromium through the test identity provider's pages (login, device code).
 *
 * Uses playwright-core with a system Chromium; no browser is downloaded. Every context blocks
 * requests to anything but loopback, so tests never leave the machine.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { requirement, type Requirement } from './requires';

/** Flags for a quiet, sandbox-free Chromium that makes no background connections. */
export const CHROMIUM_ARGS: string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The line tests print when they skip for want of a browser. */
export const CHROMIUM_MISSING = 'Chromium not found: apt-get install chromium (or set TESSERA_CHROMIUM)';

/** A real Chromium (Debian's `chromium`, or `TESSERA_CHROMIUM`), as a requirement of `requires` (./requires.ts). */
export function chromiumInstalled(): Requirement {
  return requirement(findChromium() !== undefined, CHROMIUM_MISSING);
}

/** A user as the login page needs it. */
export interface BrowserUser {
  readonly username: string;
  readonly password: string;
}

function playwrightCandidates(): string[] {
  const roots = [process.env.PLAYWRIGHT_BROWSERS_PATH, join(homedir(), '.cache', 'ms-playwright')].filter((root): root is string => !!root);
  const out: string[] = [];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root).filter((name) => name.startsWith('chromium')).sort().reverse()) {
      out.push(
        join(root, entry, 'chrome-linux', 'chrome'),
        join(root, entry, 'chrome-linux64', 'chrome'),
        join(root, entry, 'chrome-linux', 'headless_shell'),
        join(root, entry, 'chrome-headless-shell-linux64', 'chrome-headless-shell'),
      );
    }
  }
  return out;
}

/**
 * Finds a Chromium executable.
 *
 * Order: `TESSERA_CHROMIUM`, `/usr/bin/chromium`, `/usr/bin/chromium-browser`, Playwright's cache.
 */
export function findChromium(): string | undefined {
  const candidates = [process.env.TESSERA_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', ...playwrightCandidates()];
  return candidates.find((path): path is string => !!path && existsSync(path));
}

/** Base64 SHA-256 of a certificate's SubjectPublicKeyInfo, as Chromium's SPKI allow-list wants it. */
function spkiHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

// Browsers launched without a pinned server certificate; their contexts ignore HTTPS errors.
const unpinned = new WeakSet<Browser>();

/** Options of `launchChromium`. */
export interface LaunchOptions {
  /** The test CA. Chromium cannot be told to trust a CA per launch, so this alone means `ignoreHTTPSErrors`. */
  caCertPem?: string;
  /** The https server's own certificate (`TestIdp.serverCertPem`): pinned by key, no blanket exception. */
  serverCertPem?: string;
  headless?: boolean;
}

/**
 * Launches Chromium.
 *
 * With `serverCertPem`, Chromium accepts exactly that certificate's key
 * (`--ignore-certificate-errors-spki-list`, which matches leaf keys, not CA keys) and every other
 * certificate error still fails. Without it, contexts from `newLoopbackContext` set
 * `ignoreHTTPSErrors` (they can reach loopback only). Headless unless `headless: false`.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(CHROMIUM_MISSING);
  const args = [...CHROMIUM_ARGS];
  if (options.serverCertPem) args.push(`--ignore-certificate-errors-spki-list=${spkiHash(options.serverCertPem)}`);
  const browser = await chromium.launch({ executablePath, headless: options.headless ?? true, args });
  if (!options.serverCertPem) unpinned.add(browser);
  return browser;
}

function isLoopback(url: URL): boolean {
  if (url.protocol === 'data:' || url.protocol === 'about:') return true;
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** A fresh context (no cookies) that refuses every request to a non-loopback host. */
export async function newLoopbackContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ ignoreHTTPSErrors: unpinned.has(browser) });
  await context.route((url) => !isLoopback(url), (route) => route.abort('blockedbyclient'));
  return context;
}

/**
 * Fills the provider's login page and submits it.
 *
 * Waits for the form, types username and password, presses "Sign in". Consent is granted by the
 * provider itself, so nothing else needs clicking.
 */
export async function signInThroughLoginPage(page: Page, user: BrowserUser): Promise<void> {
  await page.getByLabel('Username').waitFor({ state: 'visible' });
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Runs an authorization request in a fresh context and returns the redirect URL the provider sent.
 *
 * The redirect to `redirectUriPrefix…` is intercepted before any request leaves the browser, so
 * nothing needs to listen there; the URL carries `code` and `state` (or `error`).
 */
export async function completeAuthorization(browser: Browser, authorizeUrl: string, user: BrowserUser, redirectUriPrefix: string): Promise<string> {
  const context = await newLoopbackContext(browser);
  try {
    const page = await context.newPage();
    let resolveRedirect: (url: string) => void = () => undefined;
    const redirected = new Promise<string>((resolve) => {
      resolveRedirect = resolve;
    });
    await page.route((url) => url.href.startsWith(redirectUriPrefix), async (route) => {
      resolveRedirect(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<!DOCTYPE html><title>Done</title><p>Signed in.</p>' });
    });
    await page.goto(authorizeUrl);
    const signedIn = (async () => {
      // Already signed in (SSO) means no login page: the redirect comes first.
      const form = page.getByLabel('Username');
      await form.waitFor({ state: 'visible', timeout: 30_000 });
      await signInThroughLoginPage(page, user);
    })();
    // The provider's error page (bad redirect_uri, unknown client…) fails fast with its text.
    const failed = page.getByRole('heading', { name: 'Sign-in error' }).waitFor({ state: 'visible', timeout: 60_000 }).then(async () => {
      throw new Error(`authorization failed: ${(await page.locator('dl').textContent()) ?? ''}`);
    });
    signedIn.catch(() => undefined);
    failed.catch(() => undefined);
    return await Promise.race([redirected, signedIn.then(() => redirected), failed]);
  } finally {
    await context.close();
  }
}

/** Opens the provider's code page in `context` and enters `userCode`; resolves on its confirmation page. */
async function enterDeviceCode(context: BrowserContext, verificationUri: string, userCode: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(verificationUri);
  await page.getByLabel('Code').fill(userCode);
  await page.getByRole('button', { name: 'Next' }).click();
  return page;
}

/**
 * Completes a device code sign-in: enters the user code, confirms, signs in, waits for success.
 */
export async function completeDeviceCode(browser: Browser, verificationUri: string, userCode: string, user: BrowserUser): Promise<void> {
  const context = await newLoopbackContext(browser);
  try {
    const page = await enterDeviceCode(context, verificationUri, userCode);
    await page.getByRole('button', { name: 'Continue' }).click();
    await signInThroughLoginPage(page, user);
    await page.getByRole('heading', { name: 'Signed in' }).waitFor({ state: 'visible' });
  } finally {
    await context.close();
  }
}

/**
 * Declines a device code sign-in: enters the user code, then presses "Cancel" on the provider's
 * confirmation page (RFC 8628 §3.5: the client's next poll gets `access_denied`).
 */
export async function declineDeviceCode(browser: Browser, verificationUri: string, userCode: string): Promise<void> {
  const context = await newLoopbackContext(browser);
  try {
    const page = await enterDeviceCode(context, verificationUri, userCode);
    await page.getByRole('button', { name: 'Cancel' }).click();
  } finally {
    await context.close();
  }
}
