/**
 * Completes an authorization-code sign-in at the test provider without a browser: follows the
 * redirects with a cookie jar, posts the login form, and delivers the final redirect to the app's
 * loopback listener — what a person in a browser would do, for the bench and other places where a
 * Chromium would only add start-up time.
 *
 * Works with the provider's own pages only (`pages.ts`: a `login` + `password` form, consent
 * granted by the provider itself).
 */
import { Agent, fetch } from 'undici';

/** Who signs in. */
export interface HeadlessUser {
  readonly username: string;
  readonly password: string;
}

const MAX_STEPS = 20;

/**
 * Signs `user` in for `authorizeUrl` and follows the redirect to the app (a loopback URL), so the
 * app's listener receives the code. `caPem` is the test provider's CA.
 */
export async function signInHeadless(authorizeUrl: string, user: HeadlessUser, caPem: string): Promise<void> {
  const agent = new Agent({ connect: { ca: caPem } });
  const cookies = new Map<string, string>();
  try {
    let url = authorizeUrl;
    let method: 'GET' | 'POST' = 'GET';
    let body: string | undefined;
    for (let step = 0; step < MAX_STEPS; step += 1) {
      const target = new URL(url);
      const isProvider = target.protocol === 'https:';
      const response = await fetch(url, {
        method,
        redirect: 'manual',
        dispatcher: isProvider ? agent : undefined,
        headers: {
          ...(cookies.size > 0 && isProvider ? { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') } : {}),
          ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(body !== undefined ? { body } : {}),
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const at = pair.indexOf('=');
        if (at > 0) cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        url = new URL(location, url).href;
        method = 'GET';
        body = undefined;
        continue;
      }
      const text = await response.text();
      // The app's loopback page: the code has been delivered.
      if (!isProvider) return;
      const action = /<form method="post" action="([^"]+)"/.exec(text)?.[1];
      if (!action || !text.includes('name="password"')) throw new Error(`headless sign-in: unexpected page at ${target.pathname} (status ${response.status})`);
      url = new URL(action.replace(/&amp;/g, '&'), url).href;
      method = 'POST';
      body = new URLSearchParams({ login: user.username, password: user.password }).toString();
    }
    throw new Error('headless sign-in: too many redirects');
  } finally {
    await agent.close();
  }
}
