/**
 * The one serving policy of the renderer's files, for Electron's `app://` protocol
 * (`app-protocol.ts`) and for browser mode's loopback host (`../browser-host/static-files.ts`).
 *
 * One Content-Security-Policy, one header set, one MIME table and one safe-path resolver, so the
 * same page gets the same lock-down wherever it runs. No Electron and no HTTP server here: the two
 * adapters only translate a request into {@link readRendererFile} and its answer into a response.
 */
import { readFile, realpath } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * The Content-Security-Policy of every page the app serves.
 *
 * No `'unsafe-inline'` anywhere: the renderer's styles come from its bundled stylesheet, and the
 * few `style={…}` props React sets (virtual-list offsets, the avatar hue) go through the CSSOM
 * (`element.style`), which `style-src` does not govern — only `<style>` elements and `style`
 * attributes parsed from markup are inline styles (CSP Level 3, "Should element's inline type
 * behavior be blocked"). The browser end-to-end test records every `securitypolicyviolation` to
 * prove the page raises none. `frame-ancestors` and `form-action` forbid framing and form posts.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Headers on every response of either host (renderer files, errors, API answers).
 *
 * Title-Case names, and neither `Content-Type` nor `Cache-Control`: each response adds those
 * itself, and two spellings of one name would be sent as two headers by Node's HTTP server.
 * No `Access-Control-*` header is ever sent: no CORS.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // The page needs no powerful feature; copying happens in the main process or the host.
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), clipboard-read=(), clipboard-write=()',
};

/**
 * Content types of the files the renderer build produces.
 *
 * Anything else is not served at all: with `nosniff`, a file of unknown type has no business
 * in the page, and refusing it keeps stray files (keys, caches) out even if they land in the folder.
 */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The content type of a renderer file by extension, or undefined for a type that is not served. */
export function mimeTypeFor(filePath: string): string | undefined {
  return MIME_TYPES[extname(filePath).toLowerCase()];
}

/** Whether `candidate` is `dir` itself or lies below it (both resolved first). */
export function isInsideDir(dir: string, candidate: string): boolean {
  const path = relative(resolve(dir), resolve(candidate));
  return path === '' || (!path.startsWith(`..${sep}`) && path !== '..' && !isAbsolute(path));
}

/**
 * Maps a URL path (still percent-encoded, as it arrives) to a file under `rootDir`.
 *
 * Undefined for: a path that does not decode, NUL bytes, backslashes (a second separator on
 * Windows), `.`/`..` segments and drive letters (also percent-encoded ones, which URL parsing
 * does not fold), a result outside `rootDir`, and a type not in {@link MIME_TYPES}. `/` is
 * `index.html`. Lexical only: {@link readRendererFile} checks the real path against symbolic links.
 */
export function resolveRendererPath(rootDir: string, urlPath: string): string | undefined {
  let pathname: string;
  try {
    pathname = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return undefined;
  const segments = pathname.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..' || /^[A-Za-z]:/.test(segment))) return undefined;
  const root = resolve(rootDir);
  const target = resolve(root, segments.length === 0 ? 'index.html' : segments.join('/'));
  if (!isInsideDir(root, target) || target === root) return undefined;
  return mimeTypeFor(target) === undefined ? undefined : target;
}

/** A renderer file ready to send. */
export interface RendererFile {
  readonly body: Buffer;
  readonly contentType: string;
  /** Hashed build assets (`assets/`) may be cached for good; `index.html` must not be. */
  readonly immutable: boolean;
}

/**
 * Reads the file a URL path names, or undefined when it is refused or missing.
 *
 * The real paths of the file and of `rootDir` must agree with the lexical check, so a symbolic
 * link inside the folder cannot serve a file outside it. Callers answer undefined with a plain
 * 404 that does not say which path was tried.
 */
export async function readRendererFile(rootDir: string, urlPath: string): Promise<RendererFile | undefined> {
  const path = resolveRendererPath(rootDir, urlPath);
  const contentType = path === undefined ? undefined : mimeTypeFor(path);
  if (path === undefined || contentType === undefined) return undefined;
  try {
    const [realRoot, realPath] = await Promise.all([realpath(rootDir), realpath(path)]);
    if (!isInsideDir(realRoot, realPath) || realPath === realRoot) return undefined;
    const body = await readFile(realPath);
    return { body, contentType, immutable: relative(resolve(rootDir), path).split(sep)[0] === 'assets' };
  } catch {
    return undefined;
  }
}

/** The full header set of a renderer file's response: {@link SECURITY_HEADERS}, type and caching. */
export function rendererFileHeaders(file: RendererFile): Record<string, string> {
  return {
    ...SECURITY_HEADERS,
    'Content-Type': file.contentType,
    'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
  };
}
