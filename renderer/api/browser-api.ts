/**
 * `window.api` for browser mode: the same contract over HTTP to the local browser-mode host.
 *
 * Every call carries the per-launch secret as `Authorization: Bearer`, never as a cookie, so a page
 * on another origin cannot ride along. Events are read with a streaming `fetch` of
 * `GET /api/events` (Server-Sent Events framing) rather than `EventSource`: `EventSource` cannot
 * send headers, and putting the secret in a query string would leak it into server logs, history
 * and proxies.
 */
import { API_METHODS, type AppEvent, type ErrorCode, type ErrorInfo, type RendererApi, type Result } from '../../preload/contract';

const SECRET_KEY = 'tessera.secret';
const RECONNECT_MS = 1_000;

/**
 * Takes the secret from `#k=<secret>`, keeps it in sessionStorage (survives a reload of this tab
 * only) and strips it from the address bar so it is not bookmarked or shared by accident.
 */
export function takeSecret(location: Location, history: History, storage: Storage): string | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromUrl = fragment.get('k');
  if (fromUrl) {
    storage.setItem(SECRET_KEY, fromUrl);
    history.replaceState(null, '', `${location.pathname}${location.search}`);
    return fromUrl;
  }
  return storage.getItem(SECRET_KEY);
}

function failure(code: ErrorCode, message: string): { ok: false; error: ErrorInfo } {
  return { ok: false, error: { code, message } };
}

/** Splits an SSE byte stream into the `data:` payloads of its events. */
export function createSseParser(onData: (data: string) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) onData(data);
    }
  };
}

/** Builds a {@link RendererApi} that talks to the host at `baseUrl` (default: this page's origin). */
export function createBrowserApi(secret: string, baseUrl = '', fetchImpl: typeof fetch = fetch.bind(globalThis)): RendererApi {
  const headers = { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' };
  const call = async (method: string, args: unknown[]): Promise<Result<unknown>> => {
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}/api/${method}`, { method: 'POST', headers, body: JSON.stringify(args), cache: 'no-store' });
    } catch {
      return failure('host_unreachable', 'Tessera is not running any more. Start it again and open the new link.');
    }
    if (response.status === 401) return failure('unauthorized', 'This page is not allowed to use Tessera. Open the link Tessera printed when it started.');
    try {
      return (await response.json()) as Result<unknown>;
    } catch {
      return failure('malformed_response', `Unexpected answer from Tessera (HTTP ${response.status}).`);
    }
  };

  const listeners = new Set<(event: AppEvent) => void>();
  let stream: AbortController | undefined;
  const connect = (): void => {
    const controller = new AbortController();
    stream = controller;
    const parse = createSseParser((data) => {
      let event: AppEvent;
      try {
        event = JSON.parse(data) as AppEvent;
      } catch {
        return;
      }
      for (const listener of listeners) listener(event);
    });
    void (async () => {
      try {
        const response = await fetchImpl(`${baseUrl}/api/events`, { headers: { Authorization: headers.Authorization, Accept: 'text/event-stream' }, signal: controller.signal, cache: 'no-store' });
        if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parse(value);
        }
      } catch {
        // Fall through to reconnect unless we were asked to stop.
      }
      if (!controller.signal.aborted && listeners.size > 0) setTimeout(() => stream === controller && connect(), RECONNECT_MS);
    })();
  };

  const api: Record<string, unknown> = {};
  for (const method of API_METHODS) api[method] = (...args: unknown[]) => call(method, args);
  api.onEvent = (listener: (event: AppEvent) => void) => {
    listeners.add(listener);
    if (listeners.size === 1) connect();
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) {
        stream?.abort();
        stream = undefined;
      }
    };
  };
  return api as RendererApi;
}
