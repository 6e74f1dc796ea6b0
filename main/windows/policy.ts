/**
 * The pure rules behind the app's windows: the `app://` origin, which URLs count as the app
 * itself, and what happens to a navigation or a `window.open`.
 *
 * No Electron here, so every rule is unit-tested; `main-window.ts`, `web-contents-guard.ts` and
 * `app-protocol.ts` apply them. How files are served (CSP, headers, types, paths) is
 * `renderer-serving.ts`, shared with browser mode.
 */

/** The custom scheme the renderer is served from. */
export const APP_SCHEME = 'app';
/** The one host of {@link APP_SCHEME}; the app's origin is `app://tessera`. */
export const APP_HOST = 'tessera';
/** The app's own origin. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The URL the main window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Where an `app://` request maps to: the URL path to serve, or a refusal. */
export type AppRequestTarget = { readonly kind: 'path'; readonly urlPath: string } | { readonly kind: 'forbidden'; readonly reason: string };

/**
 * Checks that a request is for `app://tessera/…` and returns its path (still percent-encoded).
 *
 * Refused: another scheme or host, user info or a port, a URL that does not parse. Query and
 * fragment are dropped. The path itself is judged by `resolveRendererPath` in
 * `renderer-serving.ts`, the same resolver browser mode uses.
 */
export function resolveAppRequest(requestUrl: string): AppRequestTarget {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { kind: 'forbidden', reason: 'not a URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.hostname !== APP_HOST) return { kind: 'forbidden', reason: 'foreign origin' };
  if (url.username !== '' || url.password !== '' || url.port !== '') return { kind: 'forbidden', reason: 'foreign origin' };
  return { kind: 'path', urlPath: url.pathname };
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
