/**
 * The app shell: toolbar, account list, and whichever dialog or panel is open.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { AccountList } from './accounts/account-list';
import { ConfirmRemoveDialog } from './accounts/confirm-remove-dialog';
import { CopyOptionsDialog } from './accounts/copy-options-dialog';
import { ActivityPanel } from './activity/activity-panel';
import { AccountDeviceCodeDialog } from './add-account/account-device-code-dialog';
import { AddAccountDialog } from './add-account/add-account-dialog';
import { ConsentHost } from './consent/consent-dialog';
import { SettingsPanel } from './settings/settings-panel';
import { useAppStore, type Panel } from './store';
import { assertNever } from './store/events-slice';
import { ToastHost } from './toast/toast-host';
import { DecodeTokenDialog } from './token-details/decode-token-form';
import { TokenDetailsPanel } from './token-details/token-details-panel';

function shortcutLabel(): string {
  return /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘K' : 'Ctrl+K';
}

function OpenPanel({ panel }: { readonly panel: Panel }): ReactNode {
  switch (panel.kind) {
    case 'none':
      return null;
    case 'add-account':
      return <AddAccountDialog />;
    case 'settings':
      return <SettingsPanel />;
    case 'activity':
      return <ActivityPanel />;
    case 'confirm-remove':
      return <ConfirmRemoveDialog accountId={panel.accountId} />;
    case 'copy-options':
      return <CopyOptionsDialog accountId={panel.accountId} />;
    default:
      return assertNever(panel);
  }
}

/** The whole UI. Expects a store in context (see `main.tsx`). */
export function App(): ReactNode {
  const loadAll = useAppStore((state) => state.loadAll);
  const panel = useAppStore((state) => state.panel);
  const openPanel = useAppStore((state) => state.openPanel);
  const storage = useAppStore((state) => state.storage);
  const appInfo = useAppStore((state) => state.appInfo);
  const count = useAppStore((state) => state.accounts.length);
  const detailsOpen = useAppStore((state) => state.detailsFor !== null);
  const consentOpen = useAppStore((state) => state.consentPrompts.length > 0);
  const [filter, setFilter] = useState('');
  const [decoding, setDecoding] = useState(false);
  const filterId = useId();
  const filterRef = useRef<HTMLInputElement>(null);
  const deviceCodeOpen = useAppStore((state) => state.accountDeviceCode !== null);
  const dialogOpen = panel.kind !== 'none' || detailsOpen || decoding || consentOpen || deviceCodeOpen;

  useEffect(() => {
    void loadAll();
  }, [loadAll]);

  // Ctrl+K (⌘K on macOS) jumps to the filter, as in VS Code, Slack and GitHub.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (dialogOpen || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || event.key.toLowerCase() !== 'k') return;
      event.preventDefault();
      filterRef.current?.focus();
      filterRef.current?.select();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [dialogOpen]);

  return (
    <div className="app">
      <header className="toolbar">
        <h1 className="brand">Tessera</h1>
        <label htmlFor={filterId} className="visually-hidden">
          Filter accounts
        </label>
        <input
          ref={filterRef}
          id={filterId}
          type="search"
          placeholder={`Filter ${count} account${count === 1 ? '' : 's'} (${shortcutLabel()})`}
          aria-keyshortcuts="Control+K Meta+K"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          onKeyDown={(event) => {
            // Arrow down from the filter lands on the first matching account.
            if (event.key !== 'ArrowDown') return;
            const first = document.querySelector<HTMLElement>('.account-list .account-row');
            if (!first) return;
            event.preventDefault();
            first.focus();
          }}
        />
        <button type="button" className="primary" onClick={() => openPanel({ kind: 'add-account' })}>
          Add account
        </button>
        <button type="button" onClick={() => setDecoding(true)}>
          Decode a token
        </button>
        <button type="button" onClick={() => openPanel({ kind: 'activity' })}>
          Activity
        </button>
        <button type="button" onClick={() => openPanel({ kind: 'settings' })}>
          Settings
        </button>
      </header>
      {storage?.mode === 'memory-only' ? (
        <p className="banner" role="note">
          {appInfo?.mode === 'browser' && storage.backend === 'browser-mode-memory'
            ? 'Browser mode keeps tokens in memory only: accounts need to sign in again after a restart. To keep them encrypted on disk, start it with npm start -- --persist-tokens (see the README for what its key file protects).'
            : (storage.reason ?? 'Tokens are stored in memory only: accounts need to sign in again after a restart.')}
        </p>
      ) : null}
      <main className="content">
        <AccountList filter={filter} />
      </main>
      <OpenPanel panel={panel} />
      <TokenDetailsPanel />
      <AccountDeviceCodeDialog />
      {decoding ? <DecodeTokenDialog onClose={() => setDecoding(false)} /> : null}
      {/* Last, so a prompt opens above whatever else is open (and takes Escape and focus first). */}
      <ConsentHost />
      <ToastHost />
    </div>
  );
}
