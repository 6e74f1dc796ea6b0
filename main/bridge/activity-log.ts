/**
 * The activity log: every hand-out (and refusal) of the token channel — when, which caller,
 * account, scopes and integration. Never the token.
 *
 * Newest last, capped. With a file it survives restarts: one JSON line per entry, appended
 * asynchronously shortly after the hand-out (a hand-out never waits for the disk, and kubectl may
 * call many times a second), and compacted to the newest entries when it grows to twice the cap.
 * Writes run one at a time, in order; the app awaits `settled` when it quits. A process killed
 * outright loses at most the last {@link WRITE_DELAY_MS} of entries. Lines that do not read back (a crash mid-line,
 * a hand edit) are dropped. It is not the settings file: rewriting that with every hand-out made
 * each one wait for a whole-file write.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { appendFile, rename, writeFile } from 'node:fs/promises';
import { BRIDGE_INTEGRATIONS } from '../../preload/contract';
import type { ActivityEntry } from './consent-types';

/** Entries kept. */
export const ACTIVITY_CAPACITY = 1000;

/** How long after an entry it is appended (one write for a burst of kubectl calls). */
const WRITE_DELAY_MS = 200;

/** Options of {@link ActivityLog}. */
export interface ActivityLogOptions {
  readonly capacity?: number;
  /** Where the log is kept across restarts (`activity.jsonl` in the data folder; no secrets). */
  readonly file?: string;
  /** Told when a write fails (the log stays in memory). */
  readonly onWriteError?: (error: unknown) => void;
}

/** A capped, append-only list of {@link ActivityEntry}. */
export class ActivityLog {
  readonly #entries: ActivityEntry[];
  readonly #capacity: number;
  readonly #file: string | undefined;
  readonly #onWriteError: ((error: unknown) => void) | undefined;
  /** Lines not yet handed to the disk. */
  #pending: string[] = [];
  /** Lines in the file (read at start, plus appended), to know when to compact. */
  #linesInFile = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Writes run one after another, in order. */
  #writing: Promise<void> = Promise.resolve();

  constructor(options: ActivityLogOptions = {}) {
    this.#capacity = options.capacity ?? ACTIVITY_CAPACITY;
    this.#file = options.file;
    this.#onWriteError = options.onWriteError;
    const saved = this.#file ? readLines(this.#file) : [];
    this.#linesInFile = saved.length;
    this.#entries = saved
      .map(parseLine)
      .filter((entry): entry is ActivityEntry => entry !== undefined)
      .sort((a, b) => a.at - b.at)
      .slice(-this.#capacity);
  }

  /** Appends an entry (id assigned here) and returns it. */
  add(entry: Omit<ActivityEntry, 'id'>): ActivityEntry {
    const full: ActivityEntry = { id: randomUUID(), ...entry };
    this.#entries.push(full);
    if (this.#entries.length > this.#capacity) this.#entries.splice(0, this.#entries.length - this.#capacity);
    if (this.#file) {
      this.#pending.push(`${JSON.stringify(full)}\n`);
      if (!this.#timer) {
        this.#timer = setTimeout(() => this.#writeSoon(), WRITE_DELAY_MS);
        this.#timer.unref();
      }
    }
    return full;
  }

  /** The entries, newest first. */
  list(limit = this.#capacity): readonly ActivityEntry[] {
    return this.#entries.slice(-limit).reverse();
  }

  /** Resolves when every entry added so far is on disk (or failed to get there). */
  async settled(): Promise<void> {
    if (this.#timer) this.#writeSoon();
    await this.#writing;
  }

  #writeSoon(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const file = this.#file;
    if (!file || this.#pending.length === 0) return;
    const lines = this.#pending.splice(0);
    this.#writing = this.#writing.then(async () => {
      try {
        if (this.#linesInFile + lines.length > 2 * this.#capacity) {
          // Compact: the newest entries only, written whole and renamed into place.
          const temp = `${file}.${process.pid}.tmp`;
          await writeFile(temp, this.#entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''), { mode: 0o600 });
          await rename(temp, file);
          this.#linesInFile = this.#entries.length;
        } else {
          await appendFile(file, lines.join(''), { mode: 0o600 });
          this.#linesInFile += lines.length;
        }
      } catch (error) {
        this.#onWriteError?.(error);
      }
    });
  }
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}

function parseLine(line: string): ActivityEntry | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return isEntry(value) ? value : undefined;
  } catch {
    return undefined;
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
