/**
 * Settings: clipboard clear time, default sign-in method, Linux password store, weak-encryption
 * opt-in, auto-refresh lead time; and where tokens are stored.
 */
import { useId, type ReactNode } from 'react';
import { LIMITS, LINUX_PASSWORD_STORES, type LinuxPasswordStore, type Settings, type SignInMethod } from '../../preload/contract';
import { Dialog } from '../common/dialog';
import { useAppStore } from '../store';

// The contract's lists and limits: the same data main's argument schema is built from.
const PASSWORD_STORES = LINUX_PASSWORD_STORES;
const { clipboardClearSeconds: CLEAR_RANGE, autoRefreshLeadMinutes: LEAD_RANGE } = LIMITS;

/** The settings panel. */
export function SettingsPanel(): ReactNode {
  const settings = useAppStore((state) => state.settings);
  const storage = useAppStore((state) => state.storage);
  const appInfo = useAppStore((state) => state.appInfo);
  const updateSettings = useAppStore((state) => state.updateSettings);
  const closePanel = useAppStore((state) => state.closePanel);
  const base = useId();
  const id = (field: keyof Settings): string => `${base}-${field}`;
  if (!settings) return null;
  const save = (patch: Partial<Settings>): void => void updateSettings(patch);

  return (
    <Dialog title="Settings" onClose={closePanel} variant="side" testId="settings">
      <div className="form">
        <div className="field">
          <label htmlFor={id('clipboardClearSeconds')}>Clear the clipboard after (seconds)</label>
          <input
            id={id('clipboardClearSeconds')}
            type="number"
            min={CLEAR_RANGE.min}
            max={CLEAR_RANGE.max}
            defaultValue={settings.clipboardClearSeconds}
            aria-describedby={`${id('clipboardClearSeconds')}-hint`}
            onBlur={(event) => {
              const value = Number(event.target.value);
              if (Number.isInteger(value) && value >= CLEAR_RANGE.min && value <= CLEAR_RANGE.max && value !== settings.clipboardClearSeconds) save({ clipboardClearSeconds: value });
            }}
          />
          <p className="hint" id={`${id('clipboardClearSeconds')}-hint`}>
            0 keeps copied tokens on the clipboard.
          </p>
        </div>
        <div className="field">
          <label htmlFor={id('defaultSignInMethod')}>Default sign-in method</label>
          <select id={id('defaultSignInMethod')} value={settings.defaultSignInMethod} onChange={(event) => save({ defaultSignInMethod: event.target.value as SignInMethod })}>
            <option value="embedded">App window</option>
            <option value="system-browser">System browser</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={id('autoRefreshLeadMinutes')}>Refresh pinned accounts this many minutes before expiry</label>
          <input
            id={id('autoRefreshLeadMinutes')}
            type="number"
            min={LEAD_RANGE.min}
            max={LEAD_RANGE.max}
            defaultValue={settings.autoRefreshLeadMinutes}
            onBlur={(event) => {
              const value = Number(event.target.value);
              if (Number.isInteger(value) && value >= LEAD_RANGE.min && value <= LEAD_RANGE.max && value !== settings.autoRefreshLeadMinutes) save({ autoRefreshLeadMinutes: value });
            }}
          />
        </div>
        <div className="field">
          <label htmlFor={id('linuxPasswordStore')}>Linux password store</label>
          <select id={id('linuxPasswordStore')} value={settings.linuxPasswordStore} aria-describedby={`${id('linuxPasswordStore')}-hint`} onChange={(event) => save({ linuxPasswordStore: event.target.value as LinuxPasswordStore })}>
            {PASSWORD_STORES.map((store) => (
              <option key={store} value={store}>
                {store}
              </option>
            ))}
          </select>
          <p className="hint" id={`${id('linuxPasswordStore')}-hint`}>
            Takes effect after a restart. On i3, sway or Hyprland choose gnome-libsecret to avoid plain-text storage.
          </p>
        </div>
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={settings.allowWeakEncryption} onChange={(event) => save({ allowWeakEncryption: event.target.checked })} />
            Store tokens on disk even when only weak encryption is available
          </label>
        </div>
        <section aria-label="Storage" className="storage">
          <h3>Token storage</h3>
          {storage ? (
            <p data-testid="storage-status">
              {storage.mode === 'encrypted' ? `Encrypted (${storage.backend}).` : `In memory only (${storage.backend}).`} {storage.reason ?? ''}
            </p>
          ) : null}
          {storage?.quarantinedFile ? <p className="notice">An unreadable settings file was moved to {storage.quarantinedFile}.</p> : null}
          {storage?.undecryptableBackup ? <p className="notice">The token cache could not be decrypted; a backup was kept at {storage.undecryptableBackup}.</p> : null}
          {appInfo ? (
            <p className="muted">
              Tessera {appInfo.version} · {appInfo.platform} · {appInfo.mode === 'browser' ? 'browser mode' : 'desktop'}
            </p>
          ) : null}
        </section>
      </div>
    </Dialog>
  );
}
