/**
 * Electron adapter: the privileged `app://` scheme that serves the renderer's files.
 *
 * Loading the UI from a custom standard scheme gives it a real origin (`app://tessera`) for the
 * CSP's `'self'` and for the IPC sender check, without `file://`'s access to the whole disk. The
 * origin rule is in `policy.ts`; which file is served, and with which headers, is
 * `renderer-serving.ts`, the same policy browser mode serves with.
 */
import { protocol } from 'electron';
import { APP_SCHEME, resolveAppRequest } from './policy';
import { readRendererFile, rendererFileHeaders, SECURITY_HEADERS } from './renderer-serving';

/**
 * Registers `app:` as standard, secure and fetch-capable. Must run before `app` is ready.
 *
 * `standard` gives it origins and relative URLs; `secure` makes it a secure context;
 * `supportFetchAPI` lets the page `fetch` its own assets. No `bypassCSP`, no `corsEnabled`.
 */
export function registerAppSchemePrivileged(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/**
 * Serves files of `rendererDir` on `app://tessera/…` (after `app` is ready).
 *
 * Only GET and HEAD; every response carries the CSP and the rest of the header set. Another
 * origin is a 403; a path outside the directory (also through a symbolic link), of a type that is
 * not served, or missing is a 404 that does not say which path was tried.
 */
export function registerAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed.');
    const target = resolveAppRequest(request.url);
    if (target.kind === 'forbidden') return plain(403, 'Forbidden.');
    const file = await readRendererFile(rendererDir, target.urlPath);
    if (!file) return plain(404, 'Not found.');
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(file.body), { status: 200, headers: rendererFileHeaders(file) });
  });
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
}
