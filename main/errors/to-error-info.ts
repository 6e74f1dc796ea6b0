/**
 * The one translator from anything thrown to an {@link AppError}, and from there to the
 * {@link ErrorInfo} that crosses the boundary, is stored in `lastError` or is sent in an event.
 *
 * Never a stack, never a `cause`, never a token: messages pass the one redactor, and errors that
 * were not written for people (a `TypeError`, a Node system error, a thrown string) become the
 * generic {@link INTERNAL_ERROR}, because their text may hold paths or secrets.
 */
import type { ErrorCode, ErrorInfo } from '../../preload/contract';
import { AuthError, type AuthErrorCode } from '../auth';
import { AppError, isErrorCode } from './app-error';
import { redact } from './redact';

// Every auth-core code is a contract code: this line stops compiling when the auth core adds one
// that `ERROR_CODES` in preload/contract.ts lacks.
const AUTH_CODES_ARE_ERROR_CODES: AuthErrorCode extends ErrorCode ? true : never = true;
void AUTH_CODES_ARE_ERROR_CODES;

/** What the user sees for anything we did not throw on purpose. */
export const INTERNAL_ERROR: ErrorInfo = Object.freeze({
  code: 'internal_error',
  message: 'Something went wrong inside Tessera. Try again; if it keeps happening, restart the app.',
});

/**
 * Any thrown value as an {@link AppError}: ours as they are, auth-core errors with their code and a
 * friendlier message, anything else `internal_error` with the generic message (the original as `cause`).
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof AuthError && isErrorCode(error.code)) return new AppError(error.code, friendlyAuthMessage(error), { cause: error });
  return new AppError('internal_error', INTERNAL_ERROR.message, { cause: error });
}

/** The {@link ErrorInfo} of any thrown value (redacted; `internal_error` for what is not ours). */
export function toErrorInfo(error: unknown): ErrorInfo {
  const info = toAppError(error).toInfo();
  if (info.code === 'internal_error') return INTERNAL_ERROR;
  return { ...info, message: info.message.trim() === '' ? INTERNAL_ERROR.message : redact(info.message) };
}

function friendlyAuthMessage(error: AuthError): string {
  switch (error.code) {
    case 'user_cancelled':
      return 'Sign-in was cancelled.';
    case 'interaction_timeout':
      return 'Sign-in took too long and was stopped. Try again.';
    case 'network_error':
    case 'timeout':
      return `The provider could not be reached: ${error.message} Check your network connection and try again.`;
    default:
      return error.message;
  }
}
