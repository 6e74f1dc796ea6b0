import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultHttpClient, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, type ClosableHttpClient } from '../../../main/auth/default-http-client';
import { InvalidArgumentError, TransportError } from '../../../main/auth/errors';
import { PublicClientApplication } from '../../../main/auth';
import { createTestCa } from '../../support/test-certs';
import { rejection } from '../../support/rejection';

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

let server: HttpsServer;
let origin: string;
let proxy: HttpServer;
let proxyUrl: string;
const connectTargets: string[] = [];
let dir: string;
let caPath: string;
const clients: ClosableHttpClient[] = [];

function client(options: Parameters<typeof createDefaultHttpClient>[0]): ClosableHttpClient {
  const created = createDefaultHttpClient(options);
  clients.push(created);
  return created;
}

async function listen(s: HttpServer | HttpsServer): Promise<number> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as AddressInfo).port;
}

beforeAll(async () => {
  const ca = await createTestCa();
  const leaf = await ca.issue(['127.0.0.1', 'localhost']);
  dir = mkdtempSync(join(tmpdir(), 'tessera-http-'));
  caPath = join(dir, 'ca.pem');
  writeFileSync(caPath, ca.caCertPem);

  server = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const respond = (): void => {
        const echo: Echo = { method: req.method ?? '', url: req.url ?? '', headers: req.headers as Record<string, string>, body };
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Mixed-Case': 'Yes' });
        res.end(JSON.stringify(echo));
      };
      // /slow never answers: only the client's own timeout can end the request, however slow the machine.
      if (req.url?.startsWith('/slow')) return;
      // /trickle sends headers, then one byte every 200 ms, forever: progress never stops.
      if (req.url?.startsWith('/trickle')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const timer = setInterval(() => res.write(' '), 200);
        res.on('close', () => clearInterval(timer));
        return;
      }
      // /big?n=<bytes>&length=<declared|none>: a body of n bytes, with or without Content-Length.
      if (req.url?.startsWith('/big')) {
        const params = new URL(req.url, 'https://x').searchParams;
        const size = Number(params.get('n'));
        res.writeHead(200, { 'Content-Type': 'application/json', ...(params.get('length') === 'none' ? {} : { 'Content-Length': String(size) }) });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let left = size;
        const pump = (): void => {
          while (left > 0) {
            const part = chunk.subarray(0, Math.min(left, chunk.length));
            left -= part.length;
            if (!res.write(part)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
        return;
      }
      respond();
    });
  });
  origin = `https://127.0.0.1:${await listen(server)}`;

  // A minimal HTTP CONNECT proxy: records the target and splices the sockets.
  proxy = createHttpServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, socket, head) => {
    connectTargets.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  server.closeAllConnections();
  proxy.closeAllConnections();
  await Promise.all([server, proxy].map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

describe('createDefaultHttpClient', () => {
  it('trusts the CA bundle named by verify, and lower-cases response header names', async () => {
    const response = await client({ verify: caPath }).get(`${origin}/hello`);
    expect(response.status).toBe(200);
    expect(response.headers['x-mixed-case']).toBe('Yes');
    expect((JSON.parse(response.text) as Echo).url).toBe('/hello');
  });

  it('rejects an unknown CA by default with a typed network error', async () => {
    const error = await rejection(client({}).get(`${origin}/hello`), TransportError);
    expect(error.code).toBe('network_error');
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.message).toContain('127.0.0.1');
    expect(error.message).toMatch(/certificate/);
  });

  it('accepts any certificate with verify=false', async () => {
    expect((await client({ verify: false }).get(`${origin}/hello`)).status).toBe(200);
  });

  it('appends params to the URL and form-encodes data', async () => {
    const response = await client({ verify: caPath }).post(`${origin}/token?x=1`, {
      params: { 'api-version': '1.0', q: 'a b&c' },
      data: { grant_type: 'refresh_token', scope: 'openid profile', odd: 'a&b=c' },
      headers: { 'X-Test': 'yes' },
    });
    const echo = JSON.parse(response.text) as Echo;
    expect(echo.method).toBe('POST');
    expect(new URL(echo.url, origin).searchParams.get('q')).toBe('a b&c');
    expect(new URL(echo.url, origin).searchParams.get('x')).toBe('1');
    expect(new URL(echo.url, origin).searchParams.get('api-version')).toBe('1.0');
    expect(echo.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(echo.headers['x-test']).toBe('yes');
    expect(echo.body).toBe('grant_type=refresh_token&scope=openid+profile&odd=a%26b%3Dc');
    expect(Object.fromEntries(new URLSearchParams(echo.body))).toEqual({
      grant_type: 'refresh_token',
      scope: 'openid profile',
      odd: 'a&b=c',
    });
  });

  it('gives code timeout when the server does not answer within the timeout', async () => {
    const error = await rejection(client({ verify: caPath, timeout: 100 }).get(`${origin}/slow`), TransportError);
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('127.0.0.1');
  });

  it('a server trickling a byte every 200 ms fails at the overall deadline (bug: trickle never failed)', async () => {
    const error = await rejection(client({ verify: caPath, timeout: 1_000 }).get(`${origin}/trickle`), TransportError);
    expect(error.code).toBe('timeout');
    expect(error.message).toMatch(/did not finish within 1 s/);
  });

  it('takes the deadline from ClientApplication\'s timeout option', async () => {
    const app = new PublicClientApplication('client', { oidcAuthority: `${origin}/slow`, verify: caPath, timeout: 300 });
    const error = await rejection(app.authority(), TransportError);
    expect(error.code).toBe('timeout');
  });

  it('has a 30 s overall deadline and a 4 MiB body limit by default (bug: unbounded I/O)', () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(4 * 1024 * 1024);
  });

  it('refuses a body over the limit, declared or not (bug: a 200 MiB token was accepted)', async () => {
    const small = client({ verify: caPath, maxResponseBytes: 100_000 });
    const declared = await rejection(small.get(`${origin}/big?n=200000`), TransportError);
    expect(declared.code).toBe('response_too_large');
    const undeclared = await rejection(small.get(`${origin}/big?n=200000&length=none`), TransportError);
    expect(undeclared.code).toBe('response_too_large');
    expect(undeclared.message).toContain('127.0.0.1');
    // At the limit exactly, the body is read whole.
    expect((await small.get(`${origin}/big?n=100000&length=none`)).text).toHaveLength(100_000);
  });

  it('gives network_error with a cause when nothing listens', async () => {
    const closed = createHttpServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const error = await rejection(client({ verify: caPath }).post(`https://127.0.0.1:${port}/token`, { data: { password: 'pw-secret' } }), TransportError);
    expect(error.code).toBe('network_error');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('pw-secret');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('sends https requests through proxies.https (CONNECT), and not through proxies.http', async () => {
    connectTargets.length = 0;
    const viaProxy = await client({ verify: caPath, proxies: { https: proxyUrl } }).get(`${origin}/proxied`);
    expect(viaProxy.status).toBe(200);
    expect(connectTargets).toEqual([new URL(origin).host]);

    connectTargets.length = 0;
    const direct = await client({ verify: caPath, proxies: { http: proxyUrl } }).get(`${origin}/direct`);
    expect(direct.status).toBe(200);
    expect(connectTargets).toEqual([]);
  });

  it('checks the CA through the proxy tunnel too', async () => {
    const error = await rejection(client({ proxies: { https: proxyUrl } }).get(`${origin}/proxied`), TransportError);
    expect(error.code).toBe('network_error');
  });

  it('refuses an unreadable CA bundle path', () => {
    expect(() => createDefaultHttpClient({ verify: join(dir, 'missing.pem') })).toThrow(InvalidArgumentError);
  });
});
