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
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { AccountView } from '../../preload/contract';
import type { BridgeOptions, ConsentChoice, ConsentPrompt } from '../../main/bridge';
import { startBrowserMode, type BrowserMode, type BrowserModeOptions } from '../../main/browser-host/browser-mode';
import { buildRenderer, rendererBuildIsStale } from '../../main/browser-host/build-renderer';
import { RecordingClipboard } from '../../main/clipboard/clipboard';
import { DEMO_PROFILE_ID } from '../../main/services/profiles';
import { launchChromium, newLoopbackContext, signInThroughLoginPage, type BrowserUser } from './browser';
import { DEMO_API, PUBLIC_CLIENT_ID, startTestIdp, type TestIdp } from './idp';

/** The repository root (the built renderer is `dist/renderer` below it). */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** The demo user every end-to-end test signs in as (one of the test provider's default users). */
export const DEMO_USER: BrowserUser = { username: 'alice@contoso.com', password: 'alice-password' };

/** Options of {@link startRunningApp}. */
export interface RunningAppOptions {
  /** Names the temp folders (`tessera-<name>-*`). */
  readonly name: string;
  /** Access token lifetime at the test provider, in seconds. Default 3600. */
  readonly accessTokenTtl?: number;
  /** The demo profile's default scopes. Default `[<demo API>/read]`. */
  readonly defaultScopes?: readonly string[];
  /** Serve the token bridge, its socket in a temp runtime folder ({@link RunningApp.runtimeDir}). */
  readonly bridge?: Pick<BridgeOptions, 'lifetimes'>;
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
  readonly clipboard: RecordingClipboard;
  /** Consent prompts the bridge raised, in order (with `bridge` only). */
  readonly prompts: ConsentPrompt[];
  /** Answers for the next prompts, used in order: a test pushes the choice the person would make. */
  readonly answers: ConsentChoice[];
  /** Adds the demo user's account through the system browser. */
  signInDemoUser(): Promise<AccountView>;
  /** Stops Chromium, the app and the provider, and removes the temp folders. */
  close(): Promise<void>;
}

/**
 * Finishes a sign-in page that is already at the authorize URL: fills the login page as `user`
 * unless the provider session answers at once, then waits for "Sign-in finished".
 */
export async function finishSignIn(page: Page, user: BrowserUser = DEMO_USER): Promise<void> {
  const finished = page.getByRole('heading', { name: 'Sign-in finished' });
  const form = page.getByLabel('Username');
  await Promise.race([form.waitFor({ state: 'visible', timeout: 30_000 }), finished.waitFor({ timeout: 30_000 })]);
  if (await form.isVisible()) await signInThroughLoginPage(page, user);
  await finished.waitFor({ timeout: 30_000 });
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
    const idp = (parts.idp = await startTestIdp({ accessTokenTtl: options.accessTokenTtl ?? 3600 }));
    const dataDir = await folder(options.name);
    const runtimeDir = options.bridge ? await folder('run') : undefined;
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
    return {
      idp,
      mode,
      browser,
      context,
      dataDir,
      runtimeDir,
      clipboard,
      prompts,
      answers,
      signInDemoUser: () => mode.core.addAccount({ profileId: DEMO_PROFILE_ID, method: 'system-browser' }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
