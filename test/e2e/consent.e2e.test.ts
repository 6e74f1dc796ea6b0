/**
 * Consent for the `tessera` command, answered in the page (issue 10, "Consent"), end to end: the
 * real browser-mode host with its token bridge, the real test identity provider, Debian Chromium
 * showing the app, and the real command run as a process in a real terminal (a pseudo-terminal from
 * util-linux `script`, as test/bridge/cli.e2e.test.ts does) or without one, as a CI job runs it.
 * Tokens are checked against the provider's demo API with curl.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes';
import type { BrowserMode } from '../../main/browser-host/browser-mode';
import { chromiumInstalled } from '../support/browser';
import { DEMO_API, type TestIdp } from '../support/idp';
import { seriousAxeViolations } from '../support/page-checks';
import { command, requires } from '../support/requires';
import { DEMO_USER, REPO_ROOT as ROOT, screenshot, startRunningApp, TESSERA_BIN as BIN, type RunningApp } from '../support/running-app';
import { inTerminal as runInTerminal, shellWord as q, tesseraShellFunction, withoutTerminal, type TerminalRun as Run } from '../support/terminal';

const ALICE = DEMO_USER;
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/;
const PROMPT = 'A program asks for a token';

requires(chromiumInstalled(), command('script', 'apt-get install util-linux (the terminal cases need a pseudo-terminal)')).describe('consent prompts answered in the page (browser mode, real tessera command)', () => {
  let app: RunningApp;
  let idp: TestIdp;
  let mode: BrowserMode;
  let page: Page;
  let runtimeDir: string;
  let binDir: string;
  const tokens: string[] = [];

  const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_RUNTIME_DIR: runtimeDir });

  /** Runs the command without a terminal (as a CI job or an editor would); stdout and stderr together. */
  async function tessera(args: readonly string[]): Promise<Run> {
    const run = await withoutTerminal(process.execPath, [BIN, ...args], { cwd: ROOT, env: env() });
    return { code: run.code, output: run.stdout + run.stderr };
  }

  /** Runs a shell command line in a fresh pseudo-terminal; `tessera` is a function on its PATH. */
  function inTerminal(commandLine: string): Promise<Run> {
    return runInTerminal(tesseraShellFunction(BIN) + commandLine, { cwd: ROOT, env: env() });
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
    // The bridge's environment has no PATH, so Settings must say what to add to it.
    app = await startRunningApp({ name: 'consent-e2e', bridge: {}, commandLineTool: true });
    ({ idp, mode } = app);
    runtimeDir = app.runtimeDir ?? '';
    binDir = app.binDir ?? '';
    // Builds the command's bundle once (the bin builds it on first use in a fresh checkout).
    expect((await tessera(['--version'])).code).toBe(0);
    page = await app.openAppPage();
    await app.signInDemoUser();
    await page.getByRole('group', { name: `Account ${ALICE.username}` }).waitFor({ timeout: 30_000 });
  }, 180_000);

  afterAll(() => app?.close());

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
    expect((await seriousAxeViolations(page)).join('\n')).toBe('');
    await dialog.getByRole('button', { name: 'Allow this terminal session' }).waitFor();
    await screenshot(page, 'consent-prompt');

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
    const before = app.prompts.length;
    // coreutils `timeout` ends the command after 3 s, as a person pressing Ctrl+C would.
    const run = await inTerminal(`timeout --foreground 3 ${q(process.execPath)} ${q(BIN)} token; echo "exit=$?"`);
    expect(run.output).toContain('exit=124');
    expect(app.prompts.length).toBe(before + 1);
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
    const before = app.prompts.length;
    const ci = await tessera(['token', '--program', 'e2e-job']);
    expect(ci.code).toBe(0);
    expect(await demoApi(tokenIn(ci))).toMatchObject({ sub: 'alice-sub-6a1f0c' });
    expect(app.prompts.length).toBe(before);
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
    expect(app.prompts.length).toBe(before + 1);
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
    await screenshot(page, 'settings-command-line');
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
    expect((await seriousAxeViolations(page)).join('\n')).toBe('');
    await dismissToasts();
    await screenshot(page, 'activity');
    await page.keyboard.press('Escape');
    expect(app.pageErrors).toEqual([]);
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
