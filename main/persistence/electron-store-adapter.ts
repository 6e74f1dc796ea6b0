/**
 * Electron adapter: a {@link QuarantiningStore} backed by electron-store.
 *
 * Only ciphertext (from `safeStorage`) and non-secret settings go in here: electron-store's own
 * `encryptionKey` is obfuscation, not protection, so it is not used. Same single-owner rule as
 * `settings-store.ts`.
 */
import { join } from 'node:path';
import { app } from 'electron';
import ElectronStore from 'electron-store';
import { ConfBackedStore, type ConfStoreOptions } from './settings-store';

/** Options of {@link ElectronStoreAdapter}. */
export interface ElectronStoreAdapterOptions extends ConfStoreOptions {
  /** File name without extension; defaults to `config`. */
  readonly name?: string;
  /** Directory; defaults to `app.getPath('userData')`. */
  readonly cwd?: string;
}

/**
 * electron-store with file mode 0600 and the unreadable-file handling of {@link ConfBackedStore}.
 *
 * `clearInvalidConfig` would wipe the file without a backup, and `migrations` are documented as
 * unreliable, so neither is used.
 */
export class ElectronStoreAdapter extends ConfBackedStore {
  constructor(options: ElectronStoreAdapterOptions = {}) {
    const name = options.name ?? 'config';
    const cwd = options.cwd ?? app.getPath('userData');
    super(
      join(cwd, `${name}.json`),
      ({ deserialize }) =>
        new ElectronStore({
          name,
          cwd,
          configFileMode: 0o600,
          clearInvalidConfig: false,
          // Keys are opaque ids that may contain dots.
          accessPropertiesByDotNotation: false,
          deserialize,
        }),
      options,
    );
  }
}
