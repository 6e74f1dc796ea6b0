/**
 * The clipboard formats that tell clipboard managers "this is a secret, do not keep it".
 */

/** A raw platform clipboard format and the bytes to put in it. */
export interface ConcealedFormat {
  /** The platform's format name. */
  readonly format: string;
  /** Its content. */
  readonly value: string;
}

/**
 * The marker format for `platform`, or `undefined` where there is none.
 *
 * - macOS: `org.nspasteboard.ConcealedType` (nspasteboard.org convention, honoured by clipboard
 *   managers such as Maccy and Alfred); the presence of the type is the signal.
 * - Windows: `ExcludeClipboardContentFromMonitorProcessing` keeps the entry out of clipboard
 *   history and cloud sync (documented under "Cloud clipboard and clipboard history formats").
 * - Linux: `x-kde-passwordManagerHint` = `secret` makes KDE's Klipper skip the entry.
 */
export function concealedClipboardFormat(platform: NodeJS.Platform): ConcealedFormat | undefined {
  switch (platform) {
    case 'darwin':
      return { format: 'org.nspasteboard.ConcealedType', value: '' };
    case 'win32':
      return { format: 'ExcludeClipboardContentFromMonitorProcessing', value: '' };
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      return { format: 'x-kde-passwordManagerHint', value: 'secret' };
    default:
      return undefined;
  }
}
