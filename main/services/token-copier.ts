/**
 * Copying a token to the clipboard and clearing it after the configured time (0: never), with a
 * `clipboard-cleared` push when it is cleared.
 */
import type { AppEvent } from '../../preload/contract';
import type { ClipboardAdapter } from '../clipboard/clipboard';
import { ClipboardService, type Timers } from '../clipboard/clipboard-service';

/** Options of {@link TokenCopier}. */
export interface TokenCopierOptions {
  readonly clipboard: ClipboardAdapter;
  readonly clearAfterSeconds: number;
  readonly timers: Timers;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly emit: (event: AppEvent) => void;
  readonly log: (line: string) => void;
}

/** The app's clipboard for secrets. */
export class TokenCopier {
  readonly #clipboard: ClipboardAdapter;
  readonly #service: ClipboardService;
  #clearAfterSeconds: number;

  constructor(options: TokenCopierOptions) {
    const { clipboard, emit } = options;
    this.#clipboard = clipboard;
    this.#clearAfterSeconds = options.clearAfterSeconds;
    // Clearing goes through this wrapper so the UI hears about it.
    const notifying: ClipboardAdapter = {
      writeSecret: (text) => clipboard.writeSecret(text),
      readText: () => clipboard.readText(),
      clear: async () => {
        await clipboard.clear();
        emit({ type: 'clipboard-cleared' });
      },
    };
    this.#service = new ClipboardService(notifying, {
      clearAfterMs: Math.max(1, options.clearAfterSeconds) * 1000,
      timers: options.timers,
      now: options.now,
      onClearError: () => options.log('clipboard clear failed'),
    });
  }

  /** Copies `text`; resolves with when it will be cleared (epoch ms), or null when clearing is off. */
  async copy(text: string): Promise<number | null> {
    if (this.#clearAfterSeconds <= 0) {
      await this.#clipboard.writeSecret(text);
      return null;
    }
    return (await this.#service.copySecret(text)).clearsAt;
  }

  /** Applies the "clear clipboard after" setting to later copies. */
  setClearAfterSeconds(seconds: number): void {
    this.#clearAfterSeconds = seconds;
    if (seconds > 0) this.#service.setClearAfterMs(seconds * 1000);
  }

  /** Clears our contents if still there and stops the timer. */
  dispose(): Promise<void> {
    return this.#service.dispose();
  }
}
