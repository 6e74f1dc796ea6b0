/**
 * The error model outside the auth core: one base error with a contract code, one translator to
 * `ErrorInfo`, one redactor with its registry of secret values. Below every other layer of main
 * except the auth core, so persistence, services and the boundary all use it.
 */
export { AppError, isErrorCode } from './app-error';
export { OAuthServerError, describeOAuthError, needsInteraction, type OAuthErrorContext } from './oauth-server-error';
export { INTERNAL_ERROR, toAppError, toErrorInfo } from './to-error-info';
export { MAX_MESSAGE_LENGTH, REDACTED, redact } from './redact';
export { MIN_SECRET_LENGTH, SecretRegistry, secrets } from './secret-registry';
