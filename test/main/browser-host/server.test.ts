import { mkdtemp, rm, writeFile, mkdir, symlink } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiMethods, AppEvent } from '../../../preload/contract';
import { checkRequestSource, checkSecret } from '../../../main/browser-host/request-guard';
import { startBrowserHost, type BrowserHost, type BrowserHostCore } from '../../../main/browser-host/server';
import { resolveStaticPath } from '../../../main/browser-host/static-files';

/** A core whose operations answer fixed values; only what these tests call is real. */
function createCore(): BrowserHostCore & { emit(event: AppEvent): void; pinned: [string, boolean][] } {
  const listeners = new Set<(event: AppEvent) => void>();
  const pinned: [string, boolean][] = [];
  const unsupported = async (): Promise<never> => {
    throw new Error('not used here');
  };
  const api: ApiMethods = {
    getAppInfo: async () => ({ version: '1', platform: 'linux', mode: 'browser', demoProviderAvailable: false }),
    listPresets: async () => [],
    listProfiles: async () => [],
    validateProfile: unsupported,
    saveProfile: unsupported,
    deleteProfile: unsupported,
    listAccounts: async () => [],
    addAccount: unsupported,
    cancelSignIn: async () => undefined,
    reauthenticate: unsupported,
    copyDeviceCode: unsupported,
    signInForScopes: unsupported,
    removeAccount: unsupported,
    refreshAccount: unsupported,
    setPinned: async (accountId, value) => {
      pinned.push([accountId, value]);
      return { id: accountId, profileId: 'p', profileName: 'P', providerKind: 'oidc', username: 'u', status: { kind: 'unknown' }, pinned: value, storage: 'memory-only' };
    },
    copyToken: unsupported,
    revealToken: unsupported,
    getIdToken: unsupported,
    getSettings: unsupported,
    updateSettings: unsupported,
    getStorageStatus: unsupported,
    getBridgeStatus: unsupported,
    listConsentPrompts: async () => [],
    answerConsent: unsupported,
    listStandingRules: unsupported,
    revokeStandingRule: unsupported,
    listActivity: async () => [],
    setDefaultAccount: unsupported,
    installCommandLineTool: unsupported,
  };
  return {
    ...api,
    pinned,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (event) => listeners.forEach((listener) => listener(event)),
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('browser-mode host', () => {
  const secret = 'test-secret_0123456789';
  const core = createCore();
  let host: BrowserHost;
  let dir: string;
  const auth = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-host-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
    host = await startBrowserHost({ core, staticDir: dir, secret });
  });
  afterAll(async () => {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a URL that carries the secret in the fragment only', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#k=${secret}`);
  });

  it('serves the renderer with the lock-down headers', async () => {
    const page = await call(host.port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await call(host.port, '/assets/app.js')).headers['content-type']).toContain('text/javascript');
    expect((await call(host.port, '/../../etc/passwd')).status).toBe(404);
    expect((await call(host.port, '/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
  });

  it('does not follow a symbolic link out of the renderer folder', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'tessera-outside-'));
    try {
      await writeFile(join(outside, 'token-cache.json'), '{"secret":"s3cr3t"}');
      await symlink(join(outside, 'token-cache.json'), join(dir, 'leak.json'));
      await symlink(outside, join(dir, 'linked'));
      for (const path of ['/leak.json', '/linked/token-cache.json']) {
        const answer = await call(host.port, path);
        expect(answer.status).toBe(404);
        expect(answer.body).not.toContain('s3cr3t');
      }
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('runs an operation with validated arguments and answers a Result', async () => {
    const answer = await call(host.port, '/api/setPinned', { method: 'POST', headers: auth, body: '["acc-1", true]' });
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(answer.body)).toMatchObject({ ok: true, value: { id: 'acc-1', pinned: true } });
    expect(core.pinned).toEqual([['acc-1', true]]);
    const bad = await call(host.port, '/api/setPinned', { method: 'POST', headers: auth, body: '["acc-1", "yes"]' });
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    const unknown = await call(host.port, '/api/dropTables', { method: 'POST', headers: auth, body: '[]' });
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });

  it('refuses calls without the secret, from other origins, rebound hosts, and non-JSON bodies', async () => {
    expect((await call(host.port, '/api/listAccounts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' })).status).toBe(401);
    expect((await call(host.port, '/api/listAccounts', { method: 'POST', headers: { ...auth, authorization: 'Bearer wrong' }, body: '[]' })).status).toBe(401);
    expect((await call(host.port, '/api/listAccounts', { method: 'POST', headers: { ...auth, origin: 'http://127.0.0.1:1' }, body: '[]' })).status).toBe(403);
    expect((await call(host.port, '/api/listAccounts', { method: 'POST', headers: { ...auth, host: `evil.test:${host.port}` }, body: '[]' })).status).toBe(403);
    expect((await call(host.port, '/', { headers: { host: `evil.test:${host.port}` } })).status).toBe(403);
    expect((await call(host.port, '/api/listAccounts', { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: '[]' })).status).toBe(415);
    expect((await call(host.port, '/api/listAccounts', { method: 'OPTIONS', headers: { origin: 'http://evil.test' } })).status).toBe(403);
    const ok = await call(host.port, '/api/listAccounts', { method: 'POST', headers: { ...auth, host: `localhost:${host.port}`, origin: `http://localhost:${host.port}` }, body: '[]' });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.headers).some((name) => name.startsWith('access-control-'))).toBe(false);
  });

  it('streams events to an authorised client', async () => {
    let contentType: string | undefined;
    const received = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: '/api/events', headers: { host: `127.0.0.1:${host.port}`, authorization: `Bearer ${secret}` } }, (res) => {
        contentType = res.headers['content-type'];
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.includes('clipboard-cleared')) {
            req.destroy();
            resolve(text);
          }
        });
        // The host subscribes before it sends the headers, so the event can go out at once.
        core.emit({ type: 'clipboard-cleared' });
      });
      req.on('error', reject);
      req.end();
    });
    expect(contentType).toBe('text/event-stream; charset=utf-8');
    expect(received).toContain('data: {"type":"clipboard-cleared"}\n\n');
    const refused = await call(host.port, '/api/events');
    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).not.toContain('text/event-stream');
  });
});

describe('request guard', () => {
  it('accepts only loopback Host names of our port', () => {
    expect(checkRequestSource({ host: '127.0.0.1:5000' }, 5000).ok).toBe(true);
    expect(checkRequestSource({ host: 'localhost:5000' }, 5000).ok).toBe(true);
    expect(checkRequestSource({ host: '127.0.0.1:5001' }, 5000).ok).toBe(false);
    expect(checkRequestSource({ host: '127.0.0.1:5000', 'sec-fetch-site': 'cross-site' }, 5000).ok).toBe(false);
    expect(checkRequestSource({ host: 'attacker.example:5000' }, 5000)).toMatchObject({ ok: false, status: 403 });
  });
  it('refuses other origins and same-site pages on other ports, but not our own page', () => {
    const host = { host: '127.0.0.1:5000' };
    expect(checkRequestSource({ ...host, origin: 'http://127.0.0.1:5000' }, 5000).ok).toBe(true);
    expect(checkRequestSource({ ...host, origin: 'http://localhost:5000', 'sec-fetch-site': 'same-origin' }, 5000).ok).toBe(true);
    expect(checkRequestSource({ ...host, 'sec-fetch-site': 'none' }, 5000).ok).toBe(true);
    // Another loopback port is the same site (ports do not count) but never the same origin.
    expect(checkRequestSource({ ...host, origin: 'http://127.0.0.1:5001' }, 5000)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequestSource({ ...host, origin: 'null' }, 5000)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequestSource({ ...host, 'sec-fetch-site': 'same-site' }, 5000)).toMatchObject({ ok: false, status: 403 });
  });
  it('compares the secret exactly', () => {
    expect(checkSecret({ authorization: 'Bearer abc' }, 'abc').ok).toBe(true);
    expect(checkSecret({ authorization: 'Bearer abcd' }, 'abc').ok).toBe(false);
    expect(checkSecret({ authorization: 'bearer abc' }, 'abc').ok).toBe(false);
    expect(checkSecret({}, 'abc').ok).toBe(false);
  });
  it('keeps static paths inside the folder', () => {
    expect(resolveStaticPath('/srv/app', '/')).toBe('/srv/app/index.html');
    expect(resolveStaticPath('/srv/app', '/../secret.html')).toBeUndefined();
    expect(resolveStaticPath('/srv/app', '/%2e%2e%2fsecret.html')).toBeUndefined();
    expect(resolveStaticPath('/srv/app', '/key.pem')).toBeUndefined();
  });
});
