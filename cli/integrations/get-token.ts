/**
 * The one thing every integration needs from the app: an access token for an account.
 *
 * Each integration (kubectl, git, the Azure managed-identity endpoint, `--format az`) takes a
 * {@link GetToken} function, so it runs the same against the `tessera` command's channel client and
 * against an in-memory implementation in tests.
 */

/** Which integration asked; the app shows hand-outs in its Activity view under this name. */
export type IntegrationName = 'kubectl' | 'git' | 'azure-identity' | 'cli';

/** What an integration asks the app for. */
export interface TokenRequest {
  /** A username, an account id or `profile:username`; absent means the app's default account. */
  readonly account?: string;
  readonly scopes?: readonly string[];
  /** A resource URI; the app asks for `<resource>/.default`. */
  readonly resource?: string;
  /** Refresh when the cached token expires sooner than this. */
  readonly minValidSeconds?: number;
  readonly integration: IntegrationName;
}

/** The account a token belongs to. No secrets. */
export interface TokenAccount {
  readonly id: string;
  readonly username: string;
  /** Entra accounts: the tenant id. */
  readonly tenant?: string;
  /** The Azure subscription the account's profile names, when it names one. */
  readonly subscription?: string;
}

/** An access token handed out by the app. Never a refresh token. */
export interface TokenGrant {
  readonly accessToken: string;
  readonly tokenType: string;
  /** Epoch seconds. */
  readonly expiresOn: number;
  readonly scopes: readonly string[];
  readonly account: TokenAccount;
}

/**
 * Gets an access token from the app.
 *
 * Rejects with an `Error` that may carry a string `code` (the app's error codes, such as
 * `consent_denied` or `needs_sign_in`) and a message that says what to do next, never a token.
 */
export type GetToken = (request: TokenRequest) => Promise<TokenGrant>;

/** The codes of {@link IntegrationError}. */
export type IntegrationErrorCode =
  /** The command line is wrong; the message names the part. */
  | 'usage'
  /** The caller's input (git's key=value lines, a kubectl exec info) is malformed. */
  | 'invalid_input'
  /** The account's tenant is not the one the configuration asks for. */
  | 'tenant_mismatch'
  /** A request named an account other than the one this integration was started for. */
  | 'account_mismatch'
  /** `exec` could not start the command. */
  | 'exec_failed';

/**
 * A refusal by an integration itself (not by the app). Its message never contains a token.
 *
 * Not an `AppError` (main/errors/app-error.ts), on purpose: `AppError` redacts in its constructor,
 * and the redactor reaches the auth core through main/auth/index.ts (the only import of it the
 * layering rules allow), which pulls undici, jose and the whole core into the command's bundle —
 * measured 2026-11-30 with cli/build.mjs: 65.9 KB today, 1.21 MB with `IntegrationError extends
 * AppError`. The `tessera` command starts on every kubectl and git call, so it stays small. Its codes
 * are the command's own (none of them crosses the app's boundary); the app's codes it reports come
 * from the bridge as strings (`describeError`).
 */
export class IntegrationError extends Error {
  override readonly name = 'IntegrationError';
  readonly code: IntegrationErrorCode;

  constructor(code: IntegrationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The code and message of any error, for a one-line report. */
export function describeError(error: unknown): { readonly code: string; readonly message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'internal', message: error.message };
  }
  return { code: 'internal', message: 'Something went wrong. Try again, or restart Tessera.' };
}

/**
 * The scope that stands for a whole resource (Entra's v1 resource → v2 scope convention).
 *
 * Appends `/.default` unconditionally, as the Azure CLI does: an ARM resource written with a
 * trailing slash (`https://management.core.windows.net/`) must become `…//.default`.
 */
export function resourceScope(resource: string): string {
  return `${resource}/.default`;
}

// RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,512}$/;

/** Whether `value` can be a scope (or a resource that becomes one). */
export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value);
}
