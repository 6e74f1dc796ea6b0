/**
 * A small synchronous key-value store for non-secret settings and ciphertext.
 *
 * Single owner: only the main process reads and writes these files, and it holds Electron's
 * single-instance lock (a second launch focuses the first and exits), so there is no second writer
 * and no file lock. A lock without stale-lock recovery is worse than none (msal-node-extensions
 * #7148); if a second writer is ever added, it must go through the main process.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { readFileIfExists, removeStaleTempFiles, writeFileAtomic } from './atomic-file';
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

/** A {@link KeyValueStore} that can report a file it had to move away at start-up. */
export interface QuarantiningStore extends KeyValueStore {
  /** Path the unreadable file was moved to at start-up, so the UI can tell the user; else `undefined`. */
  readonly quarantined: string | undefined;
}

/** Options of {@link JsonFileStore}. */
export interface JsonFileStoreOptions {
  /** Clock for the quarantine file name; defaults to `Date.now`. */
  readonly now?: () => number;
}

type JsonObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A {@link KeyValueStore} kept in one JSON file (mode 0600), rewritten atomically on every change.
 *
 * A file that does not parse (or is not a JSON object) is renamed to `<name>.corrupt-<timestamp>`;
 * the store starts empty and reports the new path in `quarantined`.
 */
export class JsonFileStore implements QuarantiningStore {
  readonly path: string;
  readonly quarantined: string | undefined;
  #data: JsonObject;

  constructor(path: string, options: JsonFileStoreOptions = {}) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Leftovers of a write that was killed; safe because this process is the single owner.
    removeStaleTempFiles(path);
    const text = readFileIfExists(path, 'utf8');
    let data: JsonObject = {};
    let quarantined: string | undefined;
    if (text !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (isPlainObject(parsed)) data = parsed;
      else quarantined = quarantineFile(path, options.now);
    }
    this.#data = data;
    this.quarantined = quarantined;
  }

  /** The stored value (a copy, so callers cannot change the store behind its back). */
  get(key: string): unknown {
    const value = this.#data[key];
    return value === undefined ? undefined : structuredClone(value);
  }

  /** Stores a copy of `value` and writes the file; `undefined` deletes the key. */
  set(key: string, value: unknown): void {
    if (value === undefined) return this.delete(key);
    // Round-trip through JSON so what is kept in memory is exactly what a restart would read.
    const next = { ...this.#data, [key]: JSON.parse(JSON.stringify(value)) as unknown };
    this.#write(next);
  }

  /** Removes `key` and writes the file. */
  delete(key: string): void {
    if (!(key in this.#data)) return;
    const next = { ...this.#data };
    delete next[key];
    this.#write(next);
  }

  #write(next: JsonObject): void {
    // Memory changes only after the disk write succeeded, so both always agree.
    writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    this.#data = next;
  }
}
