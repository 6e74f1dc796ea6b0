/**
 * The system clipboard for the browser-mode host, through the platform's clipboard commands.
 *
 * Node has no clipboard API, and the page must not receive the token just to copy it (copying
 * happens in main). So the host pipes the token to `wl-copy`, `xclip`, `xsel`, `pbcopy` or `clip`.
 */
import { spawn } from 'node:child_process';
import { AppError } from '../services/errors';
import type { ClipboardAdapter } from '../clipboard/clipboard';

/** One way to write, read and clear the clipboard. */
export interface ClipboardCommands {
  readonly name: string;
  readonly write: readonly [string, ...string[]];
  readonly read: readonly [string, ...string[]];
}

/** The command sets to try, best first, for a platform and environment. */
export function clipboardCandidates(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): readonly ClipboardCommands[] {
  if (platform === 'darwin') return [{ name: 'pbcopy', write: ['pbcopy'], read: ['pbpaste'] }];
  if (platform === 'win32') return [{ name: 'clip', write: ['clip'], read: ['powershell', '-NoProfile', '-Command', 'Get-Clipboard'] }];
  const out: ClipboardCommands[] = [];
  // KDE's clipboard manager skips entries carrying this hint, so the token stays out of its history.
  if (env.WAYLAND_DISPLAY) {
    out.push({ name: 'wl-copy', write: ['wl-copy', '--sensitive'], read: ['wl-paste', '--no-newline'] });
    // wl-clipboard before 2.2 has no --sensitive and exits non-zero: copy without the hint then.
    out.push({ name: 'wl-copy (no hint)', write: ['wl-copy'], read: ['wl-paste', '--no-newline'] });
  }
  if (env.DISPLAY) {
    out.push({ name: 'xclip', write: ['xclip', '-selection', 'clipboard', '-in'], read: ['xclip', '-selection', 'clipboard', '-out'] });
    out.push({ name: 'xsel', write: ['xsel', '--clipboard', '--input'], read: ['xsel', '--clipboard', '--output'] });
  }
  return out;
}

function run(argv: readonly [string, ...string[]], input?: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = argv;
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout }));
    child.stdin.end(input ?? '');
  });
}

/**
 * A {@link ClipboardAdapter} over clipboard commands; the first candidate that works is kept.
 *
 * Without any, copying fails with `clipboard_unavailable` and a message naming what to install;
 * "Token details" still shows the token.
 */
export class CommandClipboard implements ClipboardAdapter {
  readonly #candidates: readonly ClipboardCommands[];
  #working: ClipboardCommands | undefined;

  constructor(candidates: readonly ClipboardCommands[] = clipboardCandidates(process.platform, process.env)) {
    this.#candidates = candidates;
  }

  /** Writes `text` with the first command set that succeeds. */
  async writeSecret(text: string): Promise<void> {
    const tried = this.#working ? [this.#working] : this.#candidates;
    for (const commands of tried) {
      try {
        const { code } = await run(commands.write, text);
        if (code === 0) {
          this.#working = commands;
          return;
        }
      } catch {
        // Not installed: try the next one.
      }
    }
    throw new AppError(
      'clipboard_unavailable',
      'No clipboard tool was found for browser mode. Install wl-clipboard (Wayland) or xclip (X11), or open "Details" to see the token.',
    );
  }

  /** The clipboard's text ('' when unreadable). */
  async readText(): Promise<string> {
    const commands = this.#working ?? this.#candidates[0];
    if (!commands) return '';
    try {
      const { code, stdout } = await run(commands.read);
      return code === 0 ? stdout : '';
    } catch {
      return '';
    }
  }

  /** Empties the clipboard (writes an empty string). */
  async clear(): Promise<void> {
    const commands = this.#working ?? this.#candidates[0];
    if (!commands) return;
    try {
      await run(commands.write, '');
    } catch {
      // Nothing to clear with.
    }
  }
}
