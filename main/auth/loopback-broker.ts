/**
 * The one loopback redirect listener: the system browser plus a single-use HTTP listener on
 * 127.0.0.1 (RFC 8252 §7.3). `acquireTokenInteractive({ openBrowser })` and the app's
 * system-browser sign-in both use it.
 *
 * Which host the redirect URI names (see docs/auth-protocol.md, "Loopback redirect"):
 * - The listener always binds the IP literal 127.0.0.1, never the name `localhost`: RFC 8252 §8.3
 *   recommends the literal because a name can resolve to a non-loopback interface or be blocked by
 *   a client-side firewall. Binding only loopback also keeps the port off the network.
 * - The redirect URI names `127.0.0.1` by default, as RFC 8252 §7.3 asks ("http://127.0.0.1:{port}
 *   /{path}"; `localhost` is NOT RECOMMENDED there). Native-app registrations at Okta, Keycloak,
 *   Google and oidc-provider accept it on any port.
 * - For a Microsoft Entra authority it names `localhost` (`http://localhost:{port}`, no path):
 *   Entra ignores the port of loopback redirect URIs, and `http://localhost` is the loopback URI its
 *   portal lets people register for "Mobile and desktop applications" (an `http://127.0.0.1` one
 *   can only be added by editing the app manifest); it is also exactly what MSAL sends. The browser
 *   resolves `localhost` to the loopback interface, where the listener is.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { InteractionError } from './errors';
import type { AuthorizationBroker, BrokerOpenOptions, BrokerPrepareOptions, LoopbackRedirectStyle } from './types';

/** Options of {@link LoopbackBroker}. */
export interface LoopbackBrokerOptions {
  /** Opens a URL in the user's browser (Electron: `shell.openExternal`). */
  readonly openExternal: (url: string) => Promise<void> | void;
  /** Path of the redirect URI for the `rfc8252` style; defaults to `/`. */
  readonly path?: string;
  /** Port to bind; 0 (default) picks a free one. */
  readonly port?: number;
  /** Default flow time limit; defaults to 10 minutes. */
  readonly timeoutMs?: number;
  /** How long to wait for the browser to load the clean page after a code; defaults to 5 s. */
  readonly closeGraceMs?: number;
}

/** The address the listener binds (RFC 8252 §8.3: the loopback IP literal, not a name). */
export const LOOPBACK_BIND_ADDRESS = '127.0.0.1';
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_CLOSE_GRACE_MS = 5_000;
const MAX_ERROR_TEXT = 500;

/**
 * How large a redirect request (its request line and headers together) the listener reads.
 *
 * Node's default (16 KiB) is too small for some real error redirects: a provider that echoes a long
 * value in `error_description` and `error_uri` (a 4 KiB assertion or token it refused) sends the
 * browser to a URL of tens of KiB, which Chromium follows (it allows 2 MB). RFC 9110 §4.1 asks for
 * at least 8000 octets; 64 KiB reads such answers, so they are checked against the sign-in's
 * `state` and reported with the provider's own error code like any other, and still bounds what
 * one request may make this process hold. Anything larger is refused at once, see
 * {@link LoopbackListener} `#refuseUnreadable`.
 */
export const MAX_REDIRECT_REQUEST_BYTES = 64 * 1024;
// How far into an oversized request the listener looks for the state: Chromium's URL limit (2 MB).
const MAX_SCANNED_BYTES = 2 * 1024 * 1024;

/**
 * The redirect URI of a loopback listener on `port`, spelled for a provider.
 *
 * `entra`: `http://localhost:{port}` (MSAL's form, registrable in the Entra portal); `rfc8252`:
 * `http://127.0.0.1:{port}{path}`.
 */
export function loopbackRedirectUri(style: LoopbackRedirectStyle, port: number, path = '/'): string {
  return style === 'entra' ? `http://localhost:${port}` : `http://${LOOPBACK_BIND_ADDRESS}:${port}${path}`;
}

/**
 * {@link AuthorizationBroker} that opens the system browser and listens on 127.0.0.1.
 *
 * Call {@link LoopbackBroker.prepare} first to bind a listener and get the redirect URI for the
 * authorization request, then {@link LoopbackBroker.open}. The listener is single-use: it closes
 * after the first response carrying `code` or `error`, on timeout and on abort, and `open` settles
 * only once the port is closed.
 *
 * A `?code=` request is answered with a redirect to the bare redirect path, which then shows the
 * "you can close this tab" page: the authorization code never stays in the address bar or the
 * browser history. Error responses are answered directly (nothing secret to hide); their text is
 * HTML-escaped and the page's CSP is `default-src 'none'`. Favicon and other unrelated requests,
 * and requests with a foreign `Host` header (DNS rebinding), are refused and otherwise ignored.
 * When the authorization URL carries a `state`, a response with another (or no) `state` is refused
 * and the flow keeps waiting: any web page can send requests to 127.0.0.1, and without this it
 * could end the sign-in with a forged `?error=` (RFC 6749 §4.1.2 requires the state back on
 * success and on error).
 */
export class LoopbackBroker implements AuthorizationBroker {
  readonly kind = 'system-browser';
  readonly #options: LoopbackBrokerOptions;
  readonly #path: string;
  readonly #prepared = new Map<string, LoopbackListener>();

  constructor(options: LoopbackBrokerOptions) {
    this.#options = options;
    this.#path = options.path ?? '/';
    if (!this.#path.startsWith('/')) throw new InteractionError('broker_error', 'The loopback redirect path must start with "/".');
  }

  /** Binds a single-use listener on 127.0.0.1 and returns its redirect URI. */
  async prepare(options: BrokerPrepareOptions = {}): Promise<{ redirectUri: string }> {
    const style = options.loopbackStyle ?? 'rfc8252';
    const listener = await LoopbackListener.bind(this.#options.port ?? 0, (port) => loopbackRedirectUri(style, port, this.#path));
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
  async close(): Promise<void> {
    const listeners = [...this.#prepared.values()];
    this.#prepared.clear();
    await Promise.all(listeners.map((listener) => listener.close()));
  }

  /** Same as {@link LoopbackBroker.close}. */
  dispose(): Promise<void> {
    return this.close();
  }
}

/** What {@link LoopbackListener} `#watchForState` learnt of a connection's request line. */
interface StateWatch {
  carried: boolean;
  /** Settles once the request line ended, the scan gave up, or the connection closed. */
  readonly done: Promise<void>;
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
  #closing: Promise<void> | undefined;
  // Set by run(): how to finish the flow, and the redirect URL once it arrived.
  #flow: { readonly finish: (outcome: Outcome) => void; readonly closeGraceMs: number; readonly state: string | null } | undefined;
  #captured: string | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  // Per connection: whether its request line carried the sign-in's state (see #watchForState).
  readonly #watches = new WeakMap<Duplex, StateWatch>();
  // Connections already answered for a request the parser gave up on.
  readonly #refused = new WeakSet<Duplex>();

  private constructor(server: Server, port: number, redirectUri: string) {
    this.#server = server;
    this.#port = port;
    this.redirectUri = redirectUri;
    this.#path = new URL(redirectUri).pathname;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#handle(req, res));
    server.on('connection', (socket: Socket) => this.#watchForState(socket));
    server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => this.#refuseUnreadable(error, socket));
  }

  static bind(port: number, redirectUriFor: (port: number) => string): Promise<LoopbackListener> {
    return new Promise((resolve, reject) => {
      const server = createServer({ maxHeaderSize: MAX_REDIRECT_REQUEST_BYTES });
      server.once('error', (cause) => reject(new InteractionError('broker_error', 'Could not open a local port for the browser sign-in. Try again, or pick another port.', { cause })));
      server.listen(port, LOOPBACK_BIND_ADDRESS, () => {
        const bound = (server.address() as AddressInfo).port;
        resolve(new LoopbackListener(server, bound, redirectUriFor(bound)));
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

  /**
   * Reads along with the HTTP parser until a connection's request line ends, noting whether it
   * carries `state=<the sign-in's state>`: a request too large to parse can still be told apart
   * from a forged one, since only the browser sent on by the provider knows the state (RFC 6749
   * §10.12). It keeps a few bytes of tail between chunks, never the request, and stops after
   * {@link MAX_SCANNED_BYTES}.
   */
  #watchForState(socket: Socket): void {
    let settle: () => void = () => undefined;
    const watch: StateWatch = { carried: false, done: new Promise<void>((resolve) => (settle = resolve)) };
    this.#watches.set(socket, watch);
    let tail = '';
    let scanned = 0;
    const stop = (): void => {
      socket.off('data', onData);
      settle();
    };
    const onData = (chunk: Buffer): void => {
      const state = this.#flow?.state;
      const needles = state ? [`state=${state}`, `state=${encodeURIComponent(state)}`] : [];
      const text = tail + chunk.toString('latin1');
      if (needles.some((needle) => text.includes(needle))) watch.carried = true;
      scanned += chunk.length;
      // The request line, where a redirect carries its parameters, ends at the first CRLF.
      if (watch.carried || text.includes('\r\n') || scanned > MAX_SCANNED_BYTES) return stop();
      tail = text.slice(-Math.max(2, ...needles.map((needle) => needle.length)));
    };
    // Ahead of the parser, so a chunk is scanned before the parser can give up on it.
    socket.prependListener('data', onData);
    socket.once('close', stop);
  }

  /**
   * A request Node's parser gave up on. One larger than {@link MAX_REDIRECT_REQUEST_BYTES} gets
   * 414 URI Too Long (RFC 9110 §15.5.15: the request-target is longer than the server will
   * interpret; the request line is what a redirect makes long) with a short page, and ends a
   * waiting sign-in at once with `invalid_auth_response` instead of leaving it to its time limit:
   * nothing else will arrive, since the browser already followed the provider's redirect (RFC 8252
   * §7.3). It ends the sign-in only when the request carried the state (or the sign-in sent none),
   * so another page cannot cut a sign-in short with an oversized request, as it cannot with a
   * forged `?error=`. Any other malformed request gets a bare 400, as Node would send.
   */
  #refuseUnreadable(error: Error & { code?: string }, socket: Duplex): void {
    // The parser stays failed: later chunks of the same request report the same error again.
    if (this.#refused.has(socket)) return;
    this.#refused.add(socket);
    if (!socket.writable) return void socket.destroy();
    if (error.code !== 'HPE_HEADER_OVERFLOW') return void socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    const watch = this.#watches.get(socket);
    void (watch?.done ?? Promise.resolve()).then(() => {
      const flow = this.#flow;
      const ours = flow !== undefined && this.#captured === undefined && (flow.state === null || watch?.carried === true);
      const html = page('Sign-in failed', `<p>The provider's answer was too large for Tessera to read (over ${MAX_REDIRECT_REQUEST_BYTES / 1024} KiB), so this sign-in stopped.</p><p>You can close this tab and return to Tessera.</p>`);
      const head = Object.entries({ ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(html)), Connection: 'close' })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      socket.end(`HTTP/1.1 414 URI Too Long\r\n${head}\r\n${html}`, () => {
        if (!ours) return;
        flow.finish({
          error: new InteractionError(
            'invalid_auth_response',
            `The provider's answer was too large to read (its redirect was over ${MAX_REDIRECT_REQUEST_BYTES / 1024} KiB), so the sign-in stopped. Try again; if it happens again, the provider's sign-in logs say what went wrong.`,
          ),
        });
      });
    });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const host = req.headers.host ?? '';
    // A page that rebinds its DNS name to 127.0.0.1 can reach this port; its Host header gives it away.
    if (req.method !== 'GET' || (host !== `${LOOPBACK_BIND_ADDRESS}:${this.#port}` && host !== `localhost:${this.#port}`)) {
      return send(res, 400, 'Bad request.');
    }
    const target = req.url ?? '';
    // Origin-form only; prefixing our origin keeps `//other/path` from parsing as another host.
    if (!target.startsWith('/')) return send(res, 400, 'Bad request.');
    const requestUrl = new URL(`http://${LOOPBACK_BIND_ADDRESS}:${this.#port}${target}`);
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

    // Handed back as the redirect URI spells it, so query parsing sees exactly what arrived.
    const redirectUrl = new URL(target, this.redirectUri).toString();
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

// The pages' one stylesheet, allowed by its hash: the CSP stays `default-src 'none'` otherwise, so
// nothing else (no script, no other style, no image) can load in them.
const PAGE_STYLE =
  ':root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,sans-serif;' +
  'background:#f6f7f9;color:#1b1f24}body{margin:0;min-height:100vh;display:grid;place-items:center}' +
  'main{max-width:30rem;margin:1rem;padding:1.5rem 2rem;background:#fff;border:1px solid #d0d7de;' +
  'border-radius:10px;box-shadow:0 8px 28px rgb(0 0 0/.12);overflow-wrap:anywhere}' +
  'h1{font-size:1.3rem;margin:0 0 .5rem}p{line-height:1.5}' +
  'code{background:#eef0f4;padding:0 .3em;border-radius:4px}' +
  '@media (prefers-color-scheme:dark){:root{background:#0f1115;color:#e6e8eb}' +
  'main{background:#171a21;border-color:#363d4a}code{background:#222733}}';
const PAGE_STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;

const SECURITY_HEADERS = {
  'Content-Security-Policy': `default-src 'none'; style-src ${PAGE_STYLE_HASH}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
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
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Tessera – ${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
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
