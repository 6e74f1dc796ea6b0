/**
 * The pure rules behind the app's windows: CSP, the `app://` protocol's file mapping, which URLs
 * count as the app itself, and what happens to a navigation or a `window.open`.
 *
 * No Electron here, so every rule is unit-tested; `main-window.ts` and `web-contents-guard.ts`
 * apply them. See ../shared/spec/security.md ("Windows of the app itself").
 */
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/** The custom scheme the renderer is served from. */
export const APP_SCHEME = 'app';
/** The one host of {@link APP_SCHEME}; the app's origin is `app://tessera`. */
export const APP_HOST = 'tessera';
/** The app's own origin. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The URL the main window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** The Content-Security-Policy of every page the app serves. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers sent with every file of the renderer. */
export function securityHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
  };
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
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

/** The content type of a renderer file, by extension; unknown types are served as opaque bytes. */
export function mimeTypeFor(filePath: string): string {
  return MIME_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/** Where an `app://` request maps to. */
export type AppRequestTarget =
  | { readonly kind: 'file'; readonly path: string; readonly contentType: string }
  | { readonly kind: 'forbidden'; readonly reason: string };

/**
 * Maps an `app://tessera/<path>` request to a file under `rootDir`, refusing anything else.
 *
 * Refused: another scheme or host, user info or a port, a path that does not decode, NUL bytes,
 * backslashes (a second separator on Windows), dot segments and drive letters, and any path that
 * resolves outside `rootDir`. `/` serves `index.html`. Query and fragment are ignored. Symbolic
 * links are the adapter's job: it checks the real path with {@link isInsideDir} again.
 */
export function resolveAppRequest(rootDir: string, requestUrl: string): AppRequestTarget {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { kind: 'forbidden', reason: 'not a URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.hostname !== APP_HOST) return { kind: 'forbidden', reason: 'foreign origin' };
  if (url.username !== '' || url.password !== '' || url.port !== '') return { kind: 'forbidden', reason: 'foreign origin' };
  // Check the raw path too: WHATWG URL parsing already folds `/a/../b`, but not `%2e%2e` or `%5c`.
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return { kind: 'forbidden', reason: 'undecodable path' };
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return { kind: 'forbidden', reason: 'invalid character' };
  const segments = pathname.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..' || /^[A-Za-z]:/.test(segment))) {
    return { kind: 'forbidden', reason: 'path traversal' };
  }
  const relativePath = segments.length === 0 ? 'index.html' : segments.join('/');
  const root = resolve(rootDir);
  const target = resolve(root, relativePath);
  if (!isInsideDir(root, target)) return { kind: 'forbidden', reason: 'path traversal' };
  return { kind: 'file', path: target, contentType: mimeTypeFor(target) };
}

/** Whether `candidate` is `dir` itself or lies below it (both absolute). */
export function isInsideDir(dir: string, candidate: string): boolean {
  const path = relative(resolve(dir), resolve(candidate));
  return path === '' || (!path.startsWith(`..${sep}`) && path !== '..' && !isAbsolute(path));
}

/** Options of {@link isTrustedAppUrl}. */
export interface TrustedUrlOptions {
  /** Exact `file:` URLs of packaged pages that are also the app (query and fragment ignored). */
  readonly fileUrls?: readonly string[];
}

/**
 * Whether a frame at `url` is the app itself, and so may call the IPC API.
 *
 * True for the app's own origin (`app://tessera`, any path) and for the exact packaged file URLs
 * given; false for everything else, including `file:` URLs in general, `about:blank` and
 * `devtools:` (a compromised page can open those, but cannot make them look like our origin).
 */
export function isTrustedAppUrl(url: string, options: TrustedUrlOptions = {}): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:`) {
    return parsed.hostname === APP_HOST && parsed.port === '' && parsed.username === '' && parsed.password === '';
  }
  if (parsed.protocol === 'file:' && options.fileUrls) {
    const bare = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
    return options.fileUrls.some((allowed) => {
      try {
        const expected = new URL(allowed);
        return expected.protocol === 'file:' && `${expected.protocol}//${expected.host}${expected.pathname}` === bare;
      } catch {
        return false;
      }
    });
  }
  return false;
}

/**
 * Hosts whose https links (help pages, provider consoles) open in the user's browser.
 *
 * Exact host names, no wildcards: a wildcard would let any subdomain a stranger controls in.
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = [
  'learn.microsoft.com',
  'entra.microsoft.com',
  'portal.azure.com',
  'console.cloud.google.com',
  'developers.google.com',
  'developer.okta.com',
  'auth0.com',
  'manage.auth0.com',
  'www.keycloak.org',
  'github.com',
  'datatracker.ietf.org',
  'www.rfc-editor.org',
];

/** What to do with a navigation or `window.open` from the app's window. */
export type NavigationDecision = { readonly kind: 'deny' } | { readonly kind: 'open-external'; readonly url: string };

/**
 * The decision for a navigation or `window.open` attempted by the app's own window.
 *
 * The app never navigates away from itself, so everything is denied in the window; an https link
 * to an allow-listed host (default port, no user info) is opened in the system browser instead.
 * The URL handed on is the re-serialized one, not the raw string.
 */
export function decideNavigation(url: string, allowedHosts: readonly string[] = EXTERNAL_LINK_HOSTS): NavigationDecision {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'deny' };
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '' || parsed.port !== '') return { kind: 'deny' };
  if (!allowedHosts.includes(parsed.hostname)) return { kind: 'deny' };
  return { kind: 'open-external', url: parsed.href };
}

/**
 * Whether a sign-in window may navigate to `url`.
 *
 * Sign-in windows browse the provider's pages, so they may go to any https page, and to http only
 * on loopback (local and test providers). Other schemes (`file:`, `javascript:`, custom schemes,
 * `app:`) are refused; the broker catches the redirect URI itself before this matters.
 */
export function isSignInNavigationAllowed(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'https:') return true;
  if (parsed.protocol !== 'http:') return false;
  return parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost' || parsed.hostname === '[::1]';
}
