/**
 * Settings: clipboard clear time, auto-refresh lead time, and, in the desktop app, the default
 * sign-in method, Linux password store and weak-encryption opt-in; and where tokens are stored.
 *
 * Browser mode shows only what applies to it: it always signs in through the system browser and
 * has no OS keyring, so keyring settings and keyring advice are left out. Numbers are checked here
 * and a wrong one is explained next to its field instead of being dropped silently.
 */
import { useId, useState, type ReactNode } from 'react';
import { LIMITS, LINUX_PASSWORD_STORES, type LinuxPasswordStore, type Settings, type SignInMethod, type StorageStatus } from '../../preload/contract';
import { Dialog } from '../common/dialog';
import { useAppStore } from '../store';
import { CommandLineSection } from './command-line-section';

// The contract's lists and limits: the same data main's argument schema is built from.
const PASSWORD_STORES = LINUX_PASSWORD_STORES;
const { clipboardClearSeconds: CLEAR_RANGE, autoRefreshLeadMinutes: LEAD_RANGE } = LIMITS;

/** Why `text` is not a whole number in `range`, in plain words, or undefined when it is. */
export function wholeNumberProblem(text: string, range: { readonly min: number; readonly max: number }, unit: string): string | undefined {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !/^-?\d+(\.\d+)?$/.test(trimmed)) return `Enter a number of ${unit} from ${range.min} to ${range.max}.`;
  if (!Number.isInteger(value)) return `Use whole ${unit} (no fractions), from ${range.min} to ${range.max}.`;
  if (value < range.min || value > range.max) return `Use ${range.min} to ${range.max} ${unit}.`;
  return undefined;
}

function NumberSetting({
  id,
  label,
  hint,
  value,
  range,
  unit,
  onSave,
}: {
  readonly id: string;
  readonly label: string;
  readonly hint?: string;
  readonly value: number;
  readonly range: { readonly min: number; readonly max: number };
  readonly unit: string;
  readonly onSave: (value: number) => Promise<boolean>;
}): ReactNode {
  const [text, setText] = useState(String(value));
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [saved, setSaved] = useState(false);
  const commit = async (): Promise<void> => {
    const found = wholeNumberProblem(text, range, unit);
    setProblem(found);
    setSaved(false);
    if (found || Number(text) === value) return;
    setSaved(await onSave(Number(text)));
  };
  const describedBy = [hint ? `${id}-hint` : '', problem ? `${id}-error` : '', saved ? `${id}-saved` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="numeric"
        value={text}
        aria-invalid={problem ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => {
          setText(event.target.value);
          setSaved(false);
        }}
        onBlur={() => void commit()}
        onKeyDown={(event) => {
          if (event.key === 'Enter') void commit();
        }}
      />
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {problem ? (
        <p className="field-error" id={`${id}-error`}>
          {problem}
        </p>
      ) : null}
      {saved ? (
        <p className="hint" id={`${id}-saved`} role="status">
          Saved.
        </p>
      ) : null}
    </div>
  );
}

function storageText(storage: StorageStatus, browserMode: boolean): string {
  if (browserMode) {
    return storage.mode === 'encrypted'
      ? 'Saved on disk, encrypted with a key file next to the token cache (started with --persist-tokens). Anything running as you can read that key file: see the README.'
      : 'In memory only: browser mode has no OS keyring, so accounts sign in again after a restart. To keep tokens on disk, encrypted with a key file, start it with npm start -- --persist-tokens.';
  }
  return `${storage.mode === 'encrypted' ? `Encrypted (${storage.backend}).` : `In memory only (${storage.backend}).`} ${storage.reason ?? ''}`.trim();
}

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
  const browserMode = appInfo?.mode === 'browser';
  const save = (patch: Partial<Settings>): void => void updateSettings(patch);

  return (
    <Dialog title="Settings" onClose={closePanel} variant="side" testId="settings">
      <div className="form">
        <NumberSetting
          id={id('clipboardClearSeconds')}
          label="Clear the clipboard after (seconds)"
          hint="0 keeps copied tokens on the clipboard."
          value={settings.clipboardClearSeconds}
          range={CLEAR_RANGE}
          unit="seconds"
          onSave={(value) => updateSettings({ clipboardClearSeconds: value })}
        />
        <NumberSetting
          id={id('autoRefreshLeadMinutes')}
          label="Refresh pinned accounts this many minutes before expiry"
          value={settings.autoRefreshLeadMinutes}
          range={LEAD_RANGE}
          unit="minutes"
          onSave={(value) => updateSettings({ autoRefreshLeadMinutes: value })}
        />
        {browserMode ? null : (
          <>
            <div className="field">
              <label htmlFor={id('defaultSignInMethod')}>Default sign-in method</label>
              <select id={id('defaultSignInMethod')} value={settings.defaultSignInMethod} onChange={(event) => save({ defaultSignInMethod: event.target.value as SignInMethod })}>
                <option value="embedded">App window</option>
                <option value="system-browser">System browser</option>
                <option value="device-code">Device code</option>
              </select>
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
          </>
        )}
        {browserMode ? <p className="hint">Browser mode signs in through this browser (the system browser); the desktop app also offers its own sign-in window.</p> : null}
        <section aria-label="Storage" className="storage">
          <h3>Token storage</h3>
          {storage ? <p data-testid="storage-status">{storageText(storage, browserMode)}</p> : null}
          {storage?.quarantinedFile ? <p className="notice">An unreadable settings file was moved to {storage.quarantinedFile}.</p> : null}
          {storage?.undecryptableBackup ? <p className="notice">The token cache could not be decrypted; a backup was kept at {storage.undecryptableBackup}.</p> : null}
          {appInfo ? (
            <p className="muted">
              Tessera {appInfo.version} · {appInfo.platform} · {appInfo.mode === 'browser' ? 'browser mode' : 'desktop'}
            </p>
          ) : null}
        </section>
        <CommandLineSection />
      </div>
    </Dialog>
  );
}
