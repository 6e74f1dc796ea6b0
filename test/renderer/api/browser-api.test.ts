// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { createBrowserApi, createSseParser, takeSecret } from '../../../renderer/api/browser-api';

describe('takeSecret', () => {
  it('takes the key from the fragment, keeps it for this tab and strips it from the address bar', () => {
    window.history.replaceState(null, '', '/app?x=1#k=abc_DEF-123');
    expect(takeSecret(window.location, window.history, window.sessionStorage)).toBe('abc_DEF-123');
    expect(window.location.hash).toBe('');
    expect(window.location.href).not.toContain('abc_DEF-123');
    // A reload of the same tab still works.
    expect(takeSecret(window.location, window.history, window.sessionStorage)).toBe('abc_DEF-123');
    window.sessionStorage.clear();
    expect(takeSecret(window.location, window.history, window.sessionStorage)).toBeNull();
  });
});

describe('createSseParser', () => {
  it('splits events across chunk boundaries and joins multi-line data', () => {
    const seen: string[] = [];
    const parse = createSseParser((data) => seen.push(data));
    parse(': connected\n\ndata: {"a"');
    parse(':1}\n\ndata: x\r\ndata: y\r\n\r\n');
    expect(seen).toEqual(['{"a":1}', 'x\ny']);
  });
});

describe('createBrowserApi', () => {
  it('posts JSON arguments with the bearer secret and returns the Result', async () => {
    const requests: { url: string; init: RequestInit | undefined }[] = [];
    const fetchImpl = (async (url: string, init?: RequestInit) => {
      requests.push({ url, init });
      return new Response(JSON.stringify({ ok: true, value: { pinned: true } }), { status: 200 });
    }) as typeof fetch;
    const api = createBrowserApi('s3cret', 'http://127.0.0.1:1', fetchImpl);
    const result = await api.setPinned('acc', true);
    expect(result).toEqual({ ok: true, value: { pinned: true } });
    expect(requests[0]?.url).toBe('http://127.0.0.1:1/api/setPinned');
    expect(requests[0]?.init?.method).toBe('POST');
    expect(requests[0]?.init?.body).toBe('["acc",true]');
    expect((requests[0]?.init?.headers as Record<string, string>).Authorization).toBe('Bearer s3cret');
  });

  it('turns refusals and network failures into errors the user can act on', async () => {
    const refused = createBrowserApi('x', '', (async () => new Response('no', { status: 401 })) as typeof fetch);
    expect(await refused.listAccounts()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const down = createBrowserApi('x', '', (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch);
    expect(await down.listAccounts()).toMatchObject({ ok: false, error: { code: 'host_unreachable' } });
  });
});
