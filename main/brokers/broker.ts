/**
 * Helpers shared by the app's sign-in brokers. The broker interface itself is the auth core's
 * `AuthorizationBroker` (main/auth/types.ts): every broker implements it directly.
 */

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
