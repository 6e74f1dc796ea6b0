/**
 * Non-secret user settings, kept in the settings store.
 *
 * A patch arrives validated (the boundary's schema, `main/boundary/schema.ts`); the stored file is
 * read field by field against the contract's option lists and limits, because a hand-edited or
 * older file must lose only its bad fields, never all settings.
 */
import { LIMITS, LINUX_PASSWORD_STORES, SIGN_IN_METHODS, type Settings } from '../../preload/contract';
import type { KeyValueStore } from '../persistence/settings-store';

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

const within = (range: { readonly min: number; readonly max: number }) => (value: unknown) =>
  Number.isInteger(value) && (value as number) >= range.min && (value as number) <= range.max;
const among = (options: readonly string[]) => (value: unknown) => typeof value === 'string' && options.includes(value);

// What a stored field must be to be kept; the same data the boundary's schema is built from.
const STORED_FIELD: { readonly [K in keyof Settings]: (value: unknown) => boolean } = {
  clipboardClearSeconds: within(LIMITS.clipboardClearSeconds),
  autoRefreshLeadMinutes: within(LIMITS.autoRefreshLeadMinutes),
  defaultSignInMethod: among(SIGN_IN_METHODS),
  linuxPasswordStore: among(LINUX_PASSWORD_STORES),
  allowWeakEncryption: (value) => typeof value === 'boolean',
};

/** Reads the stored settings, falling back to defaults field by field. */
export function readSettings(store: KeyValueStore): Settings {
  const raw = store.get(SETTINGS_KEY);
  const stored = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [key, accepts] of Object.entries(STORED_FIELD)) {
    if (Object.prototype.hasOwnProperty.call(stored, key) && accepts(stored[key])) settings[key] = stored[key];
  }
  return Object.freeze(settings as unknown as Settings);
}

/** `settings` with a validated `patch` applied (fields set to `undefined` are left as they were). */
export function applySettingsPatch(settings: Settings, patch: Partial<Settings>): Settings {
  const next: Record<string, unknown> = { ...settings };
  for (const [key, value] of Object.entries(patch)) if (value !== undefined) next[key] = value;
  return Object.freeze(next as unknown as Settings);
}
