/**
 * Non-secret user settings, kept in the settings store and validated on every change.
 */
import type { LinuxPasswordStore, Settings } from '../../preload/contract';
import type { KeyValueStore } from '../persistence/settings-store';
import { AppError } from './errors';

/** The settings-store key of {@link Settings}. */
export const SETTINGS_KEY = 'settings';

/** Settings of a fresh install. */
export const DEFAULT_SETTINGS: Settings = Object.freeze({
  clipboardClearSeconds: 60,
  defaultSignInMethod: 'embedded',
  linuxPasswordStore: 'auto',
  allowWeakEncryption: false,
  autoRefreshLeadMinutes: 5,
});

const PASSWORD_STORES: readonly LinuxPasswordStore[] = ['auto', 'gnome-libsecret', 'kwallet5', 'kwallet6', 'basic'];

/**
 * Reads the stored settings, falling back to defaults field by field.
 *
 * A hand-edited or older file with a bad field loses only that field.
 */
export function readSettings(store: KeyValueStore): Settings {
  const raw = store.get(SETTINGS_KEY);
  const stored = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  let settings: Settings = DEFAULT_SETTINGS;
  for (const [key, value] of Object.entries(stored)) {
    try {
      settings = applySettingsPatch(settings, { [key]: value });
    } catch {
      // Keep the default for a field that does not validate.
    }
  }
  return settings;
}

/**
 * `settings` with `patch` applied; throws `AppError('invalid_argument')` naming the bad field.
 *
 * `patch` is treated as unknown input: it comes from the renderer.
 */
export function applySettingsPatch(settings: Settings, patch: unknown): Settings {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new AppError('invalid_argument', 'Settings must be an object.');
  }
  const next: { -readonly [K in keyof Settings]: Settings[K] } = { ...settings };
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    switch (key) {
      case 'clipboardClearSeconds':
        if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 3600) {
          throw new AppError('invalid_argument', 'Clipboard clear time must be a whole number of seconds from 0 (never) to 3600.');
        }
        next.clipboardClearSeconds = value as number;
        break;
      case 'autoRefreshLeadMinutes':
        if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 60) {
          throw new AppError('invalid_argument', 'Auto-refresh lead time must be a whole number of minutes from 1 to 60.');
        }
        next.autoRefreshLeadMinutes = value as number;
        break;
      case 'defaultSignInMethod':
        if (value !== 'embedded' && value !== 'system-browser') {
          throw new AppError('invalid_argument', 'The sign-in method must be "embedded" or "system-browser".');
        }
        next.defaultSignInMethod = value;
        break;
      case 'linuxPasswordStore':
        if (!PASSWORD_STORES.includes(value as LinuxPasswordStore)) {
          throw new AppError('invalid_argument', `The password store must be one of ${PASSWORD_STORES.join(', ')}.`);
        }
        next.linuxPasswordStore = value as LinuxPasswordStore;
        break;
      case 'allowWeakEncryption':
        if (typeof value !== 'boolean') throw new AppError('invalid_argument', 'allowWeakEncryption must be true or false.');
        next.allowWeakEncryption = value;
        break;
      default:
        throw new AppError('invalid_argument', `Unknown setting "${key.slice(0, 40)}".`);
    }
  }
  return Object.freeze(next);
}
