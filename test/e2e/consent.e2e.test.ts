/**
 * Consent for the `tessera` command, answered in the page (issue 10, "Consent"), end to end: the
 * real browser-mode host with its token bridge, the real test identity provider, Debian Chromium
 * showing the app, and the real command run as a process in a real terminal (a pseudo-terminal from
 * util-linux `script`, as test/bridge/cli.e2e.test.ts does) or without one, as a CI job runs it.
 * Tokens are checked against the provider's demo API with curl.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes';
import type { ConsentPrompt } from '../../main/bridge';
import { startBrowserMode, type BrowserMode } from '../../main/browser-host/browser-mode';
import { buildRenderer, rendererBuildIsStale } from '../../main/browser-host/build-renderer';
import { RecordingClipboard } from '../../main/clipboard/clipboard';
import { DEMO_PROFILE_ID } from '../../main/services/profiles';
import { CHROMIUM_MISSING, findChromium, launchChromium, newLoopbackContext, signInThroughLoginPage } from '../support/browser';
import { DEMO_API, PUBLIC_CLIENT_ID, startTestIdp, type TestIdp } from '../support/idp';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'cli', 'tessera.cjs');
// Every run saves its screenshots under test-results/; TESSERA_UPDATE_SCREENSHOTS=1 refreshes docs/screenshots.
const SCREENSHOTS = process.env.TESSERA_UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : join(ROOT, 'test-results', 'screenshots');
const chromiumPath = findChromium();
if (!chromiumPath) console.log(CHROMIUM_MISSING);
const hasScript = await new Promise<boolean>((done) => execFile('script', ['--version'], (error) => done(!error)));
if (!hasScript) console.log('util-linux `script` not found: apt-get install util-linux (the terminal cases need a pseudo-terminal)');

const ALICE = { username: 'alice@contoso.com', password: 'alice-password' };
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/;
const PROMPT = 'A program asks for a token';

interface Run {
  readonly code: number;
  readonly output: string;
}

/** A shell word. */
function q(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

describe.skipIf(!chromiumPath || !hasScript)('consent prompts answered in the page (browser mode, real tessera command)', () => {
  let idp: TestIdp;
  let mode: BrowserMode;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dataDir: string;
  let runtimeDir: string;
  let binDir: string;
  const prompts: ConsentPrompt[] = [];
  const tokens: string[] = [];
  const pageErrors: string[] = [];

  const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_RUNTIME_DIR: runtimeDir });

  /** Runs the command without a terminal (as a CI job or an editor would). */
  function tessera(args: readonly string[]): Promise<Run> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code: code ?? -1, output }));
    });
  }

  /** Runs a shell command line in a fresh pseudo-terminal; `tessera` is a function on its PATH. */
  function inTerminal(commandLine: string): Promise<Run> {
    const prelude = `tessera() { ${q(process.execPath)} ${q(BIN)} "$@"; }; `;
    return new Promise((done, fail) => {
      const child = spawn('script', ['-q', '-e', '-c', `sh -c ${q(prelude + commandLine)}`, '/dev/null'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', fail);
      // The terminal merges both streams and writes CRLF.
      child.on('close', (code) => done({ code: code ?? -1, output: output.replace(/\r\n/g, '\n') }));
    });
  }

  /** Calls the provider's demo API with a token, as a script would. */
  function demoApi(token: string): Promise<{ sub?: string }> {
    return new Promise((done, fail) =>
      execFile('curl', ['-sS', '--cacert', idp.caPath, '-H', `Authorization: Bearer ${token}`, idp.demoApiUrl], (error, stdout) => (error ? fail(error) : done(JSON.parse(stdout) as { sub?: string }))),
    );
  }

  function tokenIn(run: Run): string {
    const token = JWT.exec(run.output)?.[0];
    if (!token) throw new Error(`no token in the output (exit ${run.code})`);
    tokens.push(token);
    return token;
  }

  async function seriousAxeViolations(): Promise<string[]> {
    // Evaluated over the DevTools protocol, which the page's CSP (script-src 'self') does not govern.
    await page.evaluate(axe.source);
    const results = await page.evaluate(async () => {
      const run = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[]; failureSummary?: string }[] }[] }> } }).axe;
      return run.run(document);
    });
    return results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => `${node.target.join(' ')} ${node.failureSummary ?? ''}`).join(', ')}`);
  }

  /** Where keyboard focus is: inside the open dialog, on the body, or elsewhere; and its name. */
  async function focusPlace(): Promise<{ where: 'dialog' | 'body' | 'outside'; label: string }> {
    return page.evaluate(() => {
      const active = document.activeElement;
      const dialogs = [...document.querySelectorAll('[role="dialog"]')];
      const dialog = dialogs[dialogs.length - 1];
      const where = !active || active === document.body ? 'body' : dialog?.contains(active) ? 'dialog' : 'outside';
      const label = active instanceof HTMLElement ? (active.getAttribute('aria-label') ?? active.textContent ?? '') : '';
      return { where, label: label.replace(/\s+/g, ' ').trim() };
    });
  }

  const prompt = () => page.getByRole('dialog', { name: PROMPT });

  /** Clears the toasts off the screenshots. */
  async function dismissToasts(): Promise<void> {
    const dismiss = page.getByTestId('toast').getByRole('button', { name: 'Dismiss' });
    while ((await dismiss.count()) > 0) await dismiss.first().click();
  }

  beforeAll(async () => {
    if (rendererBuildIsStale(ROOT)) await buildRenderer(ROOT);
    await mkdir(SCREENSHOTS, { recursive: true });
    idp = await startTestIdp({ accessTokenTtl: 3600 });
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-consent-e2e-'));
    runtimeDir = await mkdtemp(join(tmpdir(), 'tessera-consent-run-'));
    binDir = join(dataDir, 'bin');
    browser = await launchChromium({ caCertPem: idp.caCertPem });
    context = await newLoopbackContext(browser);
    mode = await startBrowserMode({
      version: '0.0.0-e2e',
      staticDir: join(ROOT, 'dist', 'renderer'),
      dataDir,
      clipboard: new RecordingClipboard(),
      openExternal: async (url) => {
        const signIn = await context.newPage();
        await signIn.goto(url);
        await signInThroughLoginPage(signIn, ALICE);
        await signIn.getByRole('heading', { name: 'Sign-in finished' }).waitFor({ timeout: 30_000 });
        await signIn.close();
      },
      signInTimeoutMs: 60_000,
      demo: {
        profile: { name: 'Local demo provider', kind: 'oidc', clientId: PUBLIC_CLIENT_ID, authority: idp.oidcIssuer, defaultScopes: [`${DEMO_API}/read`], signInMethod: 'system-browser' },
        origin: idp.origin,
        caPath: idp.caPath,
        instanceDiscoveryUrl: idp.instanceDiscoveryUrl,
      },
      // The bridge's environment has no PATH, so Settings must say what to add to it.
      bridge: { env: { XDG_RUNTIME_DIR: runtimeDir } },
      commandLineTool: { script: BIN, binDir },
    });
    mode.bridge?.service.subscribe((event) => {
      if (event.type === 'consent-requested') prompts.push(event.prompt);
    });
    // Builds the command's bundle once (the bin builds it on first use in a fresh checkout).
    expect((await tessera(['--version'])).code).toBe(0);
    page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(mode.host.url);
    await mode.core.addAccount({ profileId: DEMO_PROFILE_ID, method: 'system-browser' });
    await page.getByRole('group', { name: `Account ${ALICE.username}` }).waitFor({ timeout: 30_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await mode?.close();
    await idp?.stop();
    for (const dir of [dataDir, runtimeDir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the prompt in the page, accessible and focus-trapped; "Allow once" hands a token the demo API accepts', async () => {
    const running = inTerminal(`tessera token ${ALICE.username}`);
    await prompt().waitFor({ timeout: 30_000 });
    const dialog = prompt();
    expect(await dialog.textContent()).toContain(`For ${ALICE.username} (Local demo provider), scopes ${DEMO_API}/read`);
    const reported = dialog.getByRole('region', { name: 'Reported by the caller' });
    expect(await reported.textContent()).toContain('Any program running as you could claim these details.');
    expect(await reported.textContent()).toMatch(/Terminal\/dev\/pts\/\d+/);
    expect(await reported.textContent()).toContain(`Working folder${ROOT}`);
    expect(await reported.textContent()).toContain('Throughtessera token');
    // Focus starts on Deny and Tab stays inside; nothing serious for axe.
    await expect.poll(focusPlace).toEqual({ where: 'dialog', label: 'Deny Esc' });
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      expect((await focusPlace()).where, `focus after ${key}`).toBe('dialog');
    }
    expect((await seriousAxeViolations()).join('\n')).toBe('');
    await dialog.getByRole('button', { name: 'Allow this terminal session' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'consent-prompt.png') });

    await dialog.getByRole('button', { name: 'Allow once' }).click();
    const run = await running;
    expect(run.code).toBe(0);
    expect(await demoApi(tokenIn(run))).toMatchObject({ sub: 'alice-sub-6a1f0c' });
    await expect.poll(() => prompt().count()).toBe(0);
    await page.getByTestId('toast').filter({ hasText: `once for ${ALICE.username}` }).waitFor();
  });

  it('"Deny" makes the command exit with the consent-denied code', async () => {
    const running = inTerminal('tessera token; echo "exit=$?"');
    await prompt().getByRole('button', { name: 'Deny', exact: true }).click({ timeout: 30_000 });
    const run = await running;
    expect(run.output).toContain('tessera: The request was denied in Tessera.');
    expect(run.output).toContain(`exit=${EXIT.consentDenied}`);
    expect(run.output).not.toMatch(JWT);
  });

  it('closes the prompt with a message when the program stops waiting', async () => {
    const before = prompts.length;
    // coreutils `timeout` ends the command after 3 s, as a person pressing Ctrl+C would.
    const run = await inTerminal(`timeout --foreground 3 ${q(process.execPath)} ${q(BIN)} token; echo "exit=$?"`);
    expect(run.output).toContain('exit=124');
    expect(prompts.length).toBe(before + 1);
    await page.getByTestId('toast').filter({ hasText: `request for ${ALICE.username} was withdrawn: the program stopped waiting.` }).waitFor();
    await expect.poll(() => prompt().count()).toBe(0);
  });

  it('"Always allow" makes a rule shown in Settings; the next request needs no prompt; after Revoke it prompts again', async () => {
    const approving = inTerminal('tessera token --program e2e-job; echo "exit=$?"');
    await prompt().getByRole('button', { name: 'Always allow e2e-job for this account and these scopes' }).click({ timeout: 30_000 });
    const approved = await approving;
    expect(approved.output).toContain('exit=0');
    tokenIn(approved);

    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    const section = settings.getByRole('region', { name: 'Command line (tessera)' });
    await expect.poll(() => section.getByTestId('bridge-status').textContent()).toBe(`Running: the tessera command reaches Tessera at ${join(runtimeDir, 'tessera', 'bridge.sock')}.`);
    const rule = section.getByTestId('standing-rule');
    await rule.waitFor();
    expect(await rule.textContent()).toContain(`e2e-job for ${ALICE.username}`);
    expect(await rule.textContent()).toContain(`Scopes: ${DEMO_API}/read`);

    // Without a terminal, as a CI job: the rule lets it through, no prompt.
    const before = prompts.length;
    const ci = await tessera(['token', '--program', 'e2e-job']);
    expect(ci.code).toBe(0);
    expect(await demoApi(tokenIn(ci))).toMatchObject({ sub: 'alice-sub-6a1f0c' });
    expect(prompts.length).toBe(before);
    await expect.poll(() => rule.textContent()).toMatch(/last used \d{4}-/);

    await section.getByRole('button', { name: `Revoke the rule for e2e-job (${ALICE.username})` }).click();
    await section.getByTestId('no-rules').waitFor();
    expect(mode.bridge?.service.listStandingRules()).toEqual([]);

    // It prompts again, above Settings; Escape answers "Deny".
    const again = inTerminal('tessera token --program e2e-job; echo "exit=$?"');
    await prompt().waitFor({ timeout: 30_000 });
    await expect.poll(focusPlace).toEqual({ where: 'dialog', label: 'Deny Esc' });
    await page.keyboard.press('Escape');
    const denied = await again;
    expect(denied.output).toContain(`exit=${EXIT.consentDenied}`);
    expect(prompts.length).toBe(before + 1);
    expect(await settings.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => settings.count()).toBe(0);
  });

  it('installs the command-line tool from Settings, says what to add to PATH, and the installed command runs', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const section = page.getByRole('dialog', { name: 'Settings' }).getByRole('region', { name: 'Command line (tessera)' });
    // A `tessera` that Tessera did not write is left alone, and the page says so in plain words.
    const foreign = join(binDir, 'tessera');
    await mkdir(binDir, { recursive: true });
    await writeFile(foreign, '#!/bin/sh\necho mine\n');
    await section.getByRole('button', { name: 'Install command-line tool' }).click();
    expect(await section.getByRole('alert').textContent()).toBe(
      `There is already a tessera command at ${foreign} that Tessera did not write, so Tessera left it alone. Remove or rename it, then install again.`,
    );
    expect(await readFile(foreign, 'utf8')).toBe('#!/bin/sh\necho mine\n');
    await rm(foreign);
    await section.getByRole('button', { name: 'Install command-line tool' }).click();
    await expect.poll(() => section.getByTestId('tool-status').textContent()).toContain(`Installed at ${join(binDir, 'tessera')}.`);
    expect(await section.getByTestId('path-advice').textContent()).toContain(`export PATH="${binDir}:$PATH"`);
    await section.getByRole('heading', { name: 'Command line (tessera)' }).scrollIntoViewIfNeeded();
    await dismissToasts();
    await page.screenshot({ path: join(SCREENSHOTS, 'settings-command-line.png') });
    const status = await new Promise<Run>((done) =>
      execFile(join(binDir, 'tessera'), ['status'], { env: { ...env(), PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` } }, (error, stdout) => done({ code: error ? Number(error.code ?? 1) : 0, output: stdout })),
    );
    expect(status.code).toBe(0);
    expect(status.output).toContain('Tessera 0.0.0-e2e is running');
    await page.keyboard.press('Escape');
  });

  it('lists the hand-outs and refusals in the Activity view, newest first, without any token', async () => {
    await page.getByRole('button', { name: 'Activity' }).click();
    const panel = page.getByRole('dialog', { name: 'Activity' });
    const entries = panel.getByTestId('activity-entry');
    await expect.poll(() => entries.count()).toBe(5);
    // The withdrawn request handed out nothing and refused nothing: it is not listed.
    const heads = await entries.locator('strong').allTextContents();
    expect(heads).toEqual(['Denied in Tessera', 'Allowed by a standing rule', 'Allowed by a standing rule', 'Denied in Tessera', 'Allowed once']);
    expect(await entries.nth(1).textContent()).toContain('e2e-job');
    expect(await entries.nth(4).textContent()).toContain(`${ALICE.username}`);
    expect(await entries.nth(4).textContent()).toContain('tessera token');
    expect(tokens).toHaveLength(3);
    const text = await page.evaluate(() => `${document.body.innerText}\n${document.documentElement.outerHTML}`);
    for (const token of tokens) expect(text).not.toContain(token);
    expect(text).not.toMatch(JWT);
    expect((await seriousAxeViolations()).join('\n')).toBe('');
    await dismissToasts();
    await page.screenshot({ path: join(SCREENSHOTS, 'activity.png') });
    await page.keyboard.press('Escape');
    expect(pageErrors).toEqual([]);
  });

  it('keeps the toolbar, with its Activity button, inside a 700 px window', async () => {
    await page.setViewportSize({ width: 700, height: 700 });
    const toolbar = await page.locator('.toolbar button').evaluateAll((buttons) => buttons.map((button) => ({ name: button.textContent, right: button.getBoundingClientRect().right, height: button.getBoundingClientRect().height })));
    expect(toolbar.map((button) => button.name)).toContain('Activity');
    for (const button of toolbar) {
      expect(button.right, `${button.name} inside the window`).toBeLessThanOrEqual(700);
      expect(button.height, `${button.name} on one line`).toBeLessThan(40);
    }
  });
});
