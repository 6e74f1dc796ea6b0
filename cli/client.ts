/**
 * The `tessera` command's side of the local channel: find the app's socket, check it is ours,
 * send one request line, print notices while waiting, return the answer.
 */
import { connect, type Socket } from 'node:net';
import { checkSocket, clientEndpoints, type Endpoint } from '../main/bridge/endpoint';
import { BRIDGE_PROTOCOL_VERSION } from '../preload/contract';
import type { CallerReport } from './caller';

/** A notice from the app while it waits for a person. */
export interface WaitNotice {
  readonly kind: string;
  readonly message: string;
}

/** The app's answer. */
export type Answer = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

/** The app could not be reached (or its socket is not safe); the message says what to do. */
export class NotRunningError extends Error {
  override readonly name = 'NotRunningError';
}

function tryConnect(endpoint: Endpoint): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(endpoint.path);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Connects to the first endpoint that answers; {@link NotRunningError} when none does. */
export async function connectToApp(endpoints: readonly Endpoint[] = clientEndpoints()): Promise<Socket> {
  let unsafe: Error | undefined;
  for (const endpoint of endpoints) {
    try {
      checkSocket(endpoint);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'unsafe_endpoint') {
        unsafe ??= error as Error;
        continue;
      }
      continue; // missing: try the next place
    }
    try {
      return await tryConnect(endpoint);
    } catch {
      // A socket file nobody listens on (the app crashed): try the next place.
    }
  }
  if (unsafe) throw new NotRunningError(unsafe.message);
  const where = endpoints[0]?.path ?? 'its socket';
  throw new NotRunningError(`Tessera is not running (nothing at ${where}). Start it (the Tessera app, or npm start) and try again.`);
}

/**
 * Sends one request and waits for its answer; `onNotice` gets each notice. `signal` hangs up,
 * which withdraws the request in the app.
 */
export function request(
  socket: Socket,
  method: string,
  params: Record<string, unknown>,
  caller: CallerReport,
  onNotice: (notice: WaitNotice) => void,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      outcome();
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        if (line.trim() === '') continue;
        let message: { notice?: WaitNotice; ok?: boolean; value?: unknown; error?: { code: string; message: string } };
        try {
          message = JSON.parse(line) as typeof message;
        } catch {
          finish(() => reject(new Error('Tessera sent an answer this command cannot read. Update the command to the app’s version.')));
          return;
        }
        if (message.notice) onNotice(message.notice);
        else if (message.ok === true) finish(() => resolve({ ok: true, value: message.value }));
        else if (message.ok === false && message.error) {
          const error = message.error;
          finish(() => resolve({ ok: false, error }));
        }
      }
    });
    socket.on('error', (error) => finish(() => reject(new NotRunningError(`The connection to Tessera failed (${(error as { code?: string }).code ?? error.name}). Try again.`))));
    socket.on('close', () => finish(() => reject(new NotRunningError('Tessera closed the connection before answering (did it quit?). Try again.'))));
    socket.write(`${JSON.stringify({ v: BRIDGE_PROTOCOL_VERSION, id: 1, method, params, caller })}\n`);
  });
}
