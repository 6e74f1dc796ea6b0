/**
 * The exit codes of the `tessera` command. Stable: scripts test them.
 *
 * 4 for "sign-in needed" follows `gh auth` (4 = authentication required); 2 for usage follows the
 * shell convention. `tessera exec` returns the child's own code once the child runs.
 */
export const EXIT = {
  ok: 0,
  /** Anything else: the provider could not be reached, an internal error. */
  failure: 1,
  /** Wrong arguments. */
  usage: 2,
  /** Tessera is not running (no socket, nobody listening), or its socket is not safe to use. */
  appNotRunning: 3,
  /** The account must sign in again (`--interactive` starts the sign-in and waits). */
  signInNeeded: 4,
  /** Consent denied, not given in time, or no standing rule for a caller without a terminal. */
  consentDenied: 5,
  /** No such account, several match, or no default account chosen. */
  noAccount: 6,
} as const;

/** The exit code for an error code of the app. */
export function exitCodeFor(code: string): number {
  switch (code) {
    case 'needs_sign_in':
      return EXIT.signInNeeded;
    case 'consent_denied':
    case 'no_standing_rule':
    case 'consent_timeout':
      return EXIT.consentDenied;
    case 'not_found':
    case 'account_ambiguous':
    case 'no_default_account':
      return EXIT.noAccount;
    case 'invalid_argument':
    case 'malformed_request':
    case 'request_too_large':
      return EXIT.usage;
    default:
      return EXIT.failure;
  }
}
