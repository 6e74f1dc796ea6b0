/**
 * Opens browser mode's page in the user's browser when one can be opened, the way command-line
 * tools do: `BROWSER` first, then the platform's opener, and nothing on a Linux box without a
 * display (an SSH session), where the printed link is the way in.
 *
 * `BROWSER` follows Python's `webbrowser` convention (also used by `git web--browse`, `xdg-open`'s
 * generic mode and `sensible-browser`): a `:`-separated list (`;` on Windows) of commands, tried in
 * order; `%s` in a command is replaced by the URL, otherwise the URL is appended. `BROWSER=none`
 * turns opening off. Commands run without a shell, so the URL stays one argument.
 *
 * The URL carries the session key in its fragment; it is handed to the browser as an argument,
 * exactly as a terminal does when the printed link is clicked.
 */
import { spawn } from 'node:child_process';
import { openerFor } from './open-external';

/** One way to open the URL. */
export interface BrowserCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** The commands to try, in order, or why none applies. */
export type BrowserPlan = { readonly kind: 'try'; readonly commands: readonly BrowserCommand[] } | { readonly kind: 'skip'; readonly reason: string };

// Linux and the BSDs need a graphical session for a browser window.
function hasDisplay(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Which commands would open `url` here, from `BROWSER`, the display and the platform. */
export function planBrowserOpen(url: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): BrowserPlan {
  const browser = env.BROWSER?.trim();
  if (browser) {
    if (browser.toLowerCase() === 'none') return { kind: 'skip', reason: 'BROWSER=none' };
    const commands = browser
      .split(platform === 'win32' ? ';' : ':')
      .map((entry) => entry.trim().split(/\s+/).filter(Boolean))
      .filter((words) => words.length > 0)
      .map(([command, ...rest]) => {
        const args = rest.map((word) => word.replaceAll('%s', url).replaceAll('%%', '%'));
        return { command: command as string, args: rest.some((word) => word.includes('%s')) ? args : [...args, url] };
      });
    if (commands.length > 0) return { kind: 'try', commands };
  }
  if (!hasDisplay(platform, env)) return { kind: 'skip', reason: 'no graphical display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  const opener = openerFor(platform);
  return { kind: 'try', commands: [{ command: opener.command, args: opener.args(url) }] };
}

/** Options of {@link openAppUrl}. */
export interface OpenAppUrlOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  /**
   * How long a command may run before it counts as opened. Openers like `xdg-open` exit non-zero
   * at once when they find no browser; a browser itself keeps running.
   */
  readonly settleMs?: number;
}

/** What happened: opened with which command, or why not. */
export type OpenAppUrlOutcome = { readonly opened: true; readonly command: string } | { readonly opened: false; readonly reason: string };

function tryCommand(command: BrowserCommand, settleMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command.command, [...command.args], { stdio: 'ignore', detached: true });
    } catch {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => {
      child.unref();
      resolve(true);
    }, settleMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

/** Tries the planned commands in order; never throws (the link is printed either way). */
export async function openAppUrl(url: string, options: OpenAppUrlOptions = {}): Promise<OpenAppUrlOutcome> {
  const plan = planBrowserOpen(url, options.env ?? process.env, options.platform ?? process.platform);
  if (plan.kind === 'skip') return { opened: false, reason: plan.reason };
  for (const command of plan.commands) {
    if (await tryCommand(command, options.settleMs ?? 1_500)) return { opened: true, command: command.command };
  }
  return { opened: false, reason: `${plan.commands.map((command) => command.command).join(', ')} could not open it` };
}
