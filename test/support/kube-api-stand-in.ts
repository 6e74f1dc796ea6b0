/**
 * A loopback https stand-in for a Kubernetes API server: enough of the API for kubectl to discover
 * the core group and list namespaces, behind a bearer-token check.
 *
 * Every request must carry `Authorization: Bearer <token>` with a token the test's source accepts;
 * otherwise it gets the API server's 401 `Status`. Each request is recorded (path and token).
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestCa } from './test-certs';

/** One request the stand-in answered. */
export interface KubeRequest {
  readonly path: string;
  readonly token: string | undefined;
  readonly status: number;
}

/** A running stand-in. */
export interface KubeApiStandIn {
  /** `https://127.0.0.1:PORT`. */
  readonly server: string;
  readonly requests: KubeRequest[];
  /** Delay before answering the next authorised request, in ms, once (lets a short-lived token expire). */
  delayNextAnswerMs: number;
  close(): Promise<void>;
}

const json = (value: unknown): string => JSON.stringify(value);

function answer(path: string): { status: number; body: string } {
  switch (path) {
    case '/version':
      return { status: 200, body: json({ major: '1', minor: '32', gitVersion: 'v1.32.0-tessera-stand-in', platform: 'linux/amd64' }) };
    case '/api':
      return { status: 200, body: json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] }) };
    case '/apis':
      return { status: 200, body: json({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] }) };
    case '/api/v1':
      return {
        status: 200,
        body: json({
          kind: 'APIResourceList',
          groupVersion: 'v1',
          resources: [{ name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get', 'list'], shortNames: ['ns'] }],
        }),
      };
    case '/api/v1/namespaces':
      return {
        status: 200,
        body: json({
          kind: 'NamespaceList',
          apiVersion: 'v1',
          metadata: { resourceVersion: '1' },
          items: ['default', 'tessera-demo'].map((name) => ({ metadata: { name, uid: `uid-${name}`, creationTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Active' } })),
        }),
      };
    default:
      return { status: 404, body: json({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }) };
  }
}

/**
 * A kubeconfig whose current context points kubectl at `server` (trusting `caCertPem`) as `user`,
 * followed by `users` (a `users:` section, e.g. from `tessera kubeconfig-user`).
 */
export function standInKubeconfig(server: string, caCertPem: string, user: string, users: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: stand-in',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${Buffer.from(caCertPem).toString('base64')}`,
    'contexts:',
    '- name: stand-in',
    `  context: { cluster: stand-in, user: ${JSON.stringify(user)} }`,
    'current-context: stand-in',
    users,
  ].join('\n');
}

/**
 * Starts the stand-in on 127.0.0.1 with a certificate from `ca`; `isValid` judges bearer tokens (an
 * in-memory source's record, or the test provider's demo API for real tokens).
 */
export async function startKubeApiStandIn(ca: TestCa, isValid: (token: string) => boolean | Promise<boolean>): Promise<KubeApiStandIn> {
  const cert = await ca.issue(['127.0.0.1']);
  const state = { delayNextAnswerMs: 0 };
  const requests: KubeRequest[] = [];
  const server: Server = createServer({ cert: cert.certPem, key: cert.keyPem }, (request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'https://stand-in').pathname;
      const header = request.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
      if (token === undefined || !(await isValid(token))) {
        requests.push({ path, token, status: 401 });
        response.writeHead(401, { 'Content-Type': 'application/json' });
        response.end(json({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
        return;
      }
      const delay = state.delayNextAnswerMs;
      state.delayNextAnswerMs = 0;
      if (delay > 0) await sleep(delay);
      const { status, body } = answer(path);
      requests.push({ path, token, status });
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    server: `https://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
