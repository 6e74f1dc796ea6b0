/**
 * The app shell: toolbar, account list, and whichever dialog or panel is open.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import { AccountList } from './accounts/account-list';
import { ConfirmRemoveDialog } from './accounts/confirm-remove-dialog';
import { CopyOptionsDialog } from './accounts/copy-options-dialog';
import { AddAccountDialog } from './add-account/add-account-dialog';
import { SettingsPanel } from './settings/settings-panel';
import { useAppStore, type Panel } from './store';
import { assertNever } from './store/events-slice';
import { ToastHost } from './toast/toast-host';
import { TokenDetailsPanel } from './token-details/token-details-panel';

function OpenPanel({ panel }: { readonly panel: Panel }): ReactNode {
  switch (panel.kind) {
    case 'none':
      return null;
    case 'add-account':
      return <AddAccountDialog />;
    case 'settings':
      return <SettingsPanel />;
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
  const [filter, setFilter] = useState('');
  const filterId = useId();

  useEffect(() => {
    void loadAll();
  }, [loadAll]);

  return (
    <div className="app">
      <header className="toolbar">
        <h1 className="brand">Tessera</h1>
        <label htmlFor={filterId} className="visually-hidden">
          Filter accounts
        </label>
        <input id={filterId} type="search" placeholder={`Filter ${count} account${count === 1 ? '' : 's'}`} value={filter} onChange={(event) => setFilter(event.target.value)} />
        <button type="button" className="primary" onClick={() => openPanel({ kind: 'add-account' })}>
          Add account
        </button>
        <button type="button" onClick={() => openPanel({ kind: 'settings' })}>
          Settings
        </button>
      </header>
      {storage?.mode === 'memory-only' ? (
        <p className="banner" role="note">
          {appInfo?.mode === 'browser' && storage.backend === 'browser-mode-memory'
            ? 'Browser mode keeps tokens in memory only: accounts need to sign in again after a restart. Start it with --persist-tokens to keep them encrypted on disk.'
            : (storage.reason ?? 'Tokens are stored in memory only: accounts need to sign in again after a restart.')}
        </p>
      ) : null}
      <main className="content">
        <AccountList filter={filter} />
      </main>
      <OpenPanel panel={panel} />
      <TokenDetailsPanel />
      <ToastHost />
    </div>
  );
}
