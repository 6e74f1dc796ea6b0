/**
 * The system-browser sign-in broker: the default browser plus a single-use loopback listener.
 *
 * RFC 8252 §7.3 (loopback redirect) and §8.3 (bind to the loopback IP literal, not `localhost`).
 * Required for providers that block embedded windows (Google), for Conditional Access and passkeys.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InteractionError } from '../auth/errors';
import type { BrokerOpenOptions, SignInBroker } from './broker';

/** Options of {@link LoopbackBroker}. */
export interface LoopbackBrokerOptions {
  /** Opens a URL in the user's browser (Electron: `shell.openExternal`). */
  readonly openExternal: (url: string) => Promise<void> | void;
  /** Path of the redirect URI; defaults to `/`. */
  readonly path?: string;
  /** Default flow time limit; defaults to 10 minutes. */
  readonly timeoutMs?: number;
  /** How long to wait for the browser to load the clean page after a code; defaults to 5 s. */
  readonly closeGraceMs?: number;
}

const LOOPBACK_HOST = '127.0.0.1';
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_CLOSE_GRACE_MS = 5_000;
const MAX_ERROR_TEXT = 500;

/**
 * {@link SignInBroker} that opens the system browser and listens on `http://127.0.0.1:<port>/`.
 *
 * Call {@link LoopbackBroker.prepare} first to bind a listener on an ephemeral port and get the
 * redirect URI for the authorization request, then {@link LoopbackBroker.open}. The listener is
 * single-use: it closes after the first response carrying `code` or `error`, on timeout and on
 * abort, and `open` settles only once the port is closed.
 *
 * A `?code=` request is answered with a redirect to the bare redirect path, which then shows the
 * "you can close this tab" page: the authorization code never stays in the address bar or the
 * browser history (msal-node's loopback client does the same). Error responses are answered
 * directly (nothing secret to hide); their text is HTML-escaped and the page's CSP is
 * `default-src 'none'`. Favicon and other unrelated requests, or requests with a foreign `Host`
 * header (DNS rebinding), get a 404 and are otherwise ignored. When the authorization URL carries a
 * `state`, a response with another (or no) `state` is refused and the flow keeps waiting: any web
 * page can send requests to 127.0.0.1, and without this it could end the sign-in with a forged
 * `?error=` (RFC 6749 §4.1.2 requires the state back on success and on error).
 */
export class LoopbackBroker implements SignInBroker {
  readonly kind = 'system-browser';
  readonly #options: LoopbackBrokerOptions;
  readonly #path: string;
  readonly #prepared = new Map<string, LoopbackListener>();

  constructor(options: LoopbackBrokerOptions) {
    this.#options = options;
    this.#path = options.path ?? '/';
    if (!this.#path.startsWith('/')) throw new InteractionError('broker_error', 'The loopback redirect path must start with "/".');
  }

  /** Binds a single-use listener on 127.0.0.1 with an ephemeral port; returns its redirect URI. */
  async prepare(): Promise<{ redirectUri: string }> {
    const listener = await LoopbackListener.bind(this.#path);
    this.#prepared.set(listener.redirectUri, listener);
    return { redirectUri: listener.redirectUri };
  }

  /** Opens `url` in the browser and resolves with the full redirect URL (code or error). */
  async open(url: string, redirectUri: string, options: BrokerOpenOptions = {}): Promise<string> {
    const listener = this.#prepared.get(redirectUri);
    if (!listener) {
      throw new InteractionError('broker_error', 'No loopback listener was prepared for this redirect URI; call prepare() first.');
    }
    this.#prepared.delete(redirectUri);
    return listener.run(url, {
      openExternal: this.#options.openExternal,
      timeoutMs: options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      closeGraceMs: this.#options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS,
      signal: options.signal,
    });
  }

  /** Closes listeners that were prepared but never opened. */
  async dispose(): Promise<void> {
    const listeners = [...this.#prepared.values()];
    this.#prepared.clear();
    await Promise.all(listeners.map((listener) => listener.close()));
  }
}

type Outcome = { readonly url: string } | { readonly error: InteractionError };

interface RunOptions {
  readonly openExternal: (url: string) => Promise<void> | void;
  readonly timeoutMs: number;
  readonly closeGraceMs: number;
  readonly signal: AbortSignal | undefined;
}

/** One bound port, used for one flow. */
class LoopbackListener {
  readonly redirectUri: string;
  readonly #server: Server;
  readonly #port: number;
  readonly #path: string;
  readonly #origin: string;
  #closing: Promise<void> | undefined;
  // Set by run(): how to finish the flow, and the redirect URL once it arrived.
  #flow: { readonly finish: (outcome: Outcome) => void; readonly closeGraceMs: number; readonly state: string | null } | undefined;
  #captured: string | undefined;
  #graceTimer: NodeJS.Timeout | undefined;

  private constructor(server: Server, port: number, path: string) {
    this.#server = server;
    this.#port = port;
    this.#path = path;
    this.#origin = `http://${LOOPBACK_HOST}:${port}`;
    this.redirectUri = `${this.#origin}${path}`;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#handle(req, res));
  }

  static bind(path: string): Promise<LoopbackListener> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', (cause) => reject(new InteractionError('broker_error', 'Could not open a local port for the browser sign-in.', { cause })));
      server.listen(0, LOOPBACK_HOST, () => {
        const { port } = server.address() as AddressInfo;
        resolve(new LoopbackListener(server, port, path));
      });
    });
  }

  run(url: string, options: RunOptions): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(
        () => finish({ error: new InteractionError('interaction_timeout', 'The browser sign-in took too long and was stopped. Try again.') }),
        options.timeoutMs,
      );
      const onAbort = (): void => finish({ error: new InteractionError('user_cancelled', 'The browser sign-in was cancelled.') });
      const finish = (outcome: Outcome): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearTimeout(this.#graceTimer);
        options.signal?.removeEventListener('abort', onAbort);
        // Settle only once the port is closed, so callers can rely on it.
        void this.close().then(() => ('url' in outcome ? resolve(outcome.url) : reject(outcome.error)));
      };
      this.#flow = { finish, closeGraceMs: options.closeGraceMs, state: stateOf(url) };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      Promise.resolve()
        .then(() => options.openExternal(url))
        .catch((cause: unknown) =>
          finish({ error: new InteractionError('broker_error', 'The system browser could not be opened.', { cause }) }),
        );
    });
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      // Keep-alive connections would hold the port open; the flow is over.
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const host = req.headers.host ?? '';
    // A page that rebinds its DNS name to 127.0.0.1 can reach this port; its Host header gives it away.
    if (req.method !== 'GET' || (host !== `${LOOPBACK_HOST}:${this.#port}` && host !== `localhost:${this.#port}`)) {
      return send(res, 400, 'Bad request.');
    }
    const target = req.url ?? '';
    // Origin-form only; prefixing our origin keeps `//other/path` from parsing as another host.
    if (!target.startsWith('/')) return send(res, 400, 'Bad request.');
    const requestUrl = new URL(`${this.#origin}${target}`);
    if (requestUrl.pathname !== this.#path) return send(res, 404, 'Not found.');
    const hasCode = requestUrl.searchParams.has('code');
    const hasError = requestUrl.searchParams.has('error');

    const flow = this.#flow;
    const captured = this.#captured;
    if (flow && captured !== undefined) {
      // The browser followed our clean redirect (or reloaded): show the final page, then close.
      res.once('finish', () => flow.finish({ url: captured }));
      return send(res, 200, page('Sign-in finished', '<p>You can close this tab and return to Tessera.</p>'));
    }
    // Before open() nothing is expected; without code or error it is not a response.
    if (!flow || (!hasCode && !hasError)) return send(res, 404, 'Not found.');
    // A forged response from another page (it cannot know the state) must not end the flow.
    if (flow.state !== null && requestUrl.searchParams.get('state') !== flow.state) {
      return send(res, 400, 'This response does not belong to the sign-in in progress.');
    }

    const redirectUrl = requestUrl.toString();
    this.#captured = redirectUrl;
    if (hasCode) {
      // Drop the code from the address bar and history; the clean request finishes the flow.
      res.writeHead(302, { ...SECURITY_HEADERS, Location: this.#path, 'Content-Length': '0' });
      res.end();
      // If the browser never comes back for the clean page, finish anyway.
      this.#graceTimer = setTimeout(() => flow.finish({ url: redirectUrl }), flow.closeGraceMs);
      return;
    }
    const error = truncate(requestUrl.searchParams.get('error') ?? '');
    const description = truncate(requestUrl.searchParams.get('error_description') ?? '');
    res.once('finish', () => flow.finish({ url: redirectUrl }));
    send(
      res,
      200,
      page(
        'Sign-in failed',
        `<p>The sign-in did not complete: <code>${escapeHtml(error)}</code></p>` +
          (description ? `<p>${escapeHtml(description)}</p>` : '') +
          '<p>You can close this tab and return to Tessera.</p>',
      ),
    );
  }
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
} as const;

function send(res: ServerResponse, status: number, body: string): void {
  const html = body.startsWith('<!doctype') ? body : page(body, '');
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
  });
  res.end(html);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tessera – ${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function stateOf(url: string): string | null {
  try {
    return new URL(url).searchParams.get('state');
  } catch {
    return null;
  }
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
