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

/**
 * The exit code for each error code of the app that is not a plain failure. Data, not a switch:
 * the native client's table is generated from it (cli/native/build.mjs).
 */
export const EXIT_FOR_ERROR_CODE: Readonly<Record<string, number>> = Object.freeze({
  needs_sign_in: EXIT.signInNeeded,
  consent_denied: EXIT.consentDenied,
  no_standing_rule: EXIT.consentDenied,
  consent_timeout: EXIT.consentDenied,
  not_found: EXIT.noAccount,
  account_ambiguous: EXIT.noAccount,
  no_default_account: EXIT.noAccount,
  invalid_argument: EXIT.usage,
  malformed_request: EXIT.usage,
  request_too_large: EXIT.usage,
});

/** The exit code for an error code of the app. */
export function exitCodeFor(code: string): number {
  return Object.hasOwn(EXIT_FOR_ERROR_CODE, code) ? (EXIT_FOR_ERROR_CODE[code] as number) : EXIT.failure;
}
