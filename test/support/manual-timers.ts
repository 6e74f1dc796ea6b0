/**
 * Timers that fire only when a test says so: an in-memory implementation of our `Timers` interface.
 */
import type { Timers } from '../../main/clipboard/clipboard-service';

/** A scheduled callback and the delay it asked for. */
export interface PendingTimer {
  readonly callback: () => void;
  readonly ms: number;
}

/** Manual timers: nothing runs until `fireAll` or `fireLongerThan`. */
export class ManualTimers implements Timers {
  readonly pending = new Map<number, PendingTimer>();
  #next = 1;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.pending.set(id, { callback, ms });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** The delays of the timers still pending. */
  delays(): number[] {
    return [...this.pending.values()].map((p) => p.ms);
  }

  /** Fires every pending timer. */
  fireAll(): void {
    this.fireLongerThan(0);
  }

  /** Fires every pending timer whose delay is at least `minMs`; returns how many fired. */
  fireLongerThan(minMs: number): number {
    let fired = 0;
    for (const [id, entry] of [...this.pending]) {
      if (entry.ms < minMs) continue;
      this.pending.delete(id);
      entry.callback();
      fired++;
    }
    return fired;
  }
}
