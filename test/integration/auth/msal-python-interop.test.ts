/**
 * Cache interoperability with MSAL Python after real sign-ins against the test provider:
 * a cache MSAL Python wrote gives us a cache hit, and ours gives MSAL Python one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { PublicClientApplication, SerializableTokenCache } from '../../../main/auth';
import type { AuthorizationBroker } from '../../../main/auth';
import { startTestIdp } from '../../support/idp';
import type { TestIdp } from '../../support/idp';
import { chromiumInstalled, completeAuthorization, launchChromium } from '../../support/browser';
import { requirement, requires } from '../../support/requires';

const PYTHON = '/usr/bin/python3';
const PEER = join(import.meta.dirname, 'fixtures', 'msal_peer.py');
const SCOPE = 'api://tessera-demo/read';
const REDIRECT = 'http://localhost:53121';

function msalPythonVersion(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import msal; print(msal.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

const python = msalPythonVersion();
const needs = requires(requirement(python !== undefined, 'MSAL Python not found: apt-get install python3-msal (it installs for /usr/bin/python3)'), chromiumInstalled());

let idp: TestIdp;
let browser: Browser;
let dir: string;

function peerEnv(cacheFile: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CLIENT_ID: 'tessera-public',
    AUTHORITY: idp.entraAuthority('contoso'),
    INSTANCE_DISCOVERY: idp.instanceDiscoveryUrl,
    SCOPES: SCOPE,
    REDIRECT_URI: REDIRECT,
    CACHE_FILE: cacheFile,
    // requests reads this; it also overrides any `verify` argument.
    REQUESTS_CA_BUNDLE: idp.caPath,
  };
}

/** Run the peer; `onLine` answers each JSON line it prints (or returns undefined). */
async function runPeer(command: string, env: NodeJS.ProcessEnv, onLine: (msg: Record<string, unknown>) => Promise<string | undefined>): Promise<Record<string, unknown>[]> {
  const child = spawn(PYTHON, [PEER, command], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const messages: Record<string, unknown>[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const message = JSON.parse(line) as Record<string, unknown>;
    messages.push(message);
    const answer = await onLine(message);
    if (answer !== undefined) child.stdin.write(`${answer}\n`);
  }
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('close', resolve)));
  // Only the last line of a traceback: enough to diagnose, never a token (the peer prints none).
  if (code !== 0) throw new Error(`MSAL Python peer failed (${code}): ${stderr.trim().split('\n').at(-1)}`);
  return messages;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

needs.describe(`cache interop with MSAL Python ${python ?? ''}`, () => {
  beforeAll(async () => {
    idp = await startTestIdp();
    browser = await launchChromium({ serverCertPem: idp.serverCertPem });
    dir = mkdtempSync(join(tmpdir(), 'tessera-interop-'));
  });

  afterAll(async () => {
    await browser?.close();
    await idp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads a cache MSAL Python wrote after a real sign-in, and gets a cache hit', async () => {
    const cacheFile = join(dir, 'python-cache.json');
    const alice = idp.users[0]!;
    const messages = await runPeer('signin', peerEnv(cacheFile), async (message) => {
      if (typeof message['auth_uri'] !== 'string') return undefined;
      const redirected = await completeAuthorization(browser, message['auth_uri'], alice, REDIRECT);
      return JSON.stringify(Object.fromEntries(new URL(redirected).searchParams));
    });
    expect(messages.at(-1)).toMatchObject({ ok: true, error: null });

    const cache = new SerializableTokenCache();
    cache.deserialize(readFileSync(cacheFile, 'utf8'));
    const app = new PublicClientApplication('tessera-public', {
      authority: idp.entraAuthority('contoso'),
      instanceDiscovery: idp.instanceDiscoveryUrl,
      verify: idp.caPath,
      tokenCache: cache,
    });
    const [account] = await app.getAccounts();
    expect(account?.username).toBe(alice.username);
    idp.resetRequestCount();
    const hit = await app.acquireTokenSilent([SCOPE], account!);
    expect(hit?.token_source).toBe('cache');
    expect(idp.requestCount()).toBe(0);
    const pythonAt = Object.values(JSON.parse(readFileSync(cacheFile, 'utf8'))['AccessToken'])[0] as { secret: string };
    expect(sha256(hit!.access_token)).toBe(sha256(pythonAt.secret));
  });

  it('MSAL Python reads a cache we wrote after a real sign-in, and gets a cache hit', async () => {
    const bob = idp.users[1]!;
    const cache = new SerializableTokenCache();
    const app = new PublicClientApplication('tessera-public', {
      authority: idp.entraAuthority('contoso'),
      instanceDiscovery: idp.instanceDiscoveryUrl,
      verify: idp.caPath,
      tokenCache: cache,
    });
    const broker: AuthorizationBroker = { open: (url, redirectUri) => completeAuthorization(browser, url, bob, redirectUri) };
    const result = await app.acquireTokenInteractive([SCOPE], { broker, redirectUri: REDIRECT });
    expect(result.error).toBeUndefined();
    const cacheFile = join(dir, 'our-cache.json');
    writeFileSync(cacheFile, cache.serialize());

    idp.resetRequestCount();
    const [answer] = await runPeer('silent', peerEnv(cacheFile), async () => undefined);
    const accounts = answer!['accounts'] as Array<Record<string, unknown>>;
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ username: bob.username, home_account_id: (await app.getAccounts())[0]!.home_account_id });
    expect(accounts[0]!['access_token_sha256']).toBe(sha256(String(result.access_token)));
    // Python fetched discovery documents but made no token request: a cache hit.
    expect(idp.requestCount('/oauth2/v2.0/token')).toBe(0);
  });
});
