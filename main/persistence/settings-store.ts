/**
 * A small synchronous key-value store for non-secret settings and ciphertext, on `conf`.
 *
 * `conf` is the library electron-store is built on: the same file format (tab-indented JSON) and
 * the same atomic writes (temp file + fsync + rename, through `atomically`). Browser mode and the
 * tests use {@link ConfStore}; the desktop app uses electron-store through
 * `electron-store-adapter.ts`. Both share {@link ConfBackedStore}, so the path the tests exercise
 * is the one users run.
 *
 * Single owner: one process per data folder writes these files. The desktop app holds Electron's
 * single-instance lock and, like browser mode, the data-folder lock of `main/instance/`; a second
 * instance hands over to the first instead of writing.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import Conf from 'conf';
import { ensureFolder } from './atomic-file';
import { diskError, errnoOf, PersistenceError } from './errors';
import { quarantineFile } from './quarantine';

/** Synchronous key-value storage of JSON values. */
export interface KeyValueStore {
  /** The stored value, or `undefined`. */
  get(key: string): unknown;
  /** Stores a JSON-serializable value and persists it before returning. */
  set(key: string, value: unknown): void;
  /** Removes the key and persists the change. */
  delete(key: string): void;
}

/** A {@link KeyValueStore} that can report a file it had to move away, or could not use, at start-up. */
export interface QuarantiningStore extends KeyValueStore {
  /** Path the unreadable file was moved to at start-up, so the UI can tell the user; else `undefined`. */
  readonly quarantined: string | undefined;
  /**
   * Why the store cannot save right now (its file is damaged and could not be moved aside, or its
   * folder cannot be created); `undefined` when it works. Writes throw this error meanwhile.
   */
  readonly problem: PersistenceError | undefined;
}

/** The parts of a `Conf` instance the store uses (electron-store has the same). */
export interface ConfLike {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

/** What {@link ConfBackedStore} passes to its `open` function. */
export interface ConfOpenOptions {
  /** Parses the file; throws `SyntaxError` for text that is not a JSON object. */
  readonly deserialize: (text: string) => Record<string, unknown>;
}

/** Options of {@link ConfBackedStore} and {@link ConfStore}. */
export interface ConfStoreOptions {
  /** Clock for the quarantine file name; defaults to `Date.now`. */
  readonly now?: () => number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON object or a `SyntaxError`: `conf` would otherwise turn `[1]` or `null` into `{}` and overwrite the file. */
function deserializeObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (!isPlainObject(value)) throw new SyntaxError('The file is JSON but not a JSON object.');
  return value;
}

/**
 * A {@link QuarantiningStore} over a `conf`-style store, with our handling of files it cannot use.
 *
 * - A file that does not parse (or is not a JSON object) is renamed to `<name>.corrupt-<timestamp>`
 *   (`quarantined`) and the store starts empty. `clearInvalidConfig` would wipe it without a backup.
 * - When that rename fails (read-only disk, no permission), the file is left exactly as it is:
 *   the store reads as empty and refuses every write with `problem` (`unreadable_file`), so
 *   nothing overwrites what could not be kept.
 * - When the folder cannot be created (read-only or full disk at first start), the store reads as
 *   empty, reports `problem`, and tries again at the next write.
 * - Every write failure is a typed {@link PersistenceError} (`disk_full`, `read_only`,
 *   `permission_denied`, `io_error`), never a raw system error.
 */
export class ConfBackedStore implements QuarantiningStore {
  readonly path: string;
  readonly quarantined: string | undefined;
  #problem: PersistenceError | undefined;
  /** True when the file exists but could not be read or kept: never written then. */
  readonly #frozen: boolean;
  readonly #open: () => ConfLike;
  #conf: ConfLike | undefined;

  constructor(path: string, open: (options: ConfOpenOptions) => ConfLike, options: ConfStoreOptions = {}) {
    this.path = path;
    this.#open = () => open({ deserialize: deserializeObject });
    let quarantined: string | undefined;
    let frozen = false;
    try {
      this.#conf = this.#openFolderAndFile();
    } catch (error) {
      if (error instanceof SyntaxError) {
        try {
          quarantined = quarantineFile(path, options.now);
          this.#conf = this.#open();
        } catch (moveError) {
          frozen = true;
          const why = diskError(moveError, 'It could not be moved aside', dirname(path));
          this.#problem = new PersistenceError(
            'unreadable_file',
            `${path} is damaged and could not be moved aside (${why.code.replace(/_/g, ' ')}). Tessera uses default settings and saves no changes, so the file stays as it is. Make the folder writable or move the file away, then restart Tessera.`,
            { cause: moveError },
          );
        }
      } else if (errnoOf(error)) {
        // A file that exists but could not be read is kept as it is (never written); a folder
        // that could not be created is tried again at the next write.
        frozen = existsSync(path);
        this.#problem = frozen
          ? diskError(error, `${basename(path)} could not be read, so Tessera uses default settings and saves no changes`, path)
          : diskError(error, 'Settings cannot be saved', dirname(path));
      } else {
        throw error;
      }
    }
    this.quarantined = quarantined;
    this.#frozen = frozen;
  }

  /** Why the store cannot save right now, or `undefined`. */
  get problem(): PersistenceError | undefined {
    return this.#problem;
  }

  /** The stored value (a fresh copy parsed from the file), or `undefined`. */
  get(key: string): unknown {
    if (!this.#conf) return undefined;
    try {
      return this.#conf.get(key);
    } catch (error) {
      throw this.#readFailure(error);
    }
  }

  /** Stores `value` and writes the file atomically; `undefined` deletes the key. */
  set(key: string, value: unknown): void {
    if (value === undefined) return this.delete(key);
    this.#write((conf) => conf.set(key, value));
  }

  /** Removes `key` and writes the file. */
  delete(key: string): void {
    if (this.#conf && this.get(key) === undefined) return;
    this.#write((conf) => conf.delete(key));
  }

  #write(change: (conf: ConfLike) => void): void {
    if (this.#frozen) throw this.#problem!;
    let conf = this.#conf;
    if (!conf) {
      try {
        conf = this.#conf = this.#openFolderAndFile();
        this.#problem = undefined;
      } catch (error) {
        throw (this.#problem = diskError(error, 'The change could not be saved', dirname(this.path)));
      }
    }
    try {
      change(conf);
    } catch (error) {
      if (error instanceof SyntaxError) throw this.#readFailure(error);
      throw diskError(error, 'The change could not be saved', this.path);
    }
  }

  #openFolderAndFile(): ConfLike {
    // 0700: the folder holds ciphertext and account names; conf would create it world-readable.
    ensureFolder(dirname(this.path));
    return this.#open();
  }

  #readFailure(error: unknown): PersistenceError {
    if (error instanceof SyntaxError) {
      return new PersistenceError('unreadable_file', `${this.path} was damaged while Tessera was running, so it was left as it is. Restart Tessera to move it aside.`, { cause: error });
    }
    return diskError(error, `${basename(this.path)} could not be read`, this.path);
  }
}

/**
 * A {@link ConfBackedStore} kept in one JSON file (mode 0600) at `path`, written by `conf`.
 *
 * `path` ends in `.json`; its folder is created with mode 0700.
 */
export class ConfStore extends ConfBackedStore {
  constructor(path: string, options: ConfStoreOptions = {}) {
    const extension = extname(path);
    super(
      path,
      ({ deserialize }) =>
        new Conf<Record<string, unknown>>({
          cwd: dirname(path),
          configName: basename(path, extension),
          fileExtension: extension.replace(/^\./, ''),
          configFileMode: 0o600,
          // Never wipe a file we cannot read: ConfBackedStore moves it aside instead.
          clearInvalidConfig: false,
          // Keys are opaque ids that may contain dots.
          accessPropertiesByDotNotation: false,
          watch: false,
          deserialize,
        }),
      options,
    );
  }
}
