/**
 * Opening the sign-in page in the user's browser from a plain Node host.
 */
import { spawn } from 'node:child_process';

/**
 * How to open a URL on this platform: `open` (macOS), the URL protocol handler (Windows),
 * `xdg-open` elsewhere.
 *
 * Never through `cmd.exe`: the authorization URL's path comes from the provider's discovery
 * document, WHATWG URLs keep `|`, `^`, `%` and `(` unescaped, and cmd would run
 * `https://idp/x|calc` as two commands. `rundll32 url.dll,FileProtocolHandler` hands the URL to
 * ShellExecute without a shell.
 */
export function openerFor(platform: NodeJS.Platform): { readonly command: string; readonly args: (url: string) => string[] } {
  if (platform === 'darwin') return { command: 'open', args: (url) => [url] };
  if (platform === 'win32') return { command: 'rundll32', args: (url) => ['url.dll,FileProtocolHandler', url] };
  return { command: 'xdg-open', args: (url) => [url] };
}

/**
 * Prints the URL (so it can be opened by hand, e.g. over SSH) and tries the platform's opener.
 *
 * Only https and loopback http URLs are opened: the auth core builds them, but a profile's
 * authority comes from the user, and `xdg-open` would run anything it is handed.
 */
export function createOpenExternal(print: (line: string) => void, platform: NodeJS.Platform = process.platform): (url: string) => Promise<void> {
  return async (url) => {
    const parsed = new URL(url);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
      throw new Error('Refusing to open a URL that is neither https nor loopback.');
    }
    print(`Sign in at: ${parsed.origin}${parsed.pathname} (opening your browser; the full link is below if it does not open)\n${parsed.href}`);
    const opener = openerFor(platform);
    await new Promise<void>((resolve) => {
      // The re-serialized URL: spaces and quotes percent-encoded, so it stays one argument.
      const child = spawn(opener.command, opener.args(parsed.href), { stdio: 'ignore', detached: true });
      // A missing opener is not fatal: the URL was printed.
      child.once('error', () => resolve());
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
  };
}
