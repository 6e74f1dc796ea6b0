import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { InteractionError } from '../../../main/auth/errors';
import { LoopbackReceiverBroker } from '../../../main/auth/loopback-receiver';

/** A plain GET to 127.0.0.1 with an explicit Host header. */
function get(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('LoopbackReceiverBroker', () => {
  it('ignores a redirect sent under a foreign Host name (DNS rebinding), then takes ours', async () => {
    const broker = new LoopbackReceiverBroker(() => undefined);
    const { redirectUri } = await broker.prepare();
    const port = Number(new URL(redirectUri).port);
    // No state in this authorization URL: the Host check is the only thing between a page and the flow.
    const flow = broker.open('https://idp.example/authorize?client_id=c', redirectUri, { timeoutMs: 5_000 });
    const forged = await get(port, '/?code=forged', `attacker.example:${port}`);
    expect(forged.status).toBe(400);
    const real = await get(port, '/?code=real', `localhost:${port}`);
    expect(real.status).toBe(200);
    expect(await flow).toBe(`${redirectUri}/?code=real`);
  });

  it('a failing openBrowser rejects once and leaves no timer to reject unhandled later', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const broker = new LoopbackReceiverBroker(() => {
        throw new InteractionError('broker_error', 'no browser');
      });
      const { redirectUri } = await broker.prepare();
      await expect(broker.open('https://idp.example/authorize?state=s', redirectUri, { timeoutMs: 50 })).rejects.toThrow('no browser');
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('escapes the error text it shows', async () => {
    const broker = new LoopbackReceiverBroker(() => undefined);
    const { redirectUri } = await broker.prepare();
    const port = Number(new URL(redirectUri).port);
    const flow = broker.open('https://idp.example/authorize?state=s', redirectUri, { timeoutMs: 5_000 });
    const page = await get(port, `/?state=s&error=x&error_description=${encodeURIComponent('<img src=x onerror=alert(1)>')}`, `127.0.0.1:${port}`);
    expect(page.body).not.toContain('<img');
    expect(page.body).toContain('&lt;img');
    await flow;
  });
});
