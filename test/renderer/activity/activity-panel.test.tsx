// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTIVITY_PAGE } from '../../../renderer/activity/activity-panel';
import { App } from '../../../renderer/app';
import { formatDateTime } from '../../../renderer/common/format';
import { createFakeApi, makeAccount } from '../support/fake-api';
import { renderWithStore } from '../support/render-app';

afterEach(cleanup);

const caller = { program: 'curl-script', parentProgram: 'bash', tty: '/dev/pts/4', cwd: '/home/alice/api', pid: 3131 };

describe('Activity view', () => {
  it('lists hand-outs and refusals newest first from the header, in plain words, and live-updates', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    const now = Date.now();
    fake.bridge.activity = [
      { id: 'e3', at: now - 60_000, outcome: 'denied', caller: { program: 'ci-job' }, accountId: 'a', username: 'alice@contoso.com', scopes: ['api://tessera-demo/read'], integration: 'cli', code: 'no_standing_rule' },
      { id: 'e2', at: now - 3 * 60_000, outcome: 'handed-out', caller, accountId: 'a', username: 'alice@contoso.com', scopes: ['api://tessera-demo/read'], integration: 'git', basis: 'terminal-session', expiresOn: Math.floor(now / 1000) + 3600 },
      { id: 'e1', at: now - 2 * 3600_000, outcome: 'denied', caller, accountId: 'a', username: 'alice@contoso.com', scopes: [], integration: 'kubectl', code: 'consent_denied' },
    ];
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Activity' }));
    const panel = await screen.findByRole('dialog', { name: 'Activity' });
    await waitFor(() => expect(within(panel).getAllByTestId('activity-entry')).toHaveLength(3));
    const entries = within(panel).getAllByTestId('activity-entry');
    expect(entries.map((entry) => entry.querySelector('strong')?.textContent)).toEqual([
      'Refused: no terminal to ask from and no standing rule for this program',
      'Allowed for its terminal session',
      'Denied in Tessera',
    ]);
    const second = entries[1] as HTMLElement;
    expect(second.textContent).toContain('curl-script (process 3131), started by bash');
    expect(second.textContent).toContain('/dev/pts/4');
    expect(second.textContent).toContain('/home/alice/api');
    expect(second.textContent).toContain('git (credential helper)');
    expect(second.textContent).toContain('api://tessera-demo/read');
    // Relative time, with the absolute one on hover.
    const time = second.querySelector('time') as HTMLElement;
    expect(time.textContent).toBe('3 min ago');
    expect(time.getAttribute('title')).toBe(formatDateTime(now - 3 * 60_000));
    expect(entries[2]?.textContent).toContain('the profile’s default scopes');

    fake.logActivity({ at: Date.now(), outcome: 'handed-out', caller: { program: 'az' }, accountId: 'a', username: 'alice@contoso.com', scopes: ['https://management.azure.com/.default'], integration: 'azure-identity', basis: 'standing-rule' });
    await waitFor(() => expect(within(panel).getAllByTestId('activity-entry')).toHaveLength(4));
    const newest = within(panel).getAllByTestId('activity-entry')[0] as HTMLElement;
    expect(newest.querySelector('strong')?.textContent).toBe('Allowed by a standing rule');
    expect(newest.textContent).toContain('Azure SDK (azure-identity)');
    expect(newest.querySelector('time')?.textContent).toBe('just now');
  });

  it('never shows a token, and says why it is empty', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    fake.bridge.running = false;
    fake.bridge.reason = 'Browser mode was started without the token bridge.';
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Activity' }));
    const panel = await screen.findByRole('dialog', { name: 'Activity' });
    await waitFor(() => expect(within(panel).getByTestId('activity-empty').textContent).toBe('Nothing yet: the token bridge is not running (see Settings).'));
    expect(document.body.textContent).not.toContain(fake.token.accessToken);
  });

  it('shows a page at a time and older ones on request', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    const now = Date.now();
    fake.bridge.activity = Array.from({ length: ACTIVITY_PAGE + 5 }, (_, i) => ({
      id: `e${i}`,
      at: now - i * 1000,
      outcome: 'handed-out' as const,
      caller: { program: `p${i}` },
      accountId: 'a',
      username: 'a@contoso.com',
      scopes: ['s'],
      integration: 'cli' as const,
      basis: 'once' as const,
    }));
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Activity' }));
    const panel = await screen.findByRole('dialog', { name: 'Activity' });
    await waitFor(() => expect(within(panel).getAllByTestId('activity-entry')).toHaveLength(ACTIVITY_PAGE));
    fireEvent.click(within(panel).getByRole('button', { name: 'Show older (5 more)' }));
    expect(within(panel).getAllByTestId('activity-entry')).toHaveLength(ACTIVITY_PAGE + 5);
    expect(within(panel).getAllByTestId('activity-entry').at(-1)?.textContent).toContain(`p${ACTIVITY_PAGE + 4}`);
  });
});
