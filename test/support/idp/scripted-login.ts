/**
 * A scripted "system browser" for the test identity provider: follows the authorization request's
 * redirects over HTTP with a cookie jar, posts the login form, and finally requests the loopback
 * redirect URI, exactly as a person's browser would, without Chromium.
 *
 * Use it as the `openExternal` of a `LoopbackBroker`: app-core behaviour then runs on any machine.
 */
import { Agent, fetch } from 'undici';
import type { TestUser } from './directory';

/** Who signs in next: a user, or `'ignore'` (the person walked away from the page). */
export type ScriptedAnswer = TestUser | 'ignore';

/** Options of {@link scriptedSystemBrowser}. */
export interface ScriptedBrowserOptions {
  /** The test IdP's CA (`TestIdp.caCertPem`). */
  readonly caCertPem: string;
  /** Who answers each sign-in, in turn; called once per opened URL. */
  readonly nextAnswer: () => ScriptedAnswer;
}

/** A scripted browser: `openExternal` for the broker, and `settled()` to await every drive. */
export interface ScriptedBrowser {
  readonly openExternal: (url: string) => void;
  /** Resolves once every drive so far finished; rejects with the first drive that failed. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const MAX_STEPS = 25;

/** Creates a scripted browser. */
export function scriptedSystemBrowser(options: ScriptedBrowserOptions): ScriptedBrowser {
  const agent = new Agent({ connect: { ca: options.caCertPem } });
  const drives: Promise<void>[] = [];
  return {
    openExternal(url) {
      const answer = options.nextAnswer();
      if (answer === 'ignore') return;
      drives.push(completeLogin(url, answer, agent));
    },
    async settled() {
      await Promise.all(drives);
    },
    async close() {
      await Promise.allSettled(drives);
      await agent.close();
    },
  };
}

/**
 * Drives one authorization request to its redirect: follows redirects, posts `user`'s
 * credentials to the login form, and requests the final loopback URL.
 */
export async function completeLogin(authorizeUrl: string, user: TestUser, agent: Agent): Promise<void> {
  const jar = new Map<string, string>();
  let url = authorizeUrl;
  let form: URLSearchParams | undefined;
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const target = new URL(url);
    // The loopback redirect: hand it to the app's listener like a browser would, and stop.
    if (target.protocol === 'http:' && (target.hostname === '127.0.0.1' || target.hostname === 'localhost')) {
      await fetch(url, { redirect: 'manual' }).then((r) => r.arrayBuffer());
      return;
    }
    const headers: Record<string, string> = {};
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, { method: form ? 'POST' : 'GET', headers, body: form?.toString(), redirect: 'manual', dispatcher: agent });
    form = undefined;
    for (const cookie of response.headers.getSetCookie()) remember(jar, cookie);
    const body = await response.text();
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url).toString();
      continue;
    }
    if (response.status === 200 && /name="login"/.test(body) && /name="password"/.test(body)) {
      if (/role="alert"/.test(body)) throw new Error(`the login page refused ${user.username}`);
      const action = /<form[^>]*action="([^"]*)"/.exec(body)?.[1] ?? '';
      url = new URL(action.replace(/&amp;/g, '&'), url).toString();
      form = new URLSearchParams({ login: user.username, password: user.password });
      continue;
    }
    throw new Error(`the provider answered HTTP ${response.status} at ${target.pathname} without a redirect`);
  }
  throw new Error('too many redirects');
}

// name=value of a Set-Cookie line; an expired or empty cookie is forgotten.
function remember(jar: Map<string, string>, setCookie: string): void {
  const [pair = '', ...attributes] = setCookie.split(';');
  const index = pair.indexOf('=');
  if (index <= 0) return;
  const name = pair.slice(0, index).trim();
  const value = pair.slice(index + 1).trim();
  const expired = attributes.some((a) => /^\s*expires=.*1970/i.test(a) || /^\s*max-age=0\b/i.test(a));
  if (value === '' || expired) jar.delete(name);
  else jar.set(name, value);
}
