/**
 * The local token channel's server: newline-delimited JSON over a Unix domain socket (or a
 * Windows named pipe), one connection per caller.
 *
 * Each connection gets a read deadline: a request line must arrive complete within
 * {@link CHANNEL_LIMITS}.readDeadlineMs of connecting (or of the previous answer), and may not
 * exceed maxRequestBytes. A slow, huge or malformed request gets one error line and the connection
 * is closed; other connections are never touched. While a request waits for a person (consent,
 * sign-in) the connection may stay open as long as it takes; closing it — or ending the sending
 * side, which looks the same on a Unix socket — withdraws the request.
 */
import { existsSync, chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { toErrorInfo } from '../errors';
import { checkSocket, preparePrivateDir, UnsafeEndpointError, type Endpoint } from './endpoint';
import { CHANNEL_LIMITS, parseRequest, type ChannelLimits, ProtocolError, type BridgeAnswer, type BridgeRequest, type Notice, type WireError } from './protocol';

/** What the server asks of the app for each valid request. */
export interface ChannelHandler {
  /**
   * Answers a request. Throw an error with a snake_case `code` and a user-facing message to answer
   * with that error; anything else becomes `internal_error`.
   */
  handle(request: BridgeRequest, context: RequestContext): Promise<unknown>;
}

/** Per-request facilities. */
export interface RequestContext {
  /** Aborted when the caller hangs up or the server closes. */
  readonly signal: AbortSignal;
  /** Sends a notice line before the answer (e.g. where to approve). */
  notify(notice: Notice): void;
}

/** Options of {@link startChannelServer}. */
export interface ChannelServerOptions {
  readonly endpoint: Endpoint;
  readonly handler: ChannelHandler;
  /** Overrides of {@link CHANNEL_LIMITS} (tests use short deadlines). */
  readonly limits?: Partial<ChannelLimits>;
  /** Told about refused connections and requests (code only, never the content). */
  readonly onRefused?: (code: string) => void;
  /** Told about errors that became `internal_error` (log the name, never the message). */
  readonly onUnexpectedError?: (error: unknown) => void;
}

/** A listening channel. */
export interface ChannelServer {
  readonly endpoint: Endpoint;
  /** Open connections right now. */
  connections(): number;
  /** Stops listening, cancels waiting requests, closes connections and removes the socket file. */
  close(): Promise<void>;
}

/** The endpoint is served by another running instance. */
export class EndpointInUseError extends Error {
  override readonly name = 'EndpointInUseError';
  readonly code = 'endpoint_in_use';
}

/** Starts the channel; refuses an unsafe folder or socket, and one that another instance serves. */
export async function startChannelServer(options: ChannelServerOptions): Promise<ChannelServer> {
  const limits = { ...CHANNEL_LIMITS, ...options.limits };
  const { endpoint } = options;
  if (endpoint.dir) {
    preparePrivateDir(endpoint.dir);
    await clearStaleSocket(endpoint);
  }
  const sockets = new Set<Socket>();
  const aborts = new Set<AbortController>();
  // allowHalfOpen: a client may end its side after the request and still read the answer.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    if (sockets.size >= limits.maxConnections) {
      options.onRefused?.('busy');
      socket.end(line({ id: 0, ok: false, error: { code: 'busy', message: 'Tessera is serving too many requests; try again in a moment.' } }));
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, options, limits, aborts);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(endpoint.path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The folder is 0700 already; 0600 on the socket as well, so a loosened folder still protects it.
  if (endpoint.dir) chmodSync(endpoint.path, 0o600);
  server.on('error', (error) => options.onUnexpectedError?.(error));
  return {
    endpoint,
    connections: () => sockets.size,
    async close() {
      for (const controller of aborts) controller.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      if (endpoint.dir && existsSync(endpoint.path)) {
        try {
          unlinkSync(endpoint.path);
        } catch {
          // Already gone.
        }
      }
    },
  };
}

/** Removes a socket file left by a crashed instance; refuses when another instance answers on it. */
async function clearStaleSocket(endpoint: Endpoint): Promise<void> {
  let exists = true;
  try {
    lstatSync(endpoint.path);
  } catch {
    exists = false;
  }
  if (!exists) return;
  checkSocket(endpoint); // another user's socket, or not a socket at all: refuse
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(endpoint.path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new EndpointInUseError(`Another Tessera is already serving ${endpoint.path}.`);
  unlinkSync(endpoint.path);
}

function line(answer: BridgeAnswer): string {
  return `${JSON.stringify(answer)}\n`;
}

function serveConnection(socket: Socket, options: ChannelServerOptions, limits: ChannelLimits, aborts: Set<AbortController>): void {
  const controller = new AbortController();
  aborts.add(controller);
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let inFlight = 0;
  let ended = false; // the client ended its side
  let closed = false;
  let deadline: NodeJS.Timeout | undefined;

  const write = (answer: BridgeAnswer): void => {
    if (!closed && socket.writable) socket.write(line(answer));
  };
  const refuse = (code: string, message: string, id = 0): void => {
    options.onRefused?.(code);
    write({ id, ok: false, error: { code, message } });
    closed = true;
    clearTimeout(deadline);
    socket.end();
    // A peer that never reads must not keep the socket alive.
    setTimeout(() => socket.destroy(), 1_000).unref();
  };
  const armDeadline = (): void => {
    clearTimeout(deadline);
    deadline = setTimeout(() => {
      if (bufferedBytes > 0) refuse('request_timeout', 'The request was not sent in time and was cut off.');
      else {
        closed = true;
        socket.end();
      }
    }, limits.readDeadlineMs);
    deadline.unref();
  };
  // Aborting builds a DOMException with its stack (about 25 µs, on every connection's end):
  // only a request still in flight has anything listening.
  const hangUp = (): void => {
    if (inFlight > 0) controller.abort();
  };
  const maybeFinish = (): void => {
    if (inFlight === 0 && ended && !closed) {
      closed = true;
      clearTimeout(deadline);
      socket.end();
    }
  };

  const run = async (request: BridgeRequest): Promise<void> => {
    try {
      const value = await options.handler.handle(request, {
        signal: controller.signal,
        notify: (notice) => write({ id: request.id, notice }),
      });
      write({ id: request.id, ok: true, value });
    } catch (error) {
      const info: WireError = toErrorInfo(error);
      if (info.code === 'internal_error') options.onUnexpectedError?.(error);
      write({ id: request.id, ok: false, error: info });
    } finally {
      inFlight -= 1;
      if (inFlight === 0 && !closed) armDeadline();
      maybeFinish();
    }
  };

  const takeLine = (lineBytes: Buffer): void => {
    if (lineBytes.length > limits.maxRequestBytes) {
      refuse('request_too_large', `The request is larger than ${limits.maxRequestBytes} bytes and was refused.`);
      return;
    }
    const text = lineBytes.toString('utf8').replace(/\r$/, '');
    if (text.trim() === '') return;
    let request: BridgeRequest;
    try {
      request = parseRequest(text);
    } catch (error) {
      const protocolError = error instanceof ProtocolError ? error : new ProtocolError('malformed_request', 'The request is not valid.');
      refuse(protocolError.code, protocolError.message, protocolError.requestId);
      return;
    }
    if (inFlight >= limits.maxPendingPerConnection) {
      refuse('busy', 'Too many requests on one connection.', request.id);
      return;
    }
    inFlight += 1;
    clearTimeout(deadline);
    void run(request);
  };

  socket.on('data', (chunk: Buffer) => {
    if (closed) return;
    let start = 0;
    let newline = chunk.indexOf(0x0a, start);
    while (newline !== -1) {
      const part = chunk.subarray(start, newline);
      const whole = bufferedBytes > 0 ? Buffer.concat([...buffered, part]) : part;
      buffered = [];
      bufferedBytes = 0;
      takeLine(whole);
      if (closed) return;
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      bufferedBytes += rest.length;
      if (bufferedBytes > limits.maxRequestBytes) {
        refuse('request_too_large', `The request is larger than ${limits.maxRequestBytes} bytes and was refused.`);
        return;
      }
      buffered.push(rest);
    }
  });
  socket.on('end', () => {
    ended = true;
    if (bufferedBytes > 0 && !closed) {
      // The last line had no newline: take it as a request.
      const whole = Buffer.concat(buffered);
      buffered = [];
      bufferedBytes = 0;
      takeLine(whole);
    }
    // A caller that ends its side has hung up (a unix socket's peer closing sends the same FIN):
    // answers that are ready still go out, but nothing waits for a person on its behalf.
    hangUp();
    maybeFinish();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
    clearTimeout(deadline);
    hangUp();
    aborts.delete(controller);
  });
  armDeadline();
}

export { UnsafeEndpointError };
