/**
 * Copying secrets with a self-clearing clipboard.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ClipboardAdapter } from './clipboard';

/** The timer functions the service uses (injectable for tests). */
export interface Timers {
  /** Schedules `callback` after `ms`; returns a handle. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a handle from {@link Timers.setTimeout}. */
  clearTimeout(handle: unknown): void;
}

/** Options of {@link ClipboardService}. */
export interface ClipboardServiceOptions {
  /** Time until the clipboard is cleared; defaults to 60 s. */
  readonly clearAfterMs?: number;
  /** Timer functions; default the global ones. */
  readonly timers?: Timers;
  /** Clock for `clearsAt`; defaults to `Date.now`. */
  readonly now?: () => number;
  /** Told when clearing failed (the OS refused); never receives the secret. */
  readonly onClearError?: (error: unknown) => void;
}

/** The default delay before the clipboard is cleared. */
export const DEFAULT_CLEAR_AFTER_MS = 60_000;

const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Copies secrets (access tokens, `Authorization` headers) and clears them again.
 *
 * After `clearAfterMs` the clipboard is cleared, but only if it still holds what we copied: if the
 * user has copied something else meanwhile, it is left alone. The service keeps only a keyed hash
 * of the secret, not the secret itself. A new copy replaces the pending clear.
 */
export class ClipboardService {
  readonly #adapter: ClipboardAdapter;
  readonly #timers: Timers;
  readonly #now: () => number;
  readonly #onClearError: ((error: unknown) => void) | undefined;
  // Per-instance key: the hash is useless for guessing the token outside this process.
  readonly #hashKey = randomBytes(32);
  #clearAfterMs: number;
  #pending: { readonly handle: unknown; readonly digest: string } | undefined;

  constructor(adapter: ClipboardAdapter, options: ClipboardServiceOptions = {}) {
    this.#adapter = adapter;
    this.#timers = options.timers ?? systemTimers;
    this.#now = options.now ?? Date.now;
    this.#onClearError = options.onClearError;
    this.#clearAfterMs = validDelay(options.clearAfterMs ?? DEFAULT_CLEAR_AFTER_MS);
  }

  /** The current delay before clearing. */
  get clearAfterMs(): number {
    return this.#clearAfterMs;
  }

  /** Changes the delay for later copies (a setting); the pending clear keeps its time. */
  setClearAfterMs(ms: number): void {
    this.#clearAfterMs = validDelay(ms);
  }

  /** Writes `text` as a secret and schedules the clear; returns when it will be cleared. */
  async copySecret(text: string): Promise<{ clearsAt: number }> {
    if (typeof text !== 'string' || text === '') throw new TypeError('Nothing to copy.');
    await this.#adapter.writeSecret(text);
    // After the write, so overlapping copies leave exactly one pending clear (the last one).
    this.#cancelPending();
    const digest = this.#digest(text);
    const delay = this.#clearAfterMs;
    const handle = this.#timers.setTimeout(() => {
      if (this.#pending?.handle === handle) this.#pending = undefined;
      void this.#clearIfOurs(digest);
    }, delay);
    this.#pending = { handle, digest };
    return { clearsAt: this.#now() + delay };
  }

  /** Cancels the pending clear and clears now if the clipboard still holds our secret (app quit). */
  async dispose(): Promise<void> {
    const pending = this.#pending;
    this.#cancelPending();
    if (pending) await this.#clearIfOurs(pending.digest);
  }

  #cancelPending(): void {
    if (this.#pending) this.#timers.clearTimeout(this.#pending.handle);
    this.#pending = undefined;
  }

  async #clearIfOurs(digest: string): Promise<void> {
    try {
      const current = await this.#adapter.readText();
      if (current !== '' && this.#digest(current) === digest) await this.#adapter.clear();
    } catch (error) {
      this.#onClearError?.(error);
    }
  }

  #digest(text: string): string {
    return createHmac('sha256', this.#hashKey).update(text, 'utf8').digest('hex');
  }
}

function validDelay(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError('clearAfterMs must be a positive number of milliseconds.');
  return ms;
}
