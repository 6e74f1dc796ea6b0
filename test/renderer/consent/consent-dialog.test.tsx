// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/app';
import { createFakeApi, makeAccount, makePrompt } from '../support/fake-api';
import { renderWithStore } from '../support/render-app';

afterEach(cleanup);

const DIALOG = 'A program asks for a token';

/** The "Allow" buttons wait a moment after a prompt opens (ALLOW_DELAY_MS); wait until they are armed. */
async function armed(dialog: HTMLElement): Promise<void> {
  await waitFor(() => expect((within(dialog).getByRole('button', { name: 'Allow once' }) as HTMLButtonElement).disabled).toBe(false), { timeout: 3000 });
}

describe('consent prompt', () => {
  it('shows prompts already waiting at load, oldest first, with the count of others, and names account, scopes and what the caller reported', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    const now = Date.now();
    fake.bridge.prompts.push(
      makePrompt({ id: 'newer', requestedAt: now, username: 'alice@contoso.com', caller: { program: 'make', integration: 'cli' }, hasTerminal: false }),
      makePrompt({
        id: 'older',
        requestedAt: now - 5_000,
        username: 'alice@contoso.com',
        profileName: 'Demo provider',
        scopes: ['api://tessera-demo/read', 'api://tessera-demo/write'],
        integration: 'kubectl',
        caller: { program: 'kubectl', command: 'kubectl get pods', pid: 777, parentProgram: 'bash', tty: '/dev/pts/7', cwd: '/home/alice/cluster', integration: 'kubectl' },
      }),
    );
    renderWithStore(<App />, fake);
    const dialog = await screen.findByRole('dialog', { name: DIALOG });
    expect(dialog.textContent).toContain('For alice@contoso.com (Demo provider), scopes api://tessera-demo/read api://tessera-demo/write');
    const reported = within(dialog).getByRole('region', { name: 'Reported by the caller' });
    expect(reported.textContent).toContain('Any program running as you could claim these details.');
    const facts = [...reported.querySelectorAll('dt')].map((dt) => `${dt.textContent}: ${dt.nextElementSibling?.textContent}`);
    expect(facts).toEqual(
      expect.arrayContaining([
        'Program: kubectl (process 777)',
        'Command line: kubectl get pods',
        'Parent process: bash',
        'Terminal: /dev/pts/7',
        'Working folder: /home/alice/cluster',
        'Through: kubectl (credential plugin)',
      ]),
    );
    expect(within(dialog).getByTestId('consent-queue').textContent).toBe('1 more request is waiting after this one.');
    expect(within(dialog).getByRole('button', { name: 'Allow this terminal session' }).getAttribute('aria-describedby')).toBeTruthy();
    expect(dialog.textContent).toContain('idle for 10 minutes, for 12 hours at most, or until Tessera quits');

    await armed(dialog);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Allow once' }));
    await waitFor(() => expect(fake.callsOf('answerConsent').map((call) => call.args)).toEqual([['older', 'once']]));
    // The next one takes its place: no terminal, so no "terminal session" choice.
    await waitFor(() => expect(within(screen.getByRole('dialog', { name: DIALOG })).queryByText('make')).not.toBeNull());
    const next = screen.getByRole('dialog', { name: DIALOG });
    expect(within(next).queryByRole('button', { name: 'Allow this terminal session' })).toBeNull();
    expect(within(next).queryByTestId('consent-queue')).toBeNull();
    expect(within(next).getByText('none (not run from a terminal)')).toBeTruthy();
    expect(screen.getAllByTestId('toast').map((toast) => toast.textContent)).toContain('Allowed kubectl once for alice@contoso.com.×');
  });

  it('opens on consent-requested, starts on Deny with Allow buttons disabled for a moment, and "Always allow" makes a standing rule', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'a@contoso.com' })]);
    const { store } = renderWithStore(<App />, fake);
    await screen.findByRole('button', { name: 'Activity' });
    await waitFor(() => expect(fake.callsOf('listConsentPrompts')).toHaveLength(1));
    expect(screen.queryByRole('dialog')).toBeNull();

    fake.requestConsent({ caller: { program: 'deploy.sh', tty: '/dev/pts/1', integration: 'exec' }, integration: 'exec' });
    const dialog = await screen.findByRole('dialog', { name: DIALOG });
    // Focus lands on Deny, so an Enter meant for something else cannot grant a token.
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Deny' })));
    expect((within(dialog).getByRole('button', { name: 'Allow once' }) as HTMLButtonElement).disabled).toBe(true);
    await armed(dialog);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Always allow deploy.sh for this account and these scopes' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(store.getState().standingRules).toEqual([expect.objectContaining({ program: 'deploy.sh', username: 'a@contoso.com' })]);
    expect(store.getState().activity[0]).toMatchObject({ outcome: 'handed-out', basis: 'standing-rule' });
  });

  it('Escape answers Deny (the button says so); the × is "Deny and close"; a click on the backdrop does nothing', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    renderWithStore(<App />, fake);
    const first = fake.requestConsent();
    const dialog = await screen.findByRole('dialog', { name: DIALOG });
    const deny = within(dialog).getByRole('button', { name: 'Deny' });
    expect(deny.getAttribute('aria-keyshortcuts')).toBe('Escape');
    expect(deny.textContent).toBe('Deny Esc');
    fireEvent.mouseDown(dialog.parentElement as HTMLElement);
    expect(fake.callsOf('answerConsent')).toHaveLength(0);
    fireEvent.keyDown(document.body, { key: 'Escape' });
    await waitFor(() => expect(fake.callsOf('answerConsent').map((call) => call.args)).toEqual([[first.id, 'deny']]));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByTestId('toast').textContent).toContain("Denied sh's request for a@contoso.com.");

    const second = fake.requestConsent();
    fireEvent.click(within(await screen.findByRole('dialog', { name: DIALOG })).getByRole('button', { name: 'Deny and close' }));
    await waitFor(() => expect(fake.callsOf('answerConsent').map((call) => call.args)).toContainEqual([second.id, 'deny']));
  });

  it('closes on consent-resolved and says why in a toast: withdrawn, timed out, answered in another window', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    renderWithStore(<App />, fake);
    const cases = [
      ['cancelled', "sh's request for a@contoso.com was withdrawn: the program stopped waiting."],
      ['timed-out', "sh's request for a@contoso.com timed out: nobody answered in time. Run the command again to ask again."],
      ['once', "sh's request for a@contoso.com was allowed in another Tessera window."],
      ['deny', "sh's request for a@contoso.com was denied in another Tessera window."],
    ] as const;
    for (const [outcome, message] of cases) {
      const prompt = fake.requestConsent();
      await screen.findByRole('dialog', { name: DIALOG });
      fake.settleElsewhere(prompt.id, outcome);
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      expect(screen.getAllByTestId('toast').at(-1)?.textContent).toBe(`${message}×`);
    }
    expect(fake.callsOf('answerConsent')).toHaveLength(0);
  });

  it('treats an answer to a prompt already settled (not_found) as no error', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    const { store } = renderWithStore(<App />, fake);
    fake.requestConsent();
    const dialog = await screen.findByRole('dialog', { name: DIALOG });
    await armed(dialog);
    fake.failNext('answerConsent', { code: 'not_found', message: 'This request is no longer waiting (it was answered, withdrawn or timed out).' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Allow once' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(store.getState().toasts.filter((toast) => toast.kind === 'error')).toEqual([]);
  });

  it('keeps the prompt and says so when the answer fails for another reason', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    renderWithStore(<App />, fake);
    fake.requestConsent();
    const dialog = await screen.findByRole('dialog', { name: DIALOG });
    await armed(dialog);
    fake.failNext('answerConsent', { code: 'bridge_unavailable', message: 'The token bridge is not running, so the tessera command cannot reach Tessera.' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Allow once' }));
    await waitFor(() => expect(screen.getByTestId('toast').textContent).toContain('Answering the request failed: The token bridge is not running'));
    expect(screen.getByRole('dialog', { name: DIALOG })).toBeTruthy();
  });

  it('opens above another open dialog and gives it back focus afterwards', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
    const settings = await screen.findByRole('dialog', { name: 'Settings' });
    const field = within(settings).getByLabelText('Clear the clipboard after (seconds)');
    await waitFor(() => expect(document.activeElement).toBe(field));
    fake.requestConsent();
    await screen.findByRole('dialog', { name: DIALOG });
    // Escape goes to the prompt (the innermost dialog), not to Settings.
    fireEvent.keyDown(document.body, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog', { name: DIALOG })).toBeNull());
    expect(screen.getByRole('dialog', { name: 'Settings' })).toBeTruthy();
    expect(document.activeElement).toBe(field);
  });
});
