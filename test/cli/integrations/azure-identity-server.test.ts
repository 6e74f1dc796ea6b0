import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithAzureIdentity, startAzureIdentityEndpoint, type AzureIdentityEndpoint } from '../../../cli/integrations/azure-identity-server';
import { pythonAzureIdentity, requires } from '../../support/requires';
import { createTokenSource, ISSUER_ACCOUNTS, type TokenSource } from '../../support/token-issuer';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const DEBIAN_PYTHON = '/usr/bin/python3';
const ALICE = ISSUER_ACCOUNTS[0]!;
const BOB = ISSUER_ACCOUNTS[1]!;

interface RawAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One raw request with full control over the headers (fetch would not let us set Host). */
function rawGet(endpoint: AzureIdentityEndpoint, pathAndQuery: string, headers: Record<string, string>, method = 'GET'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: endpoint.port, path: pathAndQuery, method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    request.on('error', reject);
    request.end();
  });
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

describe('the managed-identity endpoint answers only its child', () => {
  let source: TokenSource;
  let endpoint: AzureIdentityEndpoint;
  let good: Record<string, string>;
  const query = '/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fvault.azure.net';

  beforeAll(async () => {
    source = createTokenSource();
    endpoint = await startAzureIdentityEndpoint({ getToken: source.getToken });
    good = { Host: `127.0.0.1:${endpoint.port}`, 'X-IDENTITY-HEADER': endpoint.env.IDENTITY_HEADER };
  });
  afterAll(async () => endpoint?.close());

  it('listens on 127.0.0.1 with a random path-bearing URL and a 256-bit header secret', () => {
    expect(endpoint.endpoint).toBe(`http://127.0.0.1:${endpoint.port}/msi/token`);
    expect(endpoint.env.IDENTITY_ENDPOINT).toBe(endpoint.endpoint);
    expect(Buffer.from(endpoint.env.IDENTITY_HEADER, 'base64url')).toHaveLength(32);
  });

  it('answers the App Service 2019-08-01 shape; the resource becomes <resource>/.default', async () => {
    source.requests.length = 0;
    const answer = await rawGet(endpoint, query, good);
    expect(answer.status).toBe(200);
    const issued = source.issued.at(-1)!;
    expect(answer.body).toEqual({ access_token: issued.accessToken, expires_on: String(issued.expiresOn), resource: 'https://vault.azure.net', token_type: 'Bearer' });
    expect(source.requests).toEqual([{ integration: 'azure-identity', scopes: ['https://vault.azure.net/.default'] }]);
  });

  it('client_id or mi_res_id names the account', async () => {
    source.requests.length = 0;
    expect((await rawGet(endpoint, `${query}&client_id=${encodeURIComponent(BOB.username)}`, good)).status).toBe(200);
    expect((await rawGet(endpoint, `${query}&mi_res_id=${ALICE.id}`, good)).status).toBe(200);
    expect(source.requests.map((request) => request.account)).toEqual([BOB.username, ALICE.id]);
    const both = await rawGet(endpoint, `${query}&client_id=a&mi_res_id=b`, good);
    expect(both).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  const refusals: readonly (readonly [string, (good: Record<string, string>, port: number) => Record<string, string>, number])[] = [
    ['a missing X-IDENTITY-HEADER', (headers) => ({ Host: headers['Host']! }), 401],
    ['a wrong X-IDENTITY-HEADER', (headers) => ({ ...headers, 'X-IDENTITY-HEADER': wrongSecret(headers['X-IDENTITY-HEADER']!) }), 401],
    ['a foreign Host (DNS rebinding)', (headers, port) => ({ ...headers, Host: `attacker.example:${port}` }), 403],
    ['localhost instead of the bound address', (headers, port) => ({ ...headers, Host: `localhost:${port}` }), 403],
    ['an Origin header', (headers) => ({ ...headers, Origin: 'https://attacker.example' }), 403],
    ['a Sec-Fetch-Site header', (headers) => ({ ...headers, 'Sec-Fetch-Site': 'cross-site' }), 403],
    ['a Sec-Fetch-Mode header', (headers) => ({ ...headers, 'Sec-Fetch-Mode': 'no-cors' }), 403],
  ];
  for (const [what, headers, status] of refusals) {
    it(`refuses ${what} without asking the app for a token`, async () => {
      source.requests.length = 0;
      const answer = await rawGet(endpoint, query, headers(good, endpoint.port));
      expect(answer.status).toBe(status);
      expect(typeof answer.body['error_description']).toBe('string');
      expect(answer.body).not.toHaveProperty('access_token');
      expect(source.requests).toEqual([]);
    });
  }

  it('refuses other methods, paths, API versions and a missing resource', async () => {
    source.requests.length = 0;
    expect((await rawGet(endpoint, query, good, 'POST')).status).toBe(405);
    expect((await rawGet(endpoint, '/metadata/identity/oauth2/token?api-version=2019-08-01&resource=x', good)).status).toBe(404);
    expect((await rawGet(endpoint, '/msi/token?api-version=2017-09-01&resource=https%3A%2F%2Fvault.azure.net', good)).status).toBe(400);
    expect((await rawGet(endpoint, '/msi/token?api-version=2019-08-01', good)).status).toBe(400);
    expect((await rawGet(endpoint, '/msi/token?api-version=2019-08-01&resource=has%20space', good)).status).toBe(400);
    expect(source.requests).toEqual([]);
  });

  it('passes on the app’s refusal as an error the SDKs report, without a token', async () => {
    source.refuseWith = 'consent_denied';
    try {
      const answer = await rawGet(endpoint, query, good);
      expect(answer).toMatchObject({ status: 400, body: { error: 'consent_denied', error_description: 'The request was refused in Tessera.' } });
    } finally {
      source.refuseWith = undefined;
    }
  });

  it('with exec ACCOUNT, a request for another identity is refused', async () => {
    const scoped = await startAzureIdentityEndpoint({ getToken: source.getToken, account: ALICE.username });
    try {
      source.requests.length = 0;
      const headers = { Host: `127.0.0.1:${scoped.port}`, 'X-IDENTITY-HEADER': scoped.env.IDENTITY_HEADER };
      expect((await rawGet(scoped, `${query}&client_id=${encodeURIComponent(BOB.username)}`, headers)).body).toMatchObject({ error: 'account_mismatch' });
      expect((await rawGet(scoped, `${query}&client_id=${encodeURIComponent(ALICE.username.toUpperCase())}`, headers)).status).toBe(200);
      expect((await rawGet(scoped, query, headers)).status).toBe(200);
      expect(source.requests.map((request) => request.account)).toEqual([ALICE.username.toUpperCase(), ALICE.username]);
    } finally {
      await scoped.close();
    }
  });
});

// A program written for Azure, unchanged: it only uses the SDK's credentials. It prints hashes of
// the tokens (never the tokens) and the endpoint it was given.
const NODE_CHILD = `
import { createHash } from 'node:crypto';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
const hash = (token) => createHash('sha256').update(token).digest('hex');
const results = [];
const mi = await new ManagedIdentityCredential().getToken('https://vault.azure.net/.default');
results.push({ hash: hash(mi.token), expiresOnTimestamp: mi.expiresOnTimestamp });
const dac = await new DefaultAzureCredential().getToken('https://management.azure.com//.default');
results.push({ hash: hash(dac.token), expiresOnTimestamp: dac.expiresOnTimestamp });
const bob = await new ManagedIdentityCredential({ clientId: process.argv[1] }).getToken('https://storage.azure.com/.default');
results.push({ hash: hash(bob.token), expiresOnTimestamp: bob.expiresOnTimestamp });
console.log(JSON.stringify({ endpoint: process.env.IDENTITY_ENDPOINT, results }));
process.exitCode = 7;
`;

const PYTHON_CHILD = `
import hashlib, json, os
from azure.identity import DefaultAzureCredential, ManagedIdentityCredential
def hashed(token):
    return {"hash": hashlib.sha256(token.token.encode()).hexdigest(), "expiresOnTimestamp": token.expires_on * 1000}
results = [hashed(ManagedIdentityCredential().get_token("https://vault.azure.net/.default")),
           hashed(DefaultAzureCredential(exclude_shared_token_cache_credential=True).get_token("https://management.azure.com//.default"))]
print(json.dumps({"endpoint": os.environ["IDENTITY_ENDPOINT"], "results": results}))
`;

interface ChildReport {
  readonly endpoint: string;
  readonly results: readonly { hash: string; expiresOnTimestamp: number }[];
}

describe('Azure SDKs in a child process get tokens from tessera exec --azure-identity with no code change', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-azure-identity-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Runs the child with stdout in a file; returns the exit code and what it printed. */
  async function runChild(source: TokenSource, command: string, args: readonly string[], name: string): Promise<{ code: number; report: ChildReport; stderr: string }> {
    const out = await open(join(dir, `${name}.out`), 'w');
    const err = await open(join(dir, `${name}.err`), 'w');
    // The child's environment: this one minus anything that would pick another credential first.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AZURE_') && !key.startsWith('IDENTITY_') && !key.startsWith('MSI_')));
    try {
      const code = await runWithAzureIdentity({ getToken: source.getToken, command, args, env: { ...env, IDENTITY_SERVER_THUMBPRINT: 'left-over-service-fabric-thumbprint' }, cwd: REPO, stdio: ['ignore', out.fd, err.fd] });
      const stdout = await readFile(join(dir, `${name}.out`), 'utf8');
      const stderr = await readFile(join(dir, `${name}.err`), 'utf8');
      const line = stdout.trim().split('\n').at(-1) ?? '';
      let report: ChildReport;
      try {
        report = JSON.parse(line) as ChildReport;
      } catch {
        throw new Error(`the child printed no report (exit ${code}): ${stderr.slice(-2000)}`);
      }
      return { code, report, stderr };
    } finally {
      await out.close();
      await err.close();
    }
  }

  /** The child got exactly the issued tokens, with their expiry (MSAL Node may round it down by a second). */
  function expectSameTokens(report: ChildReport, source: TokenSource): void {
    expect(report.results.map((result) => result.hash)).toEqual(source.issued.map((issued) => sha256(issued.accessToken)));
    report.results.forEach((result, i) => {
      const expiresOnMs = source.issued[i]!.expiresOn * 1000;
      expect(result.expiresOnTimestamp).toBeLessThanOrEqual(expiresOnMs);
      expect(result.expiresOnTimestamp).toBeGreaterThanOrEqual(expiresOnMs - 2_000);
    });
  }

  async function isGone(endpoint: string): Promise<boolean> {
    try {
      await fetch(endpoint);
      return false;
    } catch (error) {
      return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
    }
  }

  it('@azure/identity (Node): ManagedIdentityCredential, DefaultAzureCredential and a clientId naming an account', async () => {
    const source = createTokenSource();
    const { code, report } = await runChild(source, process.execPath, ['--input-type=module', '-e', NODE_CHILD, BOB.username], 'node');
    expect(code).toBe(7);
    expect(source.requests).toEqual([
      { integration: 'azure-identity', scopes: ['https://vault.azure.net/.default'] },
      { integration: 'azure-identity', scopes: ['https://management.azure.com//.default'] },
      { integration: 'azure-identity', account: BOB.username, scopes: ['https://storage.azure.com/.default'] },
    ]);
    expectSameTokens(report, source);
    expect(source.issued.map((issued) => issued.account.username)).toEqual([ALICE.username, ALICE.username, BOB.username]);
    // The variables were the child's only; the endpoint closed when the child exited.
    expect(process.env['IDENTITY_ENDPOINT']).toBeUndefined();
    expect(report.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/msi\/token$/);
    expect(await isGone(report.endpoint)).toBe(true);
  });

  requires(pythonAzureIdentity()).it('azure-identity (Python, as Debian’s azure-cli ships it): ManagedIdentityCredential and DefaultAzureCredential', async () => {
    const source = createTokenSource();
    const { code, report } = await runChild(source, DEBIAN_PYTHON, ['-c', PYTHON_CHILD], 'python');
    expect(code).toBe(0);
    expect(source.requests.map((request) => request.scopes)).toEqual([['https://vault.azure.net/.default'], ['https://management.azure.com//.default']]);
    expectSameTokens(report, source);
    expect(await isGone(report.endpoint)).toBe(true);
  });

  it('a command that cannot start is a one-line error, and no endpoint stays behind', async () => {
    const source = createTokenSource();
    let endpoint = '';
    await expect(
      runWithAzureIdentity({ getToken: source.getToken, command: join(dir, 'no-such-program'), args: [], stdio: 'ignore', onListening: (started) => (endpoint = started.endpoint) }),
    ).rejects.toMatchObject({ code: 'exec_failed', message: expect.stringContaining('it was not found') });
    expect(await isGone(endpoint)).toBe(true);
  });

  it('a child ended by a signal exits 128 + the signal number', async () => {
    const source = createTokenSource();
    const code = await runWithAzureIdentity({ getToken: source.getToken, command: '/bin/sh', args: ['-c', 'kill -TERM $$'], stdio: 'ignore' });
    expect(code).toBe(128 + 15);
  });
});

/** The secret with its last character changed (ending it in 'A' kept a secret that already ended in 'A': a 1-in-64 flake). */
function wrongSecret(secret: string): string {
  return `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
}
