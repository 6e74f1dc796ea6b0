/**
 * The app's pushes (`AppEvent`) to its listeners: the renderer bridge, the tray, browser-mode streams.
 */
import type { AppEvent } from '../../preload/contract';

/** Fans out events; a listener that throws is logged and does not stop the others. */
export class EventHub {
  readonly #listeners = new Set<(event: AppEvent) => void>();
  readonly #log: (line: string) => void;

  constructor(log: (line: string) => void) {
    this.#log = log;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: (event: AppEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sends `event` to every listener. */
  emit(event: AppEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        this.#log(`an event listener threw on ${event.type}`);
      }
    }
  }

  /** Drops every listener (shutdown). */
  clear(): void {
    this.#listeners.clear();
  }
}
