/**
 * A single-use loopback listener for the redirect of a system-browser sign-in (RFC 8252 §7.3).
 *
 * Used when a caller gives `openBrowser` instead of a broker, like MSAL's `acquire_token_interactive`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InteractionError } from './errors';
import type { AuthorizationBroker } from './types';

const PAGE_STYLE = 'font-family:system-ui,sans-serif;margin:3em;';

function page(title: string, detail: string): string {
  return `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><body style="${PAGE_STYLE}"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p></body>`;
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * A broker that opens the system browser through `openBrowser` and waits on 127.0.0.1.
 *
 * The redirect URI is `http://localhost:<port>` (Entra accepts any port for it). A response whose
 * `state` differs from the authorization URL's is answered "State mismatch" and ignored, and so is
 * a request whose `Host` is not this listener (a page that rebound its DNS name to 127.0.0.1).
 */
export class LoopbackReceiverBroker implements AuthorizationBroker {
  private server: ReturnType<typeof createServer> | undefined;

  constructor(
    private readonly openBrowser: (url: string) => void | Promise<void>,
    private readonly port = 0,
  ) {}

  /** Bind the listener and report the redirect URI to register in the authorization request. */
  async prepare(): Promise<{ redirectUri: string }> {
    const server = createServer();
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return { redirectUri: `http://localhost:${port}` };
  }

  async open(url: string, _redirectUri: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string> {
    const server = this.server;
    if (!server) throw new InteractionError('broker_error', 'The loopback listener is not running; call prepare() first.');
    const expectedState = new URL(url).searchParams.get('state');
    let cancel: (error: Error) => void = () => undefined;
    const redirected = new Promise<string>((resolve, reject) => {
      const finish = (error: Error | undefined, value?: string) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(value!);
      };
      const timer = options.timeoutMs
        ? setTimeout(() => finish(new InteractionError('interaction_timeout', 'The sign-in was not completed in time. Try again.')), options.timeoutMs)
        : undefined;
      const onAbort = () => finish(new InteractionError('user_cancelled', 'The sign-in was cancelled.'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      cancel = (error) => finish(error);
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        const address = server.address() as AddressInfo;
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
        res.setHeader('Cache-Control', 'no-store');
        // DNS rebinding: a web page reaching 127.0.0.1 under its own name sends that name as Host.
        const host = req.headers.host ?? '';
        if (req.method !== 'GET' || (host !== `localhost:${address.port}` && host !== `127.0.0.1:${address.port}`)) {
          res.writeHead(400).end(page('Bad request', 'This address only receives a sign-in response.'));
          return;
        }
        const full = new URL(req.url ?? '/', `http://localhost:${address.port}`);
        const params = full.searchParams;
        if (!params.has('code') && !params.has('error')) {
          res.writeHead(404).end(page('Not found', 'This address only receives a sign-in response.'));
          return;
        }
        if (expectedState !== null && params.get('state') !== expectedState) {
          res.writeHead(400).end(page('State mismatch', 'This response does not belong to the sign-in in progress.'));
          return;
        }
        if (params.has('error')) {
          res.end(page('Sign-in failed', `${params.get('error')}: ${params.get('error_description') ?? ''}`));
        } else {
          res.end(page('Signed in', 'You can close this tab and return to the app.'));
        }
        finish(undefined, full.toString());
      });
    });
    try {
      try {
        await this.openBrowser(url);
      } catch (error) {
        // Settle the wait now: a pending timer would otherwise reject it later, unhandled.
        cancel(error instanceof Error ? error : new InteractionError('broker_error', 'The browser could not be opened.'));
      }
      return await redirected;
    } finally {
      this.close();
    }
  }

  close(): void {
    this.server?.close();
    this.server?.closeAllConnections();
    this.server = undefined;
  }
}
