/**
 * The activity log: every hand-out (and refusal) of the token channel — when, which caller,
 * account, scopes and integration. Never the token.
 *
 * Newest last, capped. With a store it survives restarts: entries are written shortly after they
 * happen (batched, off the hand-out's path — a hand-out never waits for a disk write) and on
 * `flush` when the app quits. Entries that do not read back (a hand-edited file) are dropped.
 */
import { randomUUID } from 'node:crypto';
import { BRIDGE_INTEGRATIONS } from '../../preload/contract';
import type { KeyValueStore } from '../persistence/settings-store';
import type { ActivityEntry } from './consent-types';

/** Entries kept. */
export const ACTIVITY_CAPACITY = 1000;

/** The settings-store key of the saved log. */
export const ACTIVITY_KEY = 'bridgeActivity';

/** How long after an entry the log is written (one write for a burst of kubectl calls). */
const WRITE_DELAY_MS = 500;

/** Options of {@link ActivityLog}. */
export interface ActivityLogOptions {
  readonly capacity?: number;
  /** Where the log is kept across restarts (the settings store: it holds no secret). */
  readonly store?: KeyValueStore;
  /** Told when a write fails (the log stays in memory). */
  readonly onWriteError?: (error: unknown) => void;
}

/** A capped, append-only list of {@link ActivityEntry}. */
export class ActivityLog {
  readonly #entries: ActivityEntry[];
  readonly #capacity: number;
  readonly #store: KeyValueStore | undefined;
  readonly #onWriteError: ((error: unknown) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ActivityLogOptions = {}) {
    this.#capacity = options.capacity ?? ACTIVITY_CAPACITY;
    this.#store = options.store;
    this.#onWriteError = options.onWriteError;
    const saved = this.#store?.get(ACTIVITY_KEY);
    this.#entries = Array.isArray(saved) ? saved.filter(isEntry).slice(-this.#capacity) : [];
  }

  /** Appends an entry (id assigned here) and returns it. */
  add(entry: Omit<ActivityEntry, 'id'>): ActivityEntry {
    const full: ActivityEntry = { id: randomUUID(), ...entry };
    this.#entries.push(full);
    if (this.#entries.length > this.#capacity) this.#entries.splice(0, this.#entries.length - this.#capacity);
    if (this.#store && !this.#timer) {
      this.#timer = setTimeout(() => this.flush(), WRITE_DELAY_MS);
      this.#timer.unref();
    }
    return full;
  }

  /** The entries, newest first. */
  list(limit = this.#capacity): readonly ActivityEntry[] {
    return this.#entries.slice(-limit).reverse();
  }

  /** Writes what is not written yet (the app quits). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#store) return;
    try {
      this.#store.set(ACTIVITY_KEY, this.#entries);
    } catch (error) {
      this.#onWriteError?.(error);
    }
  }
}

function isEntry(value: unknown): value is ActivityEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  const caller = entry.caller as Record<string, unknown> | null | undefined;
  return (
    typeof entry.id === 'string' &&
    typeof entry.at === 'number' &&
    (entry.outcome === 'handed-out' || entry.outcome === 'denied') &&
    typeof caller === 'object' &&
    caller !== null &&
    typeof caller.program === 'string' &&
    typeof entry.accountId === 'string' &&
    typeof entry.username === 'string' &&
    Array.isArray(entry.scopes) &&
    entry.scopes.every((scope) => typeof scope === 'string') &&
    (BRIDGE_INTEGRATIONS as readonly unknown[]).includes(entry.integration)
  );
}
