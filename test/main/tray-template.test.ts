import { describe, expect, it } from 'vitest';
import {
  buildTrayTemplate,
  copyTokenItemId,
  findTrayItem,
  serializableTemplate,
  type TrayActions,
  type TrayModel,
} from '../../main/tray-template';

/** Actions that record what was clicked. */
function recordingActions(): TrayActions & { readonly clicks: string[] } {
  const clicks: string[] = [];
  return {
    clicks,
    copyToken: async (accountId) => {
      clicks.push(`copy:${accountId}`);
    },
    open: async () => {
      clicks.push('open');
    },
    quit: async () => {
      clicks.push('quit');
    },
  };
}

const model: TrayModel = {
  items: [
    { kind: 'account', accountId: 'a1', label: 'alice@example.com — Demo', status: { kind: 'valid', expiresOn: 1 } },
    { kind: 'account', accountId: 'a2', label: 'bob@R&D — Contoso', status: { kind: 'needs-sign-in', reason: 'expired' } },
    { kind: 'account', accountId: 'a3', label: 'carol', status: 'refreshing' },
    { kind: 'separator' },
    { kind: 'open' },
    { kind: 'quit' },
  ],
};

describe('buildTrayTemplate', () => {
  it('gives each account a "Copy access token" item, then Open and Quit', () => {
    const template = serializableTemplate(buildTrayTemplate(model, recordingActions()));
    expect(template).toEqual([
      { type: 'submenu', label: 'alice@example.com — Demo', submenu: [{ id: 'copy-token:a1', type: 'normal', label: 'Copy access token' }] },
      { type: 'submenu', label: 'bob@R&&D — Contoso (needs sign-in)', submenu: [{ id: 'sign-in:a2', type: 'normal', label: 'Sign in again…' }] },
      { type: 'submenu', label: 'carol (refreshing)', submenu: [{ id: 'copy-token:a3', type: 'normal', label: 'Copy access token' }] },
      { type: 'separator' },
      { id: 'open', type: 'normal', label: 'Open Tessera' },
      { id: 'quit', type: 'normal', label: 'Quit Tessera' },
    ]);
  });

  it('wires clicks to the actions', async () => {
    const actions = recordingActions();
    const template = buildTrayTemplate(model, actions);
    await findTrayItem(template, copyTokenItemId('a1'))?.click?.();
    await findTrayItem(template, 'sign-in:a2')?.click?.();
    await findTrayItem(template, 'quit')?.click?.();
    expect(actions.clicks).toEqual(['copy:a1', 'open', 'quit']);
    expect(findTrayItem(template, 'copy-token:a2')).toBeUndefined();
  });

  it('says so when there are no accounts and drops a leading separator', () => {
    const template = serializableTemplate(buildTrayTemplate({ items: [{ kind: 'separator' }, { kind: 'open' }, { kind: 'quit' }] }, recordingActions()));
    expect(template).toEqual([
      { type: 'normal', label: 'No accounts yet', enabled: false },
      { type: 'separator' },
      { id: 'open', type: 'normal', label: 'Open Tessera' },
      { id: 'quit', type: 'normal', label: 'Quit Tessera' },
    ]);
  });
});
