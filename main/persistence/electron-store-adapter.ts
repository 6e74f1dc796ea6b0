/**
 * Electron adapter: a {@link QuarantiningStore} backed by electron-store.
 *
 * Only ciphertext (from `safeStorage`) and non-secret settings go in here: electron-store's own
 * `encryptionKey` is obfuscation, not protection, so it is not used. Same single-owner rule as
 * `settings-store.ts`: the main process holds the single-instance lock and is the only writer.
 */
import { join } from 'node:path';
import { app } from 'electron';
import ElectronStore from 'electron-store';
import { quarantineFile } from './quarantine';
import type { QuarantiningStore } from './settings-store';

/** Options of {@link ElectronStoreAdapter}. */
export interface ElectronStoreAdapterOptions {
  /** File name without extension; defaults to `config`. */
  readonly name?: string;
  /** Directory; defaults to `app.getPath('userData')`. */
  readonly cwd?: string;
  /** Clock for the quarantine file name. */
  readonly now?: () => number;
}

/**
 * electron-store with file mode 0600 and our own handling of an unreadable file.
 *
 * `clearInvalidConfig` would wipe the file without a backup, and `migrations` are documented as
 * unreliable, so neither is used: a parse error moves the file to `<name>.json.corrupt-<timestamp>`
 * and the store starts empty, reporting the path in `quarantined`.
 */
export class ElectronStoreAdapter implements QuarantiningStore {
  readonly quarantined: string | undefined;
  readonly #store: ElectronStore;

  constructor(options: ElectronStoreAdapterOptions = {}) {
    const name = options.name ?? 'config';
    const cwd = options.cwd ?? app.getPath('userData');
    const open = (): ElectronStore =>
      new ElectronStore({
        name,
        cwd,
        configFileMode: 0o600,
        clearInvalidConfig: false,
        // Keys are opaque ids that may contain dots.
        accessPropertiesByDotNotation: false,
      });
    let quarantined: string | undefined;
    let store: ElectronStore;
    try {
      store = open();
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      quarantined = quarantineFile(join(cwd, `${name}.json`), options.now);
      store = open();
    }
    this.#store = store;
    this.quarantined = quarantined;
  }

  /** The stored value, or `undefined`. */
  get(key: string): unknown {
    return this.#store.get(key);
  }

  /** Stores `value` (electron-store writes the file atomically). */
  set(key: string, value: unknown): void {
    this.#store.set(key, value);
  }

  /** Removes `key`. */
  delete(key: string): void {
    this.#store.delete(key);
  }
}
