// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { useState, type ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/app';
import { Dialog } from '../../../renderer/common/dialog';
import { createFakeApi, makeAccount } from '../support/fake-api';
import { renderWithStore } from '../support/render-app';

afterEach(cleanup);

// A dialog whose "Save" button disables itself (like "Reveal" while it runs) or disappears.
function SavingDialog({ onClose, vanish = false }: { readonly onClose: () => void; readonly vanish?: boolean }): ReactNode {
  const [saving, setSaving] = useState(false);
  return (
    <Dialog title="Edit" onClose={onClose}>
      <label htmlFor="name">Name</label>
      <input id="name" />
      <button type="button">Help</button>
      {vanish && saving ? null : (
        <button type="button" disabled={saving} onClick={() => setSaving(true)}>
          Save
        </button>
      )}
    </Dialog>
  );
}

function Host({ vanish }: { readonly vanish?: boolean }): ReactNode {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      {open ? <SavingDialog onClose={() => setOpen(false)} vanish={vanish ?? false} /> : null}
    </>
  );
}

describe('Dialog', () => {
  it('opens with focus on its first field and gives focus back when it closes', () => {
    render(<Host />);
    const opener = screen.getByRole('button', { name: 'Open' });
    opener.focus();
    fireEvent.click(opener);
    expect(document.activeElement).toBe(screen.getByLabelText('Name'));
    fireEvent.keyDown(document.activeElement as HTMLElement, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('moves focus to the neighbouring control when the focused button is disabled, so Escape still closes it', async () => {
    render(<Host />);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    const save = screen.getByRole('button', { name: 'Save' });
    save.focus();
    fireEvent.click(save);
    expect((save as HTMLButtonElement).disabled).toBe(true);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Help' })));
    fireEvent.keyDown(document.activeElement as HTMLElement, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('keeps focus inside when the focused button disappears', async () => {
    render(<Host vanish />);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    const save = screen.getByRole('button', { name: 'Save' });
    save.focus();
    fireEvent.click(save);
    expect(save.isConnected).toBe(false);
    await waitFor(() => expect(screen.getByRole('dialog').contains(document.activeElement)).toBe(true));
    expect(document.activeElement).not.toBe(document.body);
  });

  it('closes on Escape even when focus is on the page body', () => {
    render(<Host />);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    act(() => (document.activeElement as HTMLElement).blur());
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('wraps Tab and Shift+Tab inside the dialog, and pulls focus back from outside', () => {
    render(<Host />);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    const dialog = screen.getByRole('dialog');
    const close = within(dialog).getByRole('button', { name: 'Close' });
    const save = within(dialog).getByRole('button', { name: 'Save' });
    save.focus();
    fireEvent.keyDown(save, { key: 'Tab' });
    expect(document.activeElement).toBe(close);
    fireEvent.keyDown(close, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(save);
    act(() => screen.getByRole('button', { name: 'Open' }).focus());
    expect(dialog.contains(document.activeElement)).toBe(true);
  });

  it('starts every app dialog on its first field', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    renderWithStore(<App />, fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Copy options for alice@contoso.com' }));
    expect(document.activeElement).toBe(within(await screen.findByRole('dialog')).getByLabelText('Scopes'));
    fireEvent.keyDown(document.activeElement as HTMLElement, { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'Add account' }));
    // The profile list is a radio group: the checked profile takes focus.
    await waitFor(() => expect(document.activeElement).toBe(within(screen.getByRole('dialog')).getByRole('radio', { name: /Demo provider/ })));
    fireEvent.keyDown(document.activeElement as HTMLElement, { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'Remove alice@contoso.com' }));
    // No field: the first button, and the safe one.
    expect(document.activeElement).toBe(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Keep' }));
    fireEvent.keyDown(document.activeElement as HTMLElement, { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'Decode a token' }));
    expect(document.activeElement).toBe(within(await screen.findByRole('dialog', { name: 'Decode a token' })).getByLabelText('Token to decode'));
  });
});

describe('App keyboard shortcuts', () => {
  it('focuses the filter with Ctrl+K or ⌘K, and ArrowDown goes on to the first account', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a', username: 'alice@contoso.com' })]);
    renderWithStore(<App />, fake);
    await screen.findByRole('group', { name: 'Account alice@contoso.com' });
    fireEvent.keyDown(document.body, { key: 'k', ctrlKey: true });
    const filter = screen.getByRole('searchbox', { name: 'Filter accounts' });
    expect(document.activeElement).toBe(filter);
    act(() => filter.blur());
    fireEvent.keyDown(document.body, { key: 'K', metaKey: true });
    expect(document.activeElement).toBe(filter);
    fireEvent.keyDown(filter, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(screen.getByRole('group', { name: 'Account alice@contoso.com' }));
  });
});
