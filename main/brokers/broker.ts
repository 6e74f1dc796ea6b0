/**
 * The sign-in broker seam: something that shows the authorization page and hands back the redirect.
 */

/** Options of {@link SignInBroker.open}. */
export interface BrokerOpenOptions {
  /** Aborting cancels the flow with `InteractionError('user_cancelled')`. */
  readonly signal?: AbortSignal;
  /** Overall time limit; exceeding it rejects with `InteractionError('interaction_timeout')`. */
  readonly timeoutMs?: number;
}

/**
 * Shows an authorization URL to the user and captures the redirect back to the app.
 *
 * Brokers verify nothing about `state`, `code` or errors: the auth core does. They return the full
 * redirect URL, including `error=` responses, and reject only with `InteractionError`
 * (`user_cancelled`, `interaction_timeout`, `broker_error`).
 */
export interface SignInBroker {
  /** `embedded`: an app window; `system-browser`: the default browser with a loopback redirect. */
  readonly kind: 'embedded' | 'system-browser';
  /** Opens url; resolves with the full redirect URL once the provider redirects to redirectUri. */
  open(url: string, redirectUri: string, options?: BrokerOpenOptions): Promise<string>;
}

/**
 * Whether `candidate` is a redirect to `redirectUri`: same scheme, host, port and path, exactly.
 *
 * Compared on parsed URLs, never with `startsWith` (which accepts `http://localhost:1234/cb.evil.com`
 * for `http://localhost:1234/cb`). A candidate carrying user info (`http://user@host/`) never
 * matches. Query and fragment are ignored: they carry the response.
 */
export function matchesRedirect(candidate: string, redirectUri: string): boolean {
  let actual: URL;
  let expected: URL;
  try {
    actual = new URL(candidate);
    expected = new URL(redirectUri);
  } catch {
    return false;
  }
  if (actual.username !== '' || actual.password !== '') return false;
  return (
    actual.protocol === expected.protocol &&
    actual.hostname === expected.hostname &&
    // URL normalizes default ports to '', so https://h:443/ equals https://h/.
    actual.port === expected.port &&
    actual.pathname === expected.pathname
  );
}
