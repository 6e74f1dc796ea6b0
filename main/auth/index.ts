/**
 * The auth core's public API: an MSAL-compatible OAuth 2.0 / OpenID Connect client.
 *
 * Runs in plain Node; nothing here imports Electron.
 */
export { ClientApplication, EXPIRY_SKEW_SECONDS } from './application';
export { PublicClientApplication, acquireTokenInteractiveWith } from './public-client-application';
export type { DeviceFlowPollOptions, InitiateDeviceFlowOptions } from './public-client-application';
export { ConfidentialClientApplication } from './confidential-client-application';
export { TokenCache, SerializableTokenCache } from './token-cache';
export { LoopbackBroker, LOOPBACK_BIND_ADDRESS, loopbackRedirectUri, escapeHtml, MAX_REDIRECT_REQUEST_BYTES } from './loopback-broker';
export type { LoopbackBrokerOptions } from './loopback-broker';
export {
  AuthError,
  AuthResponseError,
  AuthorityError,
  CacheFormatError,
  IdTokenError,
  InteractionError,
  InvalidArgumentError,
  TransportError,
} from './errors';
export type { AuthErrorCode } from './errors';
export { createDefaultHttpClient, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, isUntrustedCertificate } from './default-http-client';
export type { ClosableHttpClient, DefaultHttpClientOptions } from './default-http-client';
export { decodeBase64Json, decodeJwtPayload, homeAccountIdFromClientInfo, parseClientInfo } from './encoding';
export type { ClientInfo } from './encoding';
export { isOAuthError, REDACTED, redactValues, requestSecrets, secretSpellings, TOKEN_FIELDS, toErrorValue } from './oauth-error';
export { isTokenSuccess } from './types';
export type { HttpClient, HttpGetOptions, HttpPostOptions, HttpResponse, HttpCacheStore } from './http-types';
export { ClientAuthenticator } from './client-credential';
export type { ClientCredential, CertificateCredential, AssertionCredential } from './client-credential';
export type { IdTokenClaims } from './id-token';
export type {
  Account,
  AcquireTokenInteractiveOptions,
  AcquireTokenSilentOptions,
  AuthCodeFlow,
  AuthorizationBroker,
  BrokerOpenOptions,
  BrokerPrepareOptions,
  ClientApplicationOptions,
  DeviceFlow,
  InitiateAuthCodeFlowOptions,
  LoopbackRedirectStyle,
  TokenError,
  TokenResult,
  TokenSuccess,
} from './types';
export type {
  AccessTokenEntry,
  AccountEntry,
  AppMetadataEntry,
  CredentialType,
  IdTokenEntry,
  RefreshTokenEntry,
  TokenEvent,
} from './cache-types';
