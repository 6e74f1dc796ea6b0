/**
 * Electron adapter: the privileged `app://` scheme that serves the renderer's files.
 *
 * Loading the UI from a custom standard scheme gives it a real origin (`app://tessera`) for the
 * CSP's `'self'` and for the IPC sender check, without `file://`'s access to the whole disk. The
 * mapping rules are in `policy.ts`.
 */
import { readFile, realpath } from 'node:fs/promises';
import { protocol } from 'electron';
import { APP_SCHEME, isInsideDir, resolveAppRequest, securityHeaders } from './policy';

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
 * Only GET and HEAD; every response carries the CSP. A path outside the directory (also through a
 * symbolic link) is a 403, a missing file a 404; neither says which path was tried.
 */
export function registerAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    const target = resolveAppRequest(rendererDir, request.url);
    if (target.kind === 'forbidden') return plain(403, 'Forbidden');
    try {
      const [root, real] = await Promise.all([realpath(rendererDir), realpath(target.path)]);
      if (!isInsideDir(root, real)) return plain(403, 'Forbidden');
      const body = await readFile(real);
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers: securityHeaders(target.contentType) });
    } catch {
      return plain(404, 'Not found');
    }
  });
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: securityHeaders('text/plain; charset=utf-8') });
}
