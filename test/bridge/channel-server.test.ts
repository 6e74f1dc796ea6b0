/**
 * The local channel on a real Unix domain socket: framing, limits, cut-offs that leave other
 * connections alone, and the ownership checks on the folder and the socket.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requires, root } from '../support/requires';
import { EndpointInUseError, startChannelServer, type ChannelHandler, type ChannelServer } from '../../main/bridge/channel-server';
import { checkSocket, hostEndpoint, SOCKET_NAME, UnsafeEndpointError, type Endpoint } from '../../main/bridge/endpoint';
import type { BridgeRequest } from '../../main/bridge/protocol';

const CALLER = { program: 'vitest', integration: 'cli' } as const;
// `nobody`: a user this test is not.
const OTHER_UID = 65534;

/** Echoes the method; `token` waits until released (or until the caller hangs up). */
class EchoHandler implements ChannelHandler {
  readonly aborted: number[] = [];
  readonly seen: BridgeRequest[] = [];
  #release: Array<() => void> = [];

  async handle(request: BridgeRequest, context: { signal: AbortSignal; notify(notice: { kind: 'waiting-for-approval'; message: string }): void }): Promise<unknown> {
    this.seen.push(request);
    if (request.method !== 'token') return { echo: request.method };
    context.notify({ kind: 'waiting-for-approval', message: 'waiting' });
    await new Promise<void>((resolve, reject) => {
      this.#release.push(resolve);
      context.signal.addEventListener('abort', () => {
        this.aborted.push(request.id);
        reject(new Error('aborted'));
      });
    });
    return { echo: 'token' };
  }

  releaseAll(): void {
    for (const release of this.#release.splice(0)) release();
  }
}

/** Opens a connection and collects answer lines. */
function open(path: string): Promise<{ socket: Socket; lines: unknown[]; closed: Promise<void>; next(): Promise<Record<string, unknown>> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const lines: unknown[] = [];
    const waiting: Array<(line: Record<string, unknown>) => void> = [];
    let buffer = '';
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const line = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        const waiter = waiting.shift();
        if (waiter) waiter(line);
        else lines.push(line);
      }
    });
    socket.on('error', () => undefined);
    socket.once('connect', () =>
      resolve({
        socket,
        lines,
        closed,
        next: () => (lines.length > 0 ? Promise.resolve(lines.shift() as Record<string, unknown>) : new Promise((done) => waiting.push(done))),
      }),
    );
    socket.once('error', reject);
  });
}

function requestLine(id: number, method: string, params: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ v: 1, id, method, params, caller: CALLER })}\n`;
}

describe('channel server', () => {
  let dir: string;
  let endpoint: Endpoint;
  let server: ChannelServer | undefined;
  let handler: EchoHandler;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-channel-'));
    endpoint = hostEndpoint({ dataDir: dir, env: { XDG_RUNTIME_DIR: dir }, platform: 'linux' });
    handler = new EchoHandler();
  });

  afterEach(async () => {
    handler.releaseAll();
    await server?.close();
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('listens in a 0700 folder on a 0600 socket and answers a request line', async () => {
    server = await startChannelServer({ endpoint, handler });
    expect(endpoint.path).toBe(join(dir, 'tessera', SOCKET_NAME));
    expect(statSync(join(dir, 'tessera')).mode & 0o777).toBe(0o700);
    expect(lstatSync(endpoint.path).isSocket()).toBe(true);
    expect(lstatSync(endpoint.path).mode & 0o777).toBe(0o600);
    const client = await open(endpoint.path);
    client.socket.write(requestLine(7, 'status'));
    expect(await client.next()).toEqual({ id: 7, ok: true, value: { echo: 'status' } });
    client.socket.destroy();
  });

  it('answers a request whose sender ended its side without a newline', async () => {
    server = await startChannelServer({ endpoint, handler });
    const client = await open(endpoint.path);
    client.socket.end(requestLine(3, 'accounts').trimEnd());
    expect(await client.next()).toEqual({ id: 3, ok: true, value: { echo: 'accounts' } });
    await client.closed;
  });

  it('cuts off a malformed request with invalid_request, and another connection carries on', async () => {
    server = await startChannelServer({ endpoint, handler });
    const waiting = await open(endpoint.path);
    waiting.socket.write(requestLine(1, 'token'));
    expect((await waiting.next()).notice).toEqual({ kind: 'waiting-for-approval', message: 'waiting' });

    const bad = await open(endpoint.path);
    bad.socket.write('{"v":1,"id":2,"method":\n');
    const answer = await bad.next();
    expect(answer.ok).toBe(false);
    expect((answer.error as { code: string }).code).toBe('malformed_request');
    await bad.closed;

    const unknownMethod = await open(endpoint.path);
    unknownMethod.socket.write(requestLine(4, 'refresh-token'));
    expect(((await unknownMethod.next()).error as { code: string }).code).toBe('malformed_request');

    const extraField = await open(endpoint.path);
    extraField.socket.write(`${JSON.stringify({ v: 1, id: 5, method: 'token', params: { clientSecret: 'x' }, caller: CALLER })}\n`);
    const refused = await extraField.next();
    expect(refused.id).toBe(5);
    expect(((refused.error as { message: string }).message)).toMatch(/not valid/);

    handler.releaseAll();
    expect(await waiting.next()).toEqual({ id: 1, ok: true, value: { echo: 'token' } });
    expect(handler.seen.map((request) => request.id)).toEqual([1]);
  });

  it('refuses an oversized request before reading it all, and closes the connection', async () => {
    server = await startChannelServer({ endpoint, handler, limits: { maxRequestBytes: 1024 } });
    const client = await open(endpoint.path);
    client.socket.write('{"v":1,"id":1,"method":"status","params":{},"caller":{"program":"' + 'a'.repeat(4096));
    const answer = await client.next();
    expect((answer.error as { code: string }).code).toBe('request_too_large');
    await client.closed;
    expect(handler.seen).toEqual([]);
    // The server still serves.
    const after = await open(endpoint.path);
    after.socket.write(requestLine(2, 'status'));
    expect((await after.next()).ok).toBe(true);
    after.socket.destroy();
  });

  it('cuts off a request that arrives too slowly (per-connection read deadline)', async () => {
    server = await startChannelServer({ endpoint, handler, limits: { readDeadlineMs: 300 } });
    const slow = await open(endpoint.path);
    const line = requestLine(1, 'status');
    slow.socket.write(line.slice(0, 10));
    // A second, prompt client is served while the slow one dribbles.
    const prompt = await open(endpoint.path);
    prompt.socket.write(requestLine(2, 'accounts'));
    expect((await prompt.next()).ok).toBe(true);
    const answer = await slow.next();
    expect((answer.error as { code: string }).code).toBe('request_timeout');
    await slow.closed;
    expect(handler.seen.map((request) => request.id)).toEqual([2]);
  });

  it('cancels a waiting request when the caller hangs up', async () => {
    server = await startChannelServer({ endpoint, handler });
    const client = await open(endpoint.path);
    client.socket.write(requestLine(9, 'token'));
    await client.next(); // the notice
    client.socket.destroy();
    await expect.poll(() => handler.aborted).toEqual([9]);
  });

  it('refuses connections beyond the limit with busy', async () => {
    server = await startChannelServer({ endpoint, handler, limits: { maxConnections: 1 } });
    const first = await open(endpoint.path);
    first.socket.write(requestLine(1, 'token'));
    await first.next();
    const second = await open(endpoint.path);
    expect(((await second.next()).error as { code: string }).code).toBe('busy');
    first.socket.destroy();
  });

  it('replaces a socket file left by a killed instance, and refuses to start while another instance serves it', async () => {
    mkdirSync(join(dir, 'tessera'), { mode: 0o700 });
    // A real leftover: a process bound the socket and was killed before it could unlink it.
    const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(endpoint.path)}, () => console.log('up'))`]);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    expect(lstatSync(endpoint.path).isSocket()).toBe(true);
    server = await startChannelServer({ endpoint, handler });
    await expect(startChannelServer({ endpoint, handler })).rejects.toBeInstanceOf(EndpointInUseError);
    const client = await open(endpoint.path);
    client.socket.write(requestLine(1, 'status'));
    expect((await client.next()).ok).toBe(true);
    client.socket.destroy();
  });

  it('refuses a folder that others can write to', async () => {
    mkdirSync(join(dir, 'tessera'));
    chmodSync(join(dir, 'tessera'), 0o777);
    await expect(startChannelServer({ endpoint, handler })).rejects.toBeInstanceOf(UnsafeEndpointError);
  });

  it('tightens its own folder that others could only read', async () => {
    mkdirSync(join(dir, 'tessera'));
    chmodSync(join(dir, 'tessera'), 0o755);
    server = await startChannelServer({ endpoint, handler });
    expect(statSync(join(dir, 'tessera')).mode & 0o777).toBe(0o700);
  });

  requires(root('lets this test make files owned by another user')).it("refuses another user's folder, and a client refuses another user's socket", async () => {
    mkdirSync(join(dir, 'tessera'), { mode: 0o700 });
    chownSync(join(dir, 'tessera'), OTHER_UID, OTHER_UID);
    await expect(startChannelServer({ endpoint, handler })).rejects.toThrow(/belongs to another user/);
    chownSync(join(dir, 'tessera'), 0, 0);
    server = await startChannelServer({ endpoint, handler });
    expect(() => checkSocket(endpoint)).not.toThrow();
    chownSync(endpoint.path, OTHER_UID, OTHER_UID);
    expect(() => checkSocket(endpoint)).toThrow(/belongs to another user/);
    chownSync(endpoint.path, 0, 0);
    chmodSync(endpoint.path, 0o666);
    expect(() => checkSocket(endpoint)).toThrow(/written by other users/);
  });
});
