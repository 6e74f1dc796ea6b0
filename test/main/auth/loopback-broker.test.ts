import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Browser, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InteractionError, LoopbackBroker, MAX_REDIRECT_REQUEST_BYTES } from '../../../main/auth';
import { chromiumInstalled, launchChromium, newLoopbackContext } from '../../support/browser';
import { requires } from '../../support/requires';
import { rejection } from '../../support/rejection';

function portOf(redirectUri: string): number {
  return Number(new URL(redirectUri).port);
}

/** Resolves true when nothing accepts connections on the port any more. */
function isClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** A plain GET without following redirects; `host` overrides the Host header. */
function get(url: string, host?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: host ? { host } : {}, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('LoopbackBroker without a browser', () => {
  it('binds 127.0.0.1 on an ephemeral port with the configured path', async () => {
    const broker = new LoopbackBroker({ openExternal: () => {}, path: '/callback' });
    const { redirectUri } = await broker.prepare();
    expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    await broker.dispose();
    expect(await isClosed(portOf(redirectUri))).toBe(true);
  });

  it('times out with interaction_timeout and closes the port', async () => {
    const broker = new LoopbackBroker({ openExternal: () => {} });
    const { redirectUri } = await broker.prepare();
    const error = await rejection(broker.open('https://idp.invalid/authorize', redirectUri, { timeoutMs: 100 }), InteractionError);
    expect(error.code).toBe('interaction_timeout');
    expect(await isClosed(portOf(redirectUri))).toBe(true);
  });

  it('abort rejects with user_cancelled and closes the port', async () => {
    const broker = new LoopbackBroker({ openExternal: () => {} });
    const { redirectUri } = await broker.prepare();
    const controller = new AbortController();
    const flow = broker.open('https://idp.invalid/authorize', redirectUri, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await rejection(flow, InteractionError)).code).toBe('user_cancelled');
    expect(await isClosed(portOf(redirectUri))).toBe(true);
  });

  it('a failing openExternal is a broker_error', async () => {
    const broker = new LoopbackBroker({ openExternal: () => Promise.reject(new Error('no browser')) });
    const { redirectUri } = await broker.prepare();
    expect((await rejection(broker.open('https://idp.invalid/a', redirectUri), InteractionError)).code).toBe('broker_error');
  });

  it('open without prepare is a broker_error', async () => {
    const broker = new LoopbackBroker({ openExternal: () => {} });
    expect((await rejection(broker.open('https://idp.invalid/a', 'http://127.0.0.1:1/'), InteractionError)).code).toBe('broker_error');
  });

  it('ignores favicon, other paths, bare hits and foreign Host headers, then takes the code', async () => {
    const broker = new LoopbackBroker({ openExternal: () => {}, path: '/cb', closeGraceMs: 100 });
    const { redirectUri } = await broker.prepare();
    const origin = new URL(redirectUri).origin;
    const flow = broker.open('https://idp.invalid/authorize', redirectUri);
    expect((await get(`${origin}/favicon.ico`)).status).toBe(404);
    expect((await get(`${origin}/other?code=stolen`)).status).toBe(404);
    expect((await get(`${origin}/cb`)).status).toBe(404);
    expect((await get(`${origin}//attacker.example/cb?code=evil`)).status).toBe(404);
    // DNS rebinding: a web page reaching 127.0.0.1 under its own name.
    expect((await get(`${redirectUri}?code=evil&state=s`, 'attacker.example')).status).toBe(400);
    const answer = await get(`${redirectUri}?code=abc&state=s1`);
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('/cb');
    expect(await flow).toBe(`${redirectUri}?code=abc&state=s1`);
    expect(await isClosed(portOf(redirectUri))).toBe(true);
  });

  it('spells an Entra redirect http://localhost:{port} but still listens on 127.0.0.1 only', async () => {
    const broker = new LoopbackBroker({ openExternal: () => {}, closeGraceMs: 100 });
    const { redirectUri } = await broker.prepare({ loopbackStyle: 'entra' });
    expect(redirectUri).toMatch(/^http:\/\/localhost:\d+$/);
    const port = portOf(redirectUri);
    const flow = broker.open('https://idp.invalid/authorize?state=s', redirectUri);
    // The browser resolves localhost to the loopback interface and sends Host: localhost:{port}.
    const answer = await get(`http://127.0.0.1:${port}/?code=abc&state=s`, `localhost:${port}`);
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('/');
    expect(await flow).toBe(`http://localhost:${port}/?code=abc&state=s`);
  });

  it('close() releases a listener that was prepared but never opened (the AuthorizationBroker contract)', async () => {
    const broker = new LoopbackBroker({ openExternal: () => {} });
    const { redirectUri } = await broker.prepare();
    expect(await isClosed(portOf(redirectUri))).toBe(false);
    await broker.close();
    expect(await isClosed(portOf(redirectUri))).toBe(true);
  });

  it('a forged response from another page (wrong or no state) cannot end the sign-in', async () => {
    const broker = new LoopbackBroker({ openExternal: () => {}, closeGraceMs: 100 });
    const { redirectUri } = await broker.prepare();
    const flow = broker.open('https://idp.invalid/authorize?client_id=c&state=s-123', redirectUri);
    // Any web page can fire these at 127.0.0.1 (an <img>, a no-cors fetch); its Host header is ours.
    expect((await get(`${redirectUri}?error=access_denied`)).status).toBe(400);
    expect((await get(`${redirectUri}?error=access_denied&state=guess`)).status).toBe(400);
    expect((await get(`${redirectUri}?code=forged&state=guess`)).status).toBe(400);
    expect(await isClosed(portOf(redirectUri))).toBe(false);
    expect((await get(`${redirectUri}?code=real&state=s-123`)).status).toBe(302);
    expect(await flow).toBe(`${redirectUri}?code=real&state=s-123`);
  });

  it('reads an error redirect that echoes long values (over Node\'s 16 KiB default) and hands it back whole', async () => {
    const broker = new LoopbackBroker({ openExternal: () => {} });
    const { redirectUri } = await broker.prepare();
    const flow = broker.open('https://idp.invalid/authorize?state=s-long', redirectUri);
    // As the secrets canary's provider answers: a 4 KiB value echoed many times over.
    const echoed = 'A'.repeat(4096);
    const answer = `${redirectUri}?error=invalid_request&error_description=${Array.from({ length: 5 }, () => echoed).join('+')}&error_uri=https%3A%2F%2Fidp.invalid%2Fe%3F${Array.from({ length: 5 }, () => echoed).join('%26')}&state=s-long`;
    expect(answer.length).toBeGreaterThan(40 * 1024);
    const page = await get(answer);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<code>invalid_request</code>');
    expect(await flow).toBe(answer);
  });

  it('refuses a redirect over 64 KiB with 414 and ends the sign-in at once with invalid_auth_response', async () => {
    // The time limit is far off: the sign-in must end on the refused request, not on it.
    const broker = new LoopbackBroker({ openExternal: () => {}, timeoutMs: 10 * 60_000 });
    const { redirectUri } = await broker.prepare();
    const flow = rejection(broker.open('https://idp.invalid/authorize?state=s-huge', redirectUri), InteractionError);
    const page = await get(`${redirectUri}?error=invalid_request&error_description=${'B'.repeat(MAX_REDIRECT_REQUEST_BYTES)}&state=s-huge`);
    expect(page.status).toBe(414);
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'/);
    expect(page.body).toContain('too large for Tessera to read');
    expect(page.body).not.toContain('BBBB');
    const error = await flow;
    expect(error.code).toBe('invalid_auth_response');
    expect(error.message).toBe(
      "The provider's answer was too large to read (its redirect was over 64 KiB), so the sign-in stopped. Try again; if it happens again, the provider's sign-in logs say what went wrong.",
    );
    expect(await isClosed(portOf(redirectUri))).toBe(true);
  });

  it('an oversized request without the sign-in\'s state gets 414 but cannot end the sign-in', async () => {
    const broker = new LoopbackBroker({ openExternal: () => {}, closeGraceMs: 100 });
    const { redirectUri } = await broker.prepare();
    const flow = broker.open('https://idp.invalid/authorize?state=s-kept', redirectUri);
    expect((await get(`${redirectUri}?error=access_denied&state=guess&pad=${'C'.repeat(MAX_REDIRECT_REQUEST_BYTES)}`)).status).toBe(414);
    expect(await isClosed(portOf(redirectUri))).toBe(false);
    expect((await get(`${redirectUri}?code=real&state=s-kept`)).status).toBe(302);
    expect(await flow).toBe(`${redirectUri}?code=real&state=s-kept`);
  });
});


requires(chromiumInstalled()).describe('LoopbackBroker with Chromium', () => {
  let browser: Browser;
  let idp: Server;
  let idpOrigin: string;

  beforeAll(async () => {
    browser = await launchChromium();
    // A stand-in authorization endpoint: redirects to redirect_uri with whatever `answer` says.
    idp = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const target = new URL(url.searchParams.get('redirect_uri') ?? '');
      for (const [key, value] of new URLSearchParams(url.searchParams.get('answer') ?? '')) target.searchParams.set(key, value);
      res.writeHead(302, { Location: target.toString() });
      res.end();
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    idpOrigin = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => idp?.close(resolve));
  });

  function authorizeUrl(redirectUri: string, answer: Record<string, string>): string {
    const url = new URL('/authorize', idpOrigin);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('answer', new URLSearchParams(answer).toString());
    return url.toString();
  }

  it('resolves with the full redirect URL and leaves no code in the address bar', async () => {
    const page = await (await newLoopbackContext(browser)).newPage();
    let navigation: Promise<unknown> = Promise.resolve();
    const broker = new LoopbackBroker({ openExternal: (url) => void (navigation = page.goto(url)) });
    const { redirectUri } = await broker.prepare();
    const result = await broker.open(authorizeUrl(redirectUri, { code: 'x', state: 'y' }), redirectUri);
    await navigation;
    expect(result).toBe(`${redirectUri}?code=x&state=y`);
    expect(page.url()).toBe(redirectUri);
    expect(await page.textContent('body')).toContain('You can close this tab');
    expect(await page.content()).not.toContain('code=x');
    expect(await isClosed(portOf(redirectUri))).toBe(true);
    await page.context().close();
  });

  it('the Entra spelling lands on the clean page at http://localhost too, with no code in the address bar', async () => {
    const page = await (await newLoopbackContext(browser)).newPage();
    let navigation: Promise<unknown> = Promise.resolve();
    const broker = new LoopbackBroker({ openExternal: (url) => void (navigation = page.goto(url)) });
    const { redirectUri } = await broker.prepare({ loopbackStyle: 'entra' });
    const result = await broker.open(authorizeUrl(redirectUri, { code: 'x', state: 'y' }), redirectUri);
    await navigation;
    expect(result).toBe(`${redirectUri}/?code=x&state=y`);
    expect(page.url()).toBe(`${redirectUri}/`);
    expect(await page.textContent('body')).toContain('You can close this tab');
    await page.context().close();
  });

  it('an error response gets an escaped page with a strict CSP and resolves with the URL', async () => {
    const page = await (await newLoopbackContext(browser)).newPage();
    let navigation: Promise<Response | null> = Promise.resolve(null);
    const broker = new LoopbackBroker({ openExternal: (url) => void (navigation = page.goto(url)) });
    const { redirectUri } = await broker.prepare();
    const description = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>';
    const result = await broker.open(authorizeUrl(redirectUri, { error: 'access_denied', error_description: description, state: 'y' }), redirectUri);
    expect(new URL(result).searchParams.get('error')).toBe('access_denied');
    expect(new URL(result).searchParams.get('error_description')).toBe(description);
    const headers = (await navigation)?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    expect(await page.locator('script, img').count()).toBe(0);
    expect(await page.textContent('body')).toContain('<script>document.title="pwned"</script>');
    expect(await page.title()).not.toBe('pwned');
    expect(await isClosed(portOf(redirectUri))).toBe(true);
    await page.context().close();
  });
});
