/**
 * The activity log: every hand-out (and refusal) of the token channel — when, which caller,
 * account, scopes and integration. Never the token.
 *
 * Kept in memory for the life of the app, newest last, capped; a hand-out never waits for a disk
 * write.
 */
import { randomUUID } from 'node:crypto';
import type { ActivityEntry } from './consent-types';

/** Entries kept. */
export const ACTIVITY_CAPACITY = 1000;

/** A capped, append-only list of {@link ActivityEntry}. */
export class ActivityLog {
  readonly #entries: ActivityEntry[] = [];
  readonly #capacity: number;

  constructor(capacity = ACTIVITY_CAPACITY) {
    this.#capacity = capacity;
  }

  /** Appends an entry (id assigned here) and returns it. */
  add(entry: Omit<ActivityEntry, 'id'>): ActivityEntry {
    const full: ActivityEntry = { id: randomUUID(), ...entry };
    this.#entries.push(full);
    if (this.#entries.length > this.#capacity) this.#entries.splice(0, this.#entries.length - this.#capacity);
    return full;
  }

  /** The entries, newest first. */
  list(limit = this.#capacity): readonly ActivityEntry[] {
    return this.#entries.slice(-limit).reverse();
  }
}
