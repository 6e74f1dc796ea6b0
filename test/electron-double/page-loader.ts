/**
 * What Chromium does for a sign-in window in the Electron double: load the provider's pages over
 * real HTTPS, keep their cookies, fill in the test provider's login form, and fire the navigation
 * events Electron fires on the way (`webRequest.onBeforeRequest`, `will-redirect` for HTTP
 * redirects, `will-navigate` for the form post, `did-navigate` after a page loads).
 *
 * A handler that cancels or prevents a navigation stops the load there, as in Electron, where the
 * load then fails with `ERR_ABORTED`. Test code only.
 */
import { Agent, fetch } from 'undici';
import { makeEvent, type WebContentsDouble } from './electron';

/** Who signs in on the provider's login page. */
export interface PageUser {
  readonly username: string;
  readonly password: string;
}

const MAX_STEPS = 20;

function aborted(): Error {
  return Object.assign(new Error('ERR_ABORTED (-3) loading a sign-in page'), { code: 'ERR_ABORTED' });
}

/** Returns a page loader for `electronDouble.pageLoader` that trusts `caPem` and signs in as `user`. */
export function createPageLoader(options: { readonly caPem: string; readonly user: PageUser }): (contents: WebContentsDouble, url: string) => Promise<void> {
  const dispatcher = new Agent({ connect: { ca: options.caPem } });
  const cookies = new Map<string, Map<string, string>>();

  const cookieHeader = (url: URL): string => [...(cookies.get(url.host) ?? new Map<string, string>())].map(([name, value]) => `${name}=${value}`).join('; ');
  const keepCookies = (url: URL, setCookies: string[]): void => {
    const jar = cookies.get(url.host) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      if (at > 0) jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    cookies.set(url.host, jar);
  };

  /** Asks the session's `onBeforeRequest` listener; true when it cancels the request. */
  const cancelledBySession = (contents: WebContentsDouble, url: string): Promise<boolean> =>
    new Promise((resolve) => {
      const listener = contents.session.beforeRequest;
      if (!listener) return resolve(false);
      listener({ url }, (response) => resolve(response.cancel === true));
    });

  return async (contents, startUrl) => {
    let url = new URL(startUrl);
    let method: 'GET' | 'POST' = 'GET';
    let body: string | undefined;
    let typedPassword = false;
    for (let step = 0; step < MAX_STEPS; step += 1) {
      if (contents.destroyed) throw aborted();
      if (await cancelledBySession(contents, url.href)) throw aborted();
      const response = await fetch(url, {
        method,
        body,
        redirect: 'manual',
        dispatcher,
        headers: { cookie: cookieHeader(url), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      });
      keepCookies(url, response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        const next = new URL(location, url);
        const redirect = makeEvent({ url: next.href, isMainFrame: true });
        contents.emit('will-redirect', redirect);
        if (redirect.defaultPrevented || contents.destroyed) throw aborted();
        url = next;
        method = 'GET';
        body = undefined;
        continue;
      }
      const html = await response.text();
      contents.url = url.href;
      contents.emit('did-navigate', makeEvent(), url.href);
      const form = /<form method="post" action="([^"]*)"/.exec(html);
      if (!form || !html.includes('name="password"')) return;
      // The form again after the password was sent: it was refused. A person reads the error and
      // stays on the page (or closes the window); typing the same password again would not help.
      if (typedPassword) return;
      typedPassword = true;
      // The login form: type the user's name and password and press "Sign in".
      const action = new URL((form[1] ?? '').replaceAll('&amp;', '&'), url);
      const submit = makeEvent({ url: action.href, isMainFrame: true });
      contents.emit('will-navigate', submit);
      if (submit.defaultPrevented || contents.destroyed) throw aborted();
      url = action;
      method = 'POST';
      body = new URLSearchParams({ login: options.user.username, password: options.user.password }).toString();
    }
    throw new Error('The sign-in pages did not finish within 20 steps.');
  };
}
