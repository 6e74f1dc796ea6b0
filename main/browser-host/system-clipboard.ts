/**
 * The system clipboard for the browser-mode host, through the platform's clipboard commands.
 *
 * Node has no clipboard API, and the page must not receive the token just to copy it (copying
 * happens in the host). So the host pipes the token to `wl-copy`, `xclip`, `xsel`, `pbcopy` or
 * `clip`, and reads it back with their paste commands.
 *
 * How the X11 and Wayland tools really behave (Debian 12: xclip 0.13, xsel 1.2.0, wl-clipboard
 * 2.1.0; pinned by test/main/browser-host/clipboard-tools.test.ts under Xvfb and Weston):
 * - They read all of stdin, then fork a background process that owns the selection until another
 *   program takes it. That process inherits the tool's stdout and stderr, so a parent waiting for
 *   those pipes to close ('close') waits until the user copies something else. We give the tools
 *   no stdout/stderr pipe at all and wait for the tool's own exit.
 * - xsel forks before it owns the selection, so right after it exits the clipboard may still hold
 *   the old text. A copy is therefore confirmed by reading the text back, and only then reported
 *   as done (and the clear scheduled).
 * - A tool that exits before reading its input (wl-copy 2.1.0 rejects `--sensitive`; any tool
 *   that cannot reach its display) makes our write fail with EPIPE. Unhandled, that error would
 *   end the whole host and every token it holds in memory; here it only marks the attempt failed.
 * - `wl-copy --clear` leaves the text in place on Weston with wl-clipboard 2.1.0, so clearing
 *   writes an empty text with the same command, which works with every tool.
 */
import { spawn } from 'node:child_process';
import { AppError } from '../errors';
import type { ClipboardAdapter } from '../clipboard/clipboard';

/** One way to write, read and clear the clipboard. */
export interface ClipboardCommands {
  readonly name: string;
  /** Reads the text on stdin and puts it on the clipboard (may fork to keep serving it). */
  readonly write: readonly [string, ...string[]];
  /** Prints the clipboard's text on stdout. */
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

/** Options of {@link CommandClipboard}. */
export interface CommandClipboardOptions {
  /** Command sets to try, best first; defaults to {@link clipboardCandidates} for this process. */
  readonly candidates?: readonly ClipboardCommands[];
  /** Environment of the tools (`DISPLAY`, `WAYLAND_DISPLAY`, …); defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Time limit of one tool run; a tool still running then is killed. Defaults to 5 s. */
  readonly commandTimeoutMs?: number;
  /** How long a written text may take to show up when read back. Defaults to 2 s. */
  readonly confirmTimeoutMs?: number;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;
const DEFAULT_CONFIRM_TIMEOUT_MS = 2_000;
const CONFIRM_POLL_MS = 20;
// Far above any token; a clipboard holding more than this is not ours.
const MAX_READ_BYTES = 4 * 1024 * 1024;

/** What a tool run ended with: its exit code, or -1 when it was killed for taking too long. */
type ExitCode = number;

/**
 * Runs a writing tool: feeds it `input` and resolves with its exit code once the tool itself
 * has exited (not its background process, see the file comment). Rejects only when the tool
 * cannot be started (not installed).
 */
function runWriter(argv: readonly [string, ...string[]], input: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ExitCode> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = argv;
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'ignore'], env });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(-1);
    }, timeoutMs);
    // EPIPE/ECONNRESET: the tool exited without reading its input; its exit code says it failed.
    child.stdin.on('error', () => undefined);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? -1);
    });
    child.stdin.end(input);
  });
}

/** Runs a reading tool and resolves with its exit code and output (-1: killed or output too large). */
function runReader(argv: readonly [string, ...string[]], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: ExitCode; stdout: string }> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = argv;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'], env });
    const chunks: Buffer[] = [];
    let size = 0;
    let killed = false;
    const kill = (): void => {
      killed = true;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(kill, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_READ_BYTES) kill();
      else chunks.push(chunk);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close': all of the output has arrived (readers do not fork, and are killed after the limit).
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: killed ? -1 : (code ?? -1), stdout: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A {@link ClipboardAdapter} over clipboard commands; the first candidate that works is kept.
 *
 * A copy counts only once the clipboard is read back holding the text, so "copied" in the UI is
 * true and the clear that follows can recognize our text. Without any working command, copying
 * fails with `clipboard_unavailable` and a message naming what to install; "Token details" still
 * shows the token.
 */
export class CommandClipboard implements ClipboardAdapter {
  readonly #candidates: readonly ClipboardCommands[];
  readonly #env: NodeJS.ProcessEnv;
  readonly #commandTimeoutMs: number;
  readonly #confirmTimeoutMs: number;
  #working: ClipboardCommands | undefined;

  constructor(options: CommandClipboardOptions = {}) {
    this.#env = options.env ?? process.env;
    this.#candidates = options.candidates ?? clipboardCandidates(process.platform, this.#env);
    this.#commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.#confirmTimeoutMs = options.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS;
  }

  /** The name of the command set in use, once one has worked. */
  get toolName(): string | undefined {
    return this.#working?.name;
  }

  /** Writes `text` with the first command set that succeeds and reads it back. */
  async writeSecret(text: string): Promise<void> {
    // The one that worked last goes first; if it stopped working (display gone), try the rest.
    const tried = this.#working ? [this.#working, ...this.#candidates.filter((c) => c !== this.#working)] : this.#candidates;
    for (const commands of tried) {
      try {
        if ((await runWriter(commands.write, text, this.#env, this.#commandTimeoutMs)) !== 0) continue;
        if (!(await this.#holds(commands, text))) continue;
        this.#working = commands;
        return;
      } catch {
        // Not installed: try the next one.
      }
    }
    this.#working = undefined;
    throw new AppError(
      'clipboard_unavailable',
      'No clipboard tool could copy in browser mode. Install wl-clipboard (Wayland) or xclip (X11), or open "Details" to see the token.',
    );
  }

  /** The clipboard's text ('' when it holds none or cannot be read). */
  async readText(): Promise<string> {
    const commands = this.#working ?? this.#candidates[0];
    if (!commands) return '';
    return this.#read(commands);
  }

  /** Empties the clipboard (an empty text, see the file comment); rejects when the tool fails. */
  async clear(): Promise<void> {
    const commands = this.#working ?? this.#candidates[0];
    if (!commands) return;
    const code = await runWriter(commands.write, '', this.#env, this.#commandTimeoutMs);
    if (code !== 0) throw new AppError('clipboard_unavailable', `The clipboard could not be cleared (${commands.name} failed). Copy something else to replace the token.`);
  }

  async #read(commands: ClipboardCommands): Promise<string> {
    try {
      const { code, stdout } = await runReader(commands.read, this.#env, this.#commandTimeoutMs);
      return code === 0 ? stdout : '';
    } catch {
      return '';
    }
  }

  /** Whether the clipboard shows `text` within the confirmation time (xsel takes it over late). */
  async #holds(commands: ClipboardCommands, text: string): Promise<boolean> {
    const deadline = Date.now() + this.#confirmTimeoutMs;
    for (;;) {
      if ((await this.#read(commands)) === text) return true;
      if (Date.now() >= deadline) return false;
      await delay(CONFIRM_POLL_MS);
    }
  }
}
