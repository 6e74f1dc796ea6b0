/**
 * Azure's App Service managed-identity protocol, served for one child process:
 * `tessera exec [ACCOUNT] --azure-identity -- COMMAND…`.
 *
 * Every Azure SDK's `ManagedIdentityCredential` (and `DefaultAzureCredential`, which tries managed
 * identity before any developer tool) picks the App Service source when `IDENTITY_ENDPOINT` and
 * `IDENTITY_HEADER` are set, and asks `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…`
 * with the header `X-IDENTITY-HEADER` (MSAL Node `ManagedIdentitySources/AppService`). So the child
 * gets the user's tokens with no code change.
 *
 * The endpoint is a local HTTP server, so it defends itself the way a metadata emulator must:
 * 127.0.0.1 only and a random port (never 169.254.169.254, never a fixed port); a 256-bit random
 * secret that exists only in the child's environment, compared in constant time; the `Host` header
 * must be the bound address (a DNS-rebinding page sends its own host name); requests that carry
 * browser headers (`Origin`, `Sec-Fetch-*`) are refused; and it closes when the child exits.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants as osConstants } from 'node:os';
import { describeError, IntegrationError, isScopeToken, resourceScope, type GetToken } from './get-token';

/** The App Service managed-identity API version served here. */
export const AZURE_IDENTITY_API_VERSION = '2019-08-01';
/** The path of the token endpoint (App Service uses `/msi/token`). */
export const AZURE_IDENTITY_PATH = '/msi/token';
// The only address bound. The link-local metadata address (169.254.169.254) is never bound: a
// process there would answer every program on the machine, not one child.
const LOOPBACK = '127.0.0.1';

/** Query parameters that name a user-assigned identity; here they name a Tessera account. */
const IDENTITY_SELECTORS = ['client_id', 'mi_res_id', 'object_id', 'principal_id'] as const;

/**
 * Environment variables that would make an SDK choose another managed-identity source (Service
 * Fabric, Azure Arc, the 2017 App Service protocol, Cloud Shell — MSAL Node checks those first or
 * instead), so they are removed from the child's environment.
 */
export const CONFLICTING_ENV = ['IDENTITY_SERVER_THUMBPRINT', 'IMDS_ENDPOINT', 'MSI_ENDPOINT', 'MSI_SECRET'] as const;

/** What the endpoint was started with. */
export interface AzureIdentityEndpointOptions {
  readonly getToken: GetToken;
  /** The account `exec` was started for; requests may only repeat it. Absent: the default account, or the one a request names. */
  readonly account?: string;
}

/** A running endpoint. */
export interface AzureIdentityEndpoint {
  /** `http://127.0.0.1:PORT/msi/token`. */
  readonly endpoint: string;
  readonly port: number;
  /** The variables to put into the child's environment (and nowhere else). */
  readonly env: { readonly IDENTITY_ENDPOINT: string; readonly IDENTITY_HEADER: string };
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

interface ErrorBody {
  readonly status: number;
  readonly error: string;
  readonly description: string;
}

type ScreenResult = ErrorBody | URLSearchParams;

const refuse = (status: number, error: string, description: string): ErrorBody => ({ status, error, description });

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares two secrets in constant time (hashing first gives both sides the same length). */
function sameSecret(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  response.end(text);
}

function sendError(response: ServerResponse, refusal: ErrorBody): void {
  // `error` / `error_description` as Entra writes them; `message` is what Python's App Service
  // source reads. MSAL Node reads either.
  send(response, refusal.status, { error: refusal.error, error_description: refusal.description, message: refusal.description });
}

const sameAccount = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Checks everything about a request except the token itself; returns a refusal or the query. */
function screen(request: IncomingMessage, expectedHost: string, secret: Buffer): ScreenResult {
  if (request.socket.remoteAddress !== LOOPBACK) return refuse(403, 'forbidden', 'Only this computer may call this endpoint.');
  if (request.headers.host !== expectedHost) return refuse(403, 'forbidden', 'The Host header does not name this endpoint; requests through other host names are refused.');
  if (request.headers.origin !== undefined || Object.keys(request.headers).some((name) => name.startsWith('sec-fetch-'))) {
    return refuse(403, 'forbidden', 'Requests from web pages are refused.');
  }
  const given = request.headers['x-identity-header'];
  if (typeof given !== 'string' || !sameSecret(given, secret)) return refuse(401, 'unauthorized', 'The X-IDENTITY-HEADER header is missing or wrong. Use the IDENTITY_HEADER value from the environment.');
  if (request.method !== 'GET') return refuse(405, 'invalid_request', 'Use GET.');
  const url = new URL(request.url ?? '/', `http://${expectedHost}`);
  if (url.pathname !== AZURE_IDENTITY_PATH) return refuse(404, 'not_found', `The token endpoint is ${AZURE_IDENTITY_PATH}.`);
  return url.searchParams;
}

/** Reads the token parameters; returns a refusal or the resource and the named account. */
function tokenParameters(query: URLSearchParams, execAccount: string | undefined): ErrorBody | { resource: string; account?: string } {
  if (query.get('api-version') !== AZURE_IDENTITY_API_VERSION) return refuse(400, 'invalid_request', `This endpoint speaks api-version=${AZURE_IDENTITY_API_VERSION} only.`);
  const resource = query.get('resource');
  if (!resource || !isScopeToken(resourceScope(resource))) return refuse(400, 'invalid_request', 'Name the resource, for example resource=https://management.azure.com/.');
  const named = IDENTITY_SELECTORS.map((key) => query.get(key)).filter((value): value is string => value !== null && value !== '');
  if (named.length > 1) return refuse(400, 'invalid_request', 'Name the identity once (client_id, mi_res_id or object_id).');
  const selector = named[0];
  if (selector !== undefined && execAccount !== undefined && !sameAccount(selector, execAccount)) {
    return refuse(403, 'account_mismatch', `This program was started for ${execAccount} only; it asked for another identity. Start it with that account, or unset AZURE_CLIENT_ID.`);
  }
  const account = selector ?? execAccount;
  return { resource, ...(account !== undefined ? { account } : {}) };
}

/**
 * Starts the endpoint on 127.0.0.1 and a random port.
 *
 * The caller passes {@link AzureIdentityEndpoint.env} to exactly one child and calls `close()` when
 * that child exits ({@link runWithAzureIdentity} does both).
 */
export async function startAzureIdentityEndpoint(options: AzureIdentityEndpointOptions): Promise<AzureIdentityEndpoint> {
  const header = randomBytes(32).toString('base64url');
  const secret = digest(header);
  let expectedHost = '';
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (request, response) => {
    const screened = screen(request, expectedHost, secret);
    if (!(screened instanceof URLSearchParams)) {
      sendError(response, screened);
      return;
    }
    const params = tokenParameters(screened, options.account);
    if ('status' in params) {
      sendError(response, params);
      return;
    }
    options
      .getToken({ integration: 'azure-identity', ...(params.account !== undefined ? { account: params.account } : {}), scopes: [resourceScope(params.resource)] })
      .then((grant) => {
        // App Service writes expires_on as a string of epoch seconds; every SDK reads that form.
        send(response, 200, { access_token: grant.accessToken, expires_on: String(grant.expiresOn), resource: params.resource, token_type: grant.tokenType });
      })
      .catch((error: unknown) => {
        const { code, message } = describeError(error);
        sendError(response, refuse(code === 'internal' ? 500 : 400, code, message));
      });
  });
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  expectedHost = `${LOOPBACK}:${port}`;
  const endpoint = `http://${expectedHost}${AZURE_IDENTITY_PATH}`;
  let closed: Promise<void> | undefined;
  return {
    endpoint,
    port,
    env: { IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: header },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** What {@link runWithAzureIdentity} runs. */
export interface RunWithAzureIdentityOptions extends AzureIdentityEndpointOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** The environment the child starts from (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  readonly stdio?: StdioOptions;
  readonly cwd?: string;
  /** Called once the endpoint listens, before the child starts (tests and `--verbose` use it). */
  readonly onListening?: (endpoint: AzureIdentityEndpoint) => void;
}

/** The environment for the child: the base minus other managed-identity sources, plus the endpoint. */
export function childEnvironment(base: NodeJS.ProcessEnv, endpoint: AzureIdentityEndpoint): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of CONFLICTING_ENV) delete env[name];
  return { ...env, ...endpoint.env };
}

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs COMMAND with the endpoint in its environment and returns its exit code (128 + the signal
 * number when a signal ended it, as shells report). The endpoint closes as soon as the child exits.
 */
export async function runWithAzureIdentity(options: RunWithAzureIdentityOptions): Promise<number> {
  const endpoint = await startAzureIdentityEndpoint(options);
  options.onListening?.(endpoint);
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(options.command, [...options.args], {
        env: childEnvironment(options.env ?? process.env, endpoint),
        stdio: options.stdio ?? 'inherit',
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      });
      const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
      const handlers = FORWARDED_SIGNALS.map((signal) => [signal, forward(signal)] as const);
      for (const [signal, handler] of handlers) process.on(signal, handler);
      const detach = (): void => {
        for (const [signal, handler] of handlers) process.off(signal, handler);
      };
      child.once('error', (error: NodeJS.ErrnoException) => {
        detach();
        const reason = error.code === 'ENOENT' ? 'it was not found' : error.code === 'EACCES' ? 'it is not executable' : 'it could not be started';
        reject(new IntegrationError('exec_failed', `Could not run ${options.command}: ${reason}. Check the command after --.`, { cause: error }));
      });
      child.once('exit', (code, signal) => {
        detach();
        resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0));
      });
    });
  } finally {
    await endpoint.close();
  }
}
