/**
 * Electron adapter: the system clipboard, written from the main process.
 */
import { clipboard, ClipboardItem } from 'electron';
import type { ClipboardAdapter } from './clipboard';
import { concealedClipboardFormat } from './concealed-format';

/**
 * {@link ClipboardAdapter} over Electron's clipboard module.
 *
 * The plain text and the platform's "concealed" marker go into one `ClipboardItem`, committed in a
 * single `clipboard.write()`: separate writes would each replace the clipboard and drop the marker.
 */
export class ElectronClipboard implements ClipboardAdapter {
  /** Writes `text` together with the platform's concealed marker. */
  async writeSecret(text: string): Promise<void> {
    const items: Record<string, string | Blob> = { 'text/plain': text };
    const marker = concealedClipboardFormat(process.platform);
    if (marker) items[`electron application/osclipboard;format="${marker.format}"`] = new Blob([marker.value]);
    await clipboard.write([new ClipboardItem(items)]);
  }

  /** The clipboard's plain text. */
  readText(): Promise<string> {
    return clipboard.readText();
  }

  /** Empties the clipboard. */
  async clear(): Promise<void> {
    clipboard.clear();
  }
}
