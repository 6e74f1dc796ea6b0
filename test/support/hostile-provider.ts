/**
 * A hostile OpenID provider: a real https server on loopback whose every answer a test scripts.
 *
 * The test identity provider (`./idp`, oidc-provider) is certified and never misbehaves; this one
 * serves the discovery document, the key set and the token endpoint of an issuer at `{origin}/op`
 * and answers each request with what the test queued — tampered ID tokens (its own signing key, a
 * stranger's, `alg: none`), malformed JSON, failure statuses, silence, resets, a trickle. The auth
 * core talks to it through its real default HTTP client, TLS included (per-run CA in `caPath`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createTestCa } from './test-certs';

/** The endpoints of the hostile issuer. */
export type HostileEndpoint = 'discovery' | 'jwks' | 'token';

/** One scripted answer. */
export interface ScriptedAnswer {
  /** Default 200. */
  readonly status?: number;
  /** A string is sent as is; anything else as JSON. Default: the endpoint's normal answer. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * `silent`: never answer; `reset`: destroy the socket before any byte; `reset-mid-body`: send the
   * headers and half the body, then destroy; `trickle`: send headers, then one byte every `trickleMs`.
   */
  readonly fault?: 'silent' | 'reset' | 'reset-mid-body' | 'trickle';
  readonly trickleMs?: number;
}

/** A request as the provider received it (for an answer that echoes what the client sent). */
export interface ReceivedRequest {
  /** The body, as text (a token request's form). */
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

/** A scripted answer, or a function that builds it from the request (e.g. to echo the PKCE verifier back). */
export type QueuedAnswer = ScriptedAnswer | ((request: ReceivedRequest) => ScriptedAnswer);

/** How to sign an ID token. */
export interface IdTokenOptions {
  /** `RS256` with the published key (default), `RS256` with a key nobody published, `none`, or `HS256` with a made-up secret. */
  readonly signer?: 'own' | 'stranger' | 'none' | 'hs256';
  /** `kid` header; `null` leaves it out. Default: the published key's kid. */
  readonly kid?: string | null;
}

/** A running hostile provider. */
export interface HostileProvider {
  readonly origin: string;
  /** `{origin}/op`: the issuer, for `oidcAuthority`. */
  readonly issuer: string;
  /** The per-run CA as a PEM file, for `verify`. */
  readonly caPath: string;
  /** The discovery document of `{origin}/op` it serves unless a test queued another answer. */
  readonly discovery: Readonly<Record<string, unknown>>;
  /** `{origin}/{name}`: another issuer on the same server, with its own default discovery document. */
  issuerNamed(name: string): string;
  /** The default discovery document of the issuer `{origin}/{name}`. */
  discoveryOf(name: string): Record<string, unknown>;
  /** The key set it serves unless a test queued another answer (one RS256 key, kid `k1`). */
  readonly jwks: { readonly keys: readonly JWK[] };
  /** Answer the next request to `endpoint` with `answer` (queued answers are used in order). */
  queue(endpoint: HostileEndpoint, answer: QueuedAnswer): void;
  /** Serve `answer` for every request to `endpoint` until `reset()`. */
  always(endpoint: HostileEndpoint, answer: ScriptedAnswer): void;
  /** Forget queued and standing answers. */
  reset(): void;
  /** Requests received at `endpoint` so far (all endpoints without it). */
  requests(endpoint?: HostileEndpoint): number;
  /** An ID token of `{origin}/op` for `clientId`, valid for an hour, with `claims` merged over the defaults. */
  idToken(clientId: string, claims?: Record<string, unknown>, options?: IdTokenOptions): Promise<string>;
  stop(): Promise<void>;
}

// Any first path segment is an issuer of its own (`{origin}/{name}`), so a test can use a fresh
// issuer where the auth core would otherwise reuse a discovery document it already fetched.
const ROUTE = /^\/([A-Za-z0-9-]+)\/(\.well-known\/openid-configuration|jwks|token)$/;
const ENDPOINTS: Readonly<Record<string, HostileEndpoint>> = { '.well-known/openid-configuration': 'discovery', jwks: 'jwks', token: 'token' };

/** Starts a hostile provider on 127.0.0.1; call `stop()` when done. */
export async function startHostileProvider(): Promise<HostileProvider> {
  const ca = await createTestCa();
  const leaf = await ca.issue(['127.0.0.1', 'localhost']);
  const dir = await mkdtemp(join(tmpdir(), 'tessera-hostile-'));
  const caPath = join(dir, 'ca.pem');
  await writeFile(caPath, ca.caCertPem, { mode: 0o600 });
  const own = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('RS256');
  const publicJwk: JWK = { ...(await exportJWK(own.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };

  const queued = new Map<HostileEndpoint, QueuedAnswer[]>();
  const standing = new Map<HostileEndpoint, ScriptedAnswer>();
  const counts = new Map<HostileEndpoint, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state: { discovery: Record<string, unknown> } = { discovery: {} };

  const server: Server = createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const match = ROUTE.exec(path);
    const name = match?.[1] ?? '';
    const endpoint = match ? ENDPOINTS[match[2] ?? ''] : undefined;
    // Read the request body before answering, as a real server does (an answer may echo it).
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (!endpoint) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
        return;
      }
      counts.set(endpoint, (counts.get(endpoint) ?? 0) + 1);
      const next = queued.get(endpoint)?.shift() ?? standing.get(endpoint) ?? normalAnswer(endpoint, name);
      serve(res, typeof next === 'function' ? next({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers }) : next);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const normalAnswer = (endpoint: HostileEndpoint, name: string): ScriptedAnswer => {
    if (endpoint === 'discovery') return { body: discoveryOf(name) };
    if (endpoint === 'jwks') return { body: { keys: [publicJwk] } };
    return { status: 400, body: { error: 'invalid_request', error_description: 'No answer was scripted for this request.' } };
  };

  const serve = (res: ServerResponse, answer: ScriptedAnswer): void => {
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
    const headers = { 'content-type': 'application/json', 'cache-control': 'no-store', ...answer.headers };
    switch (answer.fault) {
      case 'silent':
        return;
      case 'reset':
        res.socket?.destroy();
        return;
      case 'reset-mid-body':
        res.writeHead(answer.status ?? 200, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
        res.write(text.slice(0, Math.floor(text.length / 2)));
        setImmediate(() => res.socket?.destroy());
        return;
      case 'trickle': {
        res.writeHead(answer.status ?? 200, headers);
        let at = 0;
        const timer = setInterval(() => {
          if (at >= text.length) {
            clearInterval(timer);
            timers.delete(timer);
            res.end();
            return;
          }
          res.write(text[at++] ?? '');
        }, answer.trickleMs ?? 2_000);
        timers.add(timer);
        res.on('close', () => {
          clearInterval(timer);
          timers.delete(timer);
        });
        return;
      }
      default:
        res.writeHead(answer.status ?? 200, headers);
        res.end(text);
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}/op`;
  const discoveryOf = (name: string): Record<string, unknown> => {
    const named = `${origin}/${name}`;
    return {
      issuer: named,
      authorization_endpoint: `${named}/authorize`,
      token_endpoint: `${named}/token`,
      jwks_uri: `${named}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      authorization_response_iss_parameter_supported: true,
    };
  };
  state.discovery = discoveryOf('op');

  return {
    origin,
    issuer,
    caPath,
    get discovery() {
      return state.discovery;
    },
    jwks: { keys: [publicJwk] },
    issuerNamed: (name) => `${origin}/${name}`,
    discoveryOf,
    queue(endpoint, answer) {
      const list = queued.get(endpoint) ?? [];
      list.push(answer);
      queued.set(endpoint, list);
    },
    always(endpoint, answer) {
      standing.set(endpoint, answer);
    },
    reset() {
      queued.clear();
      standing.clear();
    },
    requests: (endpoint) => (endpoint ? counts.get(endpoint) ?? 0 : [...counts.values()].reduce((a, b) => a + b, 0)),
    async idToken(clientId, claims = {}, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload = { iss: issuer, aud: clientId, sub: 'hostile-subject', iat: now, exp: now + 3600, ...claims };
      const signer = options.signer ?? 'own';
      const kid = options.kid === undefined ? 'k1' : options.kid;
      if (signer === 'none') {
        const header = Buffer.from(JSON.stringify({ alg: 'none', ...(kid ? { kid } : {}) })).toString('base64url');
        return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
      }
      if (signer === 'hs256') {
        return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', ...(kid ? { kid } : {}) }).sign(new TextEncoder().encode('a-secret-the-provider-made-up-000'));
      }
      const key: CryptoKey = signer === 'stranger' ? stranger.privateKey : own.privateKey;
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', ...(kid ? { kid } : {}) }).sign(key);
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
