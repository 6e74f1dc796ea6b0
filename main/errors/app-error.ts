/**
 * The one error model outside the auth core: {@link AppError}, its stable {@link ErrorCode} from the
 * contract, native `cause`, and a message that says what to do next, redacted when it is built.
 *
 * The auth core (`main/auth`) keeps its own `AuthError` (it imports nothing of the app);
 * `to-error-info.ts` turns those into `AppError`s at the edge of the services.
 */
import { ERROR_CODES, type ErrorCode, type ErrorInfo } from '../../preload/contract';
import { redact } from './redact';

const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether `value` is one of the contract's error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODES.has(value);
}

/**
 * An error of the app: a stable `code` and a message for people, never holding a token.
 *
 * Subclasses exist only where callers need fields (`OAuthServerError`) or a narrower code
 * (`PersistenceError`).
 */
export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(redact(message), options);
    this.code = code;
  }

  /** The error as it crosses the boundary. */
  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}
