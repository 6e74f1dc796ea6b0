/**
 * The clipboard seam: where copied tokens go.
 *
 * Asynchronous because Electron 45's clipboard module is (it follows the W3C Clipboard API).
 */

/** Writes secrets to, and reads from, a clipboard. */
export interface ClipboardAdapter {
  /** Writes `text`, marked as concealed/secret where the platform supports it. */
  writeSecret(text: string): Promise<void>;
  /** The clipboard's current plain text ('' when it holds none). */
  readText(): Promise<string>;
  /** Empties the clipboard. */
  clear(): Promise<void>;
}

/** One write seen by {@link RecordingClipboard}. */
export interface RecordedWrite {
  readonly text: string;
  /** True for {@link ClipboardAdapter.writeSecret}; false for writes by "another app". */
  readonly concealed: boolean;
}

/**
 * An in-memory {@link ClipboardAdapter} that records every write.
 *
 * For tests, and for browser mode, where the host has no system clipboard to use.
 */
export class RecordingClipboard implements ClipboardAdapter {
  readonly #writes: RecordedWrite[] = [];
  #text = '';
  #clears = 0;

  /** Every write so far, oldest first. */
  get writes(): readonly RecordedWrite[] {
    return this.#writes;
  }

  /** How many times {@link RecordingClipboard.clear} ran. */
  get clears(): number {
    return this.#clears;
  }

  /** Stores `text` as a concealed write. */
  async writeSecret(text: string): Promise<void> {
    this.#text = text;
    this.#writes.push({ text, concealed: true });
  }

  /** Simulates another application (or the user) replacing the clipboard. */
  writeExternal(text: string): void {
    this.#text = text;
    this.#writes.push({ text, concealed: false });
  }

  /** The current text. */
  async readText(): Promise<string> {
    return this.#text;
  }

  /** Empties the clipboard. */
  async clear(): Promise<void> {
    this.#text = '';
    this.#clears += 1;
  }
}
