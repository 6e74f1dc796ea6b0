/**
 * The browser-mode host: serves the renderer and the contract's API on 127.0.0.1, for machines
 * where Electron cannot start.
 *
 * `POST /api/<method>` with a JSON array of arguments answers a `Result`; `GET /api/events` is a
 * Server-Sent Events stream of `AppEvent`s. Every request passes `request-guard.ts` (Host, Origin,
 * Sec-Fetch-Site, then the per-launch secret for the API). No CORS headers are ever sent, so no
 * other origin can read an answer, and a preflight (`OPTIONS`) is refused.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiMethods, AppEvent } from '../../preload/contract';
import { createDispatcher, type Dispatcher } from '../boundary/dispatch';
import { allowedOrigins, checkRequestSource, checkSecret } from './request-guard';
import { API_HEADERS } from './security-headers';
import { readStaticFile } from './static-files';

/** What the host serves: the app's operations plus its pushes. */
export interface BrowserHostCore extends ApiMethods {
  /** Calls `listener` with every push; returns the unsubscribe function. */
  subscribe(listener: (event: AppEvent) => void): () => void;
}

/** Options of {@link startBrowserHost}. */
export interface BrowserHostOptions {
  readonly core: BrowserHostCore;
  /** The built renderer (`dist/renderer`). */
  readonly staticDir: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Defaults to 32 random bytes, base64url. */
  readonly secret?: string;
  /** Told about every refused request (never with the secret). */
  readonly onRefused?: (refusal: { readonly status: number; readonly reason: string; readonly path: string }) => void;
  /** Told about errors that became `internal_error` (log name and code only). */
  readonly onUnexpectedError?: (method: string, error: unknown) => void;
}

/** A running host. */
export interface BrowserHost {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The URL to open: origin plus `#k=<secret>` (a fragment never reaches a server or a log). */
  readonly url: string;
  /** Closes the server and every event stream. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 25_000;
const METHOD_PATH = /^\/api\/([A-Za-z]{1,64})$/;

/** Starts the host on 127.0.0.1. */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: never 0.0.0.0 (RFC 8252 §8.3 applies to our own listener too).
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const origins = allowedOrigins(port);
  const dispatcher = createDispatcher(options.core, {
    // The guard already proved the caller is our page; the dispatcher checks the origin we pass it.
    isTrustedSender: (url) => origins.includes(new URL(url).origin),
    ...(options.onUnexpectedError ? { onUnexpectedError: options.onUnexpectedError } : {}),
  });
  const streams = new Set<ServerResponse>();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res, { options, port, origin, secret, dispatcher, streams }).catch(() => {
      if (!res.headersSent) send(res, 500, API_HEADERS, 'text/plain; charset=utf-8', 'Internal error.');
      else res.end();
    });
  });

  return {
    port,
    origin,
    url: `${origin}/#k=${secret}`,
    async close() {
      for (const stream of streams) stream.end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

interface Context {
  readonly options: BrowserHostOptions;
  readonly port: number;
  readonly origin: string;
  readonly secret: string;
  readonly dispatcher: Dispatcher;
  readonly streams: Set<ServerResponse>;
}

async function handle(req: IncomingMessage, res: ServerResponse, context: Context): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const refuse = (status: number, reason: string): void => {
    context.options.onRefused?.({ status, reason, path });
    // Drain an unread body so the connection ends cleanly instead of being reset.
    req.resume();
    send(res, status, API_HEADERS, 'text/plain; charset=utf-8', reason);
  };

  const source = checkRequestSource(req.headers, context.port);
  if (!source.ok) return refuse(source.status, source.reason);

  if (!path.startsWith('/api/')) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(405, 'Method not allowed.');
    const file = await readStaticFile(context.options.staticDir, path);
    if (!file) return send(res, 404, API_HEADERS, 'text/plain; charset=utf-8', 'Not found.');
    return send(res, 200, file.headers, file.contentType, req.method === 'HEAD' ? '' : file.body);
  }

  const auth = checkSecret(req.headers, context.secret);
  if (!auth.ok) return refuse(auth.status, auth.reason);

  if (path === '/api/events') {
    if (req.method !== 'GET') return refuse(405, 'Method not allowed.');
    return openEventStream(req, res, context);
  }
  const match = METHOD_PATH.exec(path);
  if (!match || req.method !== 'POST') return refuse(405, 'Method not allowed.');
  // A JSON content type makes any cross-origin fetch a preflighted one, which we refuse.
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return refuse(415, 'Expected application/json.');

  let args: unknown;
  try {
    const body = await readBody(req);
    args = body.length === 0 ? [] : JSON.parse(body.toString('utf8'));
  } catch {
    return sendJson(res, 400, { ok: false, error: { code: 'invalid_argument', message: 'The request body is not valid JSON (or is too large).' } });
  }
  if (!Array.isArray(args)) return sendJson(res, 400, { ok: false, error: { code: 'invalid_argument', message: 'The request body must be a JSON array of arguments.' } });
  const result = await context.dispatcher.invoke(match[1] ?? '', args, context.origin);
  sendJson(res, 200, result);
}

function openEventStream(req: IncomingMessage, res: ServerResponse, context: Context): void {
  res.writeHead(200, { ...API_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.write(': connected\n\n');
  context.streams.add(res);
  const unsubscribe = context.options.core.subscribe((event) => {
    res.write(`data: ${JSON.stringify(event)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const stop = (): void => {
    clearInterval(heartbeat);
    unsubscribe();
    context.streams.delete(res);
  };
  req.on('close', stop);
  res.on('close', stop);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, headers: Readonly<Record<string, string>>, contentType: string, body: string | Buffer): void {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': String(payload.length) });
  res.end(payload);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, API_HEADERS, 'application/json; charset=utf-8', JSON.stringify(value));
}

