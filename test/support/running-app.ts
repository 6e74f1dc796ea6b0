/**
 * The end-to-end fixture: the app as a user runs it from a source checkout — the test identity
 * provider, browser mode on a fresh data folder (the built renderer, the demo profile, a recording
 * clipboard, optionally the token bridge) and a real Chromium that plays the system browser.
 *
 * ```ts
 * let app: RunningApp;
 * beforeAll(async () => {
 *   app = await startRunningApp({ name: 'my-e2e', bridge: {} });
 *   await app.signInDemoUser();
 * }, 180_000);
 * afterAll(() => app?.close());
 * ```
 *
 * By default a sign-in URL opens in a new Chromium page that signs in as {@link DEMO_USER} (or
 * returns at once when the provider session is still live) and closes once "Sign-in finished"
 * shows; pass `openSignInPage` to drive it yourself ({@link finishSignIn} does the login part).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { AccountView } from '../../preload/contract';
import type { BridgeOptions, ConsentChoice, ConsentPrompt } from '../../main/bridge';
import { startBrowserMode, type BrowserMode, type BrowserModeOptions } from '../../main/browser-host/browser-mode';
import { buildRenderer, rendererBuildIsStale } from '../../main/browser-host/build-renderer';
import { RecordingClipboard } from '../../main/clipboard/clipboard';
import { DEMO_PROFILE_ID } from '../../main/services/profiles';
import { launchChromium, newLoopbackContext, signInThroughLoginPage, type BrowserUser } from './browser';
import { DEMO_API, PUBLIC_CLIENT_ID, startTestIdp, type TestIdp, type TestIdpOptions } from './idp';

/** The repository root (the built renderer is `dist/renderer` below it). */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** The `tessera` command's entry in this checkout (what an installed `tessera` runs). */
export const TESSERA_BIN = join(REPO_ROOT, 'cli', 'tessera.cjs');

/**
 * Where e2e tests save screenshots: `test-results/screenshots` on every run, so an ordinary run
 * leaves the work tree clean; with `TESSERA_UPDATE_SCREENSHOTS=1`, the committed ones in
 * `docs/screenshots` (README shows some). {@link startRunningApp} makes sure the folder exists.
 */
export const SCREENSHOTS = process.env.TESSERA_UPDATE_SCREENSHOTS === '1' ? join(REPO_ROOT, 'docs', 'screenshots') : join(REPO_ROOT, 'test-results', 'screenshots');

/** Saves a screenshot of `page` as `<name>.png` in {@link SCREENSHOTS}. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** The demo user every end-to-end test signs in as (one of the test provider's default users). */
export const DEMO_USER: BrowserUser = { username: 'alice@contoso.com', password: 'alice-password' };

/** Options of {@link startRunningApp}. */
export interface RunningAppOptions {
  /** Names the temp folders (`tessera-<name>-*`). */
  readonly name: string;
  /** Access token lifetime at the test provider, in seconds. Default 3600. */
  readonly accessTokenTtl?: number;
  /** The provider's client registrations (a test adds e.g. a copy of the public client under a GUID for an Entra profile). Default: its own defaults. */
  readonly clients?: TestIdpOptions['clients'];
  /** The demo profile's default scopes. Default `[<demo API>/read]`. */
  readonly defaultScopes?: readonly string[];
  /** Serve the token bridge, its socket in a temp runtime folder ({@link RunningApp.runtimeDir}). */
  readonly bridge?: Pick<BridgeOptions, 'lifetimes'>;
  /**
   * Let Settings install the command-line tool ({@link TESSERA_BIN}) into `<dataDir>/bin`
   * ({@link RunningApp.binDir}) instead of refusing to. Default off.
   */
  readonly commandLineTool?: boolean;
  /** What the system browser does with a sign-in URL. Default: sign in as {@link DEMO_USER} in a new page. */
  readonly openSignInPage?: (url: string, context: BrowserContext) => Promise<void>;
  /** Told about every request browser mode refused. */
  readonly onRefused?: BrowserModeOptions['onRefused'];
}

/** The running app and what the tests drive it with. */
export interface RunningApp {
  readonly idp: TestIdp;
  readonly mode: BrowserMode;
  readonly browser: Browser;
  /** The Chromium context sign-in pages (and the app's page, if a test opens one) live in. */
  readonly context: BrowserContext;
  readonly dataDir: string;
  /** `XDG_RUNTIME_DIR` of the bridge's socket (with `bridge` only). */
  readonly runtimeDir: string | undefined;
  /** Where Settings installs the command-line tool (with `commandLineTool` only). */
  readonly binDir: string | undefined;
  readonly clipboard: RecordingClipboard;
  /** Consent prompts the bridge raised, in order (with `bridge` only). */
  readonly prompts: ConsentPrompt[];
  /** Answers for the next prompts, used in order: a test pushes the choice the person would make. */
  readonly answers: ConsentChoice[];
  /** Console errors and uncaught exceptions of every page {@link openAppPage} opened, in order. */
  readonly pageErrors: string[];
  /**
   * Opens the app in a new 1280×800 Chromium page of {@link context}, its console errors and
   * uncaught exceptions collected in {@link pageErrors}. `prepare` runs before the page loads, so
   * listeners and init scripts it adds see the first requests.
   */
  openAppPage(prepare?: (page: Page) => Promise<void> | void): Promise<Page>;
  /** Adds the demo user's account through the system browser. */
  signInDemoUser(): Promise<AccountView>;
  /** Stops Chromium, the app and the provider, and removes the temp folders. */
  close(): Promise<void>;
}

/**
 * On a sign-in page that is already at the authorize URL: fills the provider's login page as `user`
 * when it shows one, or nothing when the provider session answers at once ("Sign-in finished").
 * Resolves to whether the login page showed.
 */
export async function logInIfAsked(page: Page, user: BrowserUser = DEMO_USER): Promise<boolean> {
  const form = page.getByLabel('Username');
  await Promise.race([form.waitFor({ state: 'visible', timeout: 30_000 }), signInFinished(page).waitFor({ timeout: 30_000 })]);
  const shown = await form.isVisible();
  if (shown) await signInThroughLoginPage(page, user);
  return shown;
}

/** The heading of the page the loopback listener answers a finished sign-in with. */
export function signInFinished(page: Page): Locator {
  return page.getByRole('heading', { name: 'Sign-in finished' });
}

/**
 * Finishes a sign-in page that is already at the authorize URL: fills the login page as `user`
 * unless the provider session answers at once, then waits for "Sign-in finished".
 */
export async function finishSignIn(page: Page, user: BrowserUser = DEMO_USER): Promise<void> {
  await logInIfAsked(page, user);
  await signInFinished(page).waitFor({ timeout: 30_000 });
}

async function signInAsDemoUser(url: string, context: BrowserContext): Promise<void> {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await finishSignIn(page);
  } finally {
    await page.close();
  }
}

/** Starts the provider, Chromium and browser mode (building the renderer when it is stale). */
export async function startRunningApp(options: RunningAppOptions): Promise<RunningApp> {
  if (rendererBuildIsStale(REPO_ROOT)) await buildRenderer(REPO_ROOT);
  await mkdir(SCREENSHOTS, { recursive: true });
  const folders: string[] = [];
  const folder = async (name: string): Promise<string> => {
    const made = await mkdtemp(join(tmpdir(), `tessera-${name}-`));
    folders.push(made);
    return made;
  };
  const parts: { idp?: TestIdp; browser?: Browser; mode?: BrowserMode } = {};
  const close = async (): Promise<void> => {
    await parts.browser?.close();
    await parts.mode?.close();
    await parts.idp?.stop();
    for (const made of folders) await rm(made, { recursive: true, force: true });
  };
  try {
    const idp = (parts.idp = await startTestIdp({ accessTokenTtl: options.accessTokenTtl ?? 3600, ...(options.clients ? { clients: options.clients } : {}) }));
    const dataDir = await folder(options.name);
    const runtimeDir = options.bridge ? await folder('run') : undefined;
    const binDir = options.commandLineTool ? join(dataDir, 'bin') : undefined;
    const browser = (parts.browser = await launchChromium({ caCertPem: idp.caCertPem }));
    const context = await newLoopbackContext(browser);
    const clipboard = new RecordingClipboard();
    const open = options.openSignInPage ?? signInAsDemoUser;
    const mode = (parts.mode = await startBrowserMode({
      version: '0.0.0-e2e',
      staticDir: join(REPO_ROOT, 'dist', 'renderer'),
      dataDir,
      clipboard,
      openExternal: (url) => open(url, context),
      signInTimeoutMs: 60_000,
      ...(options.onRefused ? { onRefused: options.onRefused } : {}),
      demo: {
        profile: { name: 'Local demo provider', kind: 'oidc', clientId: PUBLIC_CLIENT_ID, authority: idp.oidcIssuer, defaultScopes: [...(options.defaultScopes ?? [`${DEMO_API}/read`])], signInMethod: 'system-browser' },
        origin: idp.origin,
        caPath: idp.caPath,
        instanceDiscoveryUrl: idp.instanceDiscoveryUrl,
      },
      ...(binDir ? { commandLineTool: { script: TESSERA_BIN, binDir } } : {}),
      ...(runtimeDir ? { bridge: { env: { XDG_RUNTIME_DIR: runtimeDir }, ...(options.bridge?.lifetimes ? { lifetimes: options.bridge.lifetimes } : {}) } } : {}),
    }));
    const prompts: ConsentPrompt[] = [];
    const answers: ConsentChoice[] = [];
    // Stands in for the person at the Tessera window: answers each prompt with the next queued choice.
    mode.bridge?.service.subscribe((event) => {
      if (event.type !== 'consent-requested') return;
      prompts.push(event.prompt);
      const choice = answers.shift();
      if (choice) setTimeout(() => mode.bridge?.service.answerConsent(event.prompt.id, choice), 50);
    });
    const pageErrors: string[] = [];
    const openAppPage = async (prepare?: (page: Page) => Promise<void> | void): Promise<Page> => {
      const page = await context.newPage();
      await page.setViewportSize({ width: 1280, height: 800 });
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await prepare?.(page);
      await page.goto(mode.host.url);
      return page;
    };
    return {
      idp,
      mode,
      browser,
      context,
      dataDir,
      runtimeDir,
      binDir,
      clipboard,
      prompts,
      answers,
      pageErrors,
      openAppPage,
      signInDemoUser: () => mode.core.addAccount({ profileId: DEMO_PROFILE_ID, method: 'system-browser' }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
