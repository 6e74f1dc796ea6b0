/**
 * A loopback https git server for the credential helper's tests: git's own `git http-backend`
 * (smart HTTP, clone and push) behind a small Node server that requires a token.
 *
 * Repositories live under `<root>/<owner>/<name>.git`; each owner (the first path segment) admits
 * one account. A request must carry `Authorization: Basic user:<token>` or `Bearer <token>` with
 * a token the test's source issued to that account and that has not expired; otherwise it gets a
 * 401 with `WWW-Authenticate: Basic`, which makes git ask its credential helpers.
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCa } from './test-certs';

/** One request the stand-in answered. */
export interface GitRequest {
  readonly method: string;
  readonly path: string;
  /** The account whose token was presented, when it was one of ours. */
  readonly account: string | undefined;
  readonly scheme: 'basic' | 'bearer' | 'none';
  readonly status: number;
}

/** A running stand-in. */
export interface GitHttpStandIn {
  /** `https://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly requests: GitRequest[];
  close(): Promise<void>;
}

const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

function credentialOf(header: string | undefined): { scheme: GitRequest['scheme']; token?: string } {
  if (header?.startsWith('Bearer ')) return { scheme: 'bearer', token: header.slice(7) };
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return { scheme: 'basic', token: decoded.slice(decoded.indexOf(':') + 1) };
  }
  return { scheme: 'none' };
}

/**
 * Starts the stand-in.
 *
 * `owners` maps a first path segment (`contoso`) to the username allowed there; `accountOf` names a
 * valid token's account (from the test's token source, or the test provider for real tokens).
 */
export async function startGitHttpStandIn(options: {
  readonly ca: TestCa;
  readonly projectRoot: string;
  readonly owners: Readonly<Record<string, string>>;
  /** The username a valid, unexpired token belongs to, or undefined. */
  readonly accountOf: (token: string) => string | undefined | Promise<string | undefined>;
}): Promise<GitHttpStandIn> {
  const cert = await options.ca.issue(['127.0.0.1']);
  const requests: GitRequest[] = [];
  const server: Server = createServer({ cert: cert.certPem, key: cert.keyPem }, (request, response) => {
    // Hold the body until the token is judged (the judge may be asynchronous).
    request.pause();
    void serve(request, response);
  });
  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'https://stand-in');
    const { scheme, token } = credentialOf(request.headers.authorization);
    const account = token === undefined ? undefined : await options.accountOf(token);
    const owner = url.pathname.split('/')[1] ?? '';
    const allowed = account !== undefined && options.owners[owner] === account;
    const record = (status: number): void => {
      requests.push({ method: request.method ?? 'GET', path: url.pathname, account, scheme, status });
    };
    if (!allowed) {
      request.resume();
      record(401);
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="tessera-stand-in"', 'Content-Type': 'text/plain' });
      response.end('Authentication required\n');
      return;
    }
    const body: Buffer[] = [];
    request.on('data', (chunk: Buffer) => body.push(chunk));
    request.on('end', () => {
      const input = Buffer.concat(body);
      // RFC 3875 meta-variables for git http-backend (git Documentation/git-http-backend.adoc).
      const cgi = spawn(HTTP_BACKEND, [], {
        env: {
          GIT_PROJECT_ROOT: options.projectRoot,
          GIT_HTTP_EXPORT_ALL: '1',
          REQUEST_METHOD: request.method ?? 'GET',
          PATH_INFO: url.pathname,
          QUERY_STRING: url.search.replace(/^\?/, ''),
          CONTENT_TYPE: request.headers['content-type'] ?? '',
          CONTENT_LENGTH: String(input.length),
          REMOTE_USER: account,
          REMOTE_ADDR: '127.0.0.1',
          ...(request.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: request.headers['content-encoding'] } : {}),
          ...(request.headers['git-protocol'] ? { GIT_PROTOCOL: String(request.headers['git-protocol']) } : {}),
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        },
      });
      const output: Buffer[] = [];
      cgi.stdout.on('data', (chunk: Buffer) => output.push(chunk));
      // git http-backend may exit before reading a refused push's body: a late EPIPE is not an error here.
      cgi.stdin.on('error', () => undefined);
      cgi.stdin.end(input);
      cgi.on('close', () => {
        const all = Buffer.concat(output);
        let split = all.indexOf('\r\n\r\n');
        let gap = 4;
        if (split < 0) {
          split = all.indexOf('\n\n');
          gap = 2;
        }
        const head = all.subarray(0, Math.max(split, 0)).toString('latin1');
        let status = 200;
        const headers: Record<string, string> = {};
        for (const line of head.split(/\r?\n/)) {
          const colon = line.indexOf(':');
          if (colon <= 0) continue;
          const name = line.slice(0, colon).trim();
          const value = line.slice(colon + 1).trim();
          if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
          else headers[name] = value;
        }
        record(status);
        response.writeHead(status, headers);
        response.end(split < 0 ? Buffer.alloc(0) : all.subarray(split + gap));
      });
    });
    request.resume();
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
